//! Integration tests of the sim harness on the hand-written designs in testbenches/sim.

mod common;

use common::{counter, options, scratch, testbench, wide_adder, Rng};
use sim::{build, lint, BuildOptions, Design, Port, SimError};

#[test]
fn verilator_is_installed() {
    let v = sim::verilator_version().expect("Verilator is required for these tests");
    assert!(v.starts_with("Verilator "), "{v}");
}

#[test]
fn testbenches_are_lint_clean() {
    for (file, top) in [("counter.v", "counter"), ("wide_adder.v", "wide_adder")] {
        let path = testbench(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("`default_nettype none"),
            "{file} must start with `default_nettype none"
        );
        if let Err(e) = lint(&[path], top) {
            panic!("{e}");
        }
    }
}

/// Sum of two little-endian word vectors, truncated to `width` bits.
fn add_words(a: &[u32], b: &[u32], width: u32) -> Vec<u32> {
    let mut carry = 0u64;
    let mut out: Vec<u32> = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| {
            let s = u64::from(x) + u64::from(y) + carry;
            carry = s >> 32;
            s as u32
        })
        .collect();
    if !width.is_multiple_of(32) {
        *out.last_mut().unwrap() &= (1 << (width % 32)) - 1;
    }
    out
}

#[test]
fn ports_of_every_width_class() {
    let lib = build(&wide_adder(), &options()).unwrap();
    let mut dut = lib.instantiate().unwrap();
    let p = |name: &str| dut.port(name).unwrap();
    let (a, b, c, d, e, f, g) = (p("a"), p("b"), p("c"), p("d"), p("e"), p("f"), p("g"));
    let (y, s, e_n, f_x, g_p) = (p("y"), p("s"), p("e_n"), p("f_x"), p("g_p"));
    assert!(dut.port("nope").is_none());

    let mut rng = Rng(0x1234_5678_9abc_def1);
    for round in 0..200 {
        // Raw random words: bits above each width must be ignored.
        let aw: Vec<u32> = (0..4).map(|_| rng.word()).collect();
        let bw: Vec<u32> = (0..4).map(|_| rng.word()).collect();
        let (cv, dv, ev, fv, gv) = (rng.next(), rng.next(), rng.next(), rng.word(), rng.next());
        dut.set(a, &aw);
        dut.set(b, &bw);
        dut.set_u64(c, cv);
        dut.set_u64(d, dv);
        dut.set_u64(e, ev);
        dut.set(f, &[fv]);
        dut.set_u64(g, gv);
        dut.eval();
        // Combinational outputs follow the inputs after eval.
        assert_eq!(dut.get_u64(e_n), !ev & 0xfff, "round {round}");
        assert_eq!(dut.get_u64(f_x), u64::from(fv ^ 0xdead_beef));
        let mask41 = (1u64 << 41) - 1;
        assert_eq!(dut.get_u64(g_p), ((gv & mask41) + 1) & mask41);
        // Reading an input gives back the masked value.
        assert_eq!(dut.get_u64(c), cv & 0x7f);
        let mut back = [0u32; 4];
        dut.get(a, &mut back);
        assert_eq!(back[3], aw[3] & 0xf);

        dut.tick();
        let mut got = [0u32; 4];
        dut.get(y, &mut got);
        let mask = |w: &[u32]| {
            let mut w = w.to_vec();
            w[3] &= 0xf;
            w
        };
        assert_eq!(
            got.to_vec(),
            add_words(&mask(&aw), &mask(&bw), 100),
            "round {round}"
        );
        assert_eq!(dut.get_u64(s), ((cv & 0x7f) + (dv & 0x7f)) & 0x7f);
    }
    assert_eq!(dut.time(), 400);
}

#[test]
fn counter_counts_resets_and_wraps() {
    let lib = build(&counter(), &options()).unwrap();
    let mut dut = lib.instantiate().unwrap();
    let (rst, en, count, wrap) = (
        dut.port("rst").unwrap(),
        dut.port("en").unwrap(),
        dut.port("count").unwrap(),
        dut.port("wrap").unwrap(),
    );
    dut.set_u64(rst, 1);
    dut.tick();
    assert_eq!(dut.get_u64(count), 0);
    dut.set_u64(rst, 0);
    dut.tick();
    assert_eq!(dut.get_u64(count), 0, "held while en is low");
    dut.set_u64(en, 1);
    for i in 1..=255u64 {
        dut.tick();
        assert_eq!(dut.get_u64(count), i);
    }
    dut.eval();
    assert_eq!(dut.get_u64(wrap), 1);
    dut.tick();
    assert_eq!(dut.get_u64(count), 0, "wraps after 255");
    assert_eq!(dut.get_u64(wrap), 0);
    dut.set_u64(rst, 1);
    for _ in 0..5 {
        dut.tick();
    }
    assert_eq!(dut.get_u64(count), 0);
    assert_eq!(dut.time(), 2 * (2 + 255 + 1 + 5));
    assert!(!dut.finished());
}

#[test]
fn instances_are_independent_and_per_thread() {
    let lib = build(&counter(), &options()).unwrap();
    let handles: Vec<_> = (1..=4u64)
        .map(|n| {
            let lib = lib.clone();
            std::thread::spawn(move || {
                let mut a = lib.instantiate().unwrap();
                let mut b = lib.instantiate().unwrap();
                let en = a.port("en").unwrap();
                let count = a.port("count").unwrap();
                a.set_u64(en, 1);
                b.set_u64(en, 1);
                for _ in 0..n * 10 {
                    a.tick();
                }
                b.tick();
                (a.get_u64(count), b.get_u64(count))
            })
        })
        .collect();
    for (n, h) in (1..=4u64).zip(handles) {
        assert_eq!(h.join().unwrap(), (n * 10, 1));
    }
}

#[test]
fn trace_writes_a_vcd() {
    let opts = BuildOptions {
        trace: true,
        ..options()
    };
    let lib = build(&counter(), &opts).unwrap();
    assert!(lib.traced());
    let dir = scratch("trace");
    let vcd = dir.join("counter.vcd");
    {
        let mut dut = lib.instantiate().unwrap();
        dut.trace_open(&vcd).unwrap();
        assert!(matches!(dut.trace_open(&vcd), Err(SimError::Trace(_))));
        let en = dut.port("en").unwrap();
        dut.set_u64(en, 1);
        for _ in 0..10 {
            dut.tick();
        }
    } // drop closes the file
    let text = std::fs::read_to_string(&vcd).unwrap();
    assert!(text.contains("$enddefinitions"), "{text}");
    for signal in ["clk", "count", "wrap"] {
        assert!(
            text.contains(&format!(" {signal} ")),
            "no {signal} in\n{text}"
        );
    }
    assert!(text.contains("\n#19\n"), "last sample at time 19:\n{text}");

    // Without trace in the build, tracing is refused with a clear error.
    let plain = build(&counter(), &options()).unwrap();
    let err = plain
        .instantiate()
        .unwrap()
        .trace_open(&dir.join("x.vcd"))
        .unwrap_err();
    assert!(err.to_string().contains("built without tracing"), "{err}");
}

#[test]
fn lint_reports_warnings_in_full() {
    let dir = scratch("lint");
    let bad = dir.join("bad.v");
    std::fs::write(
        &bad,
        "`default_nettype none\nmodule bad (\n    input  wire [7:0] a,\n    output wire [3:0] y\n);\n  assign y = a;\nendmodule\n",
    )
    .unwrap();
    let err = lint(&[&bad], "bad").unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, SimError::Lint { .. }), "{err:?}");
    assert!(text.contains("%Warning-WIDTH"), "{text}");
    assert!(text.contains("bad.v:6"), "names the line: {text}");
}

#[test]
fn port_list_must_match_the_rtl() {
    let mut design = counter();
    design.ports[3] = Port::output("count", 9);
    design.ports.push(Port::input("extra", 3));
    let err = build(&design, &options()).unwrap_err().to_string();
    assert!(
        err.contains("`count`: declared as output [8:0], but the RTL has output [7:0]"),
        "{err}"
    );
    assert!(err.contains("`extra`"), "{err}");
}

#[test]
fn design_errors_are_explained() {
    let mut design = counter();
    design.clock = Some("count".into());
    let err = build(&design, &options()).unwrap_err().to_string();
    assert!(err.contains("clock `count` must be a 1-bit input"), "{err}");

    let design = Design {
        files: vec![],
        ..counter()
    };
    let err = build(&design, &options()).unwrap_err().to_string();
    assert!(err.contains("no source files"), "{err}");

    let design = Design {
        files: vec![testbench("no-such-file.v")],
        ..counter()
    };
    let err = build(&design, &options()).unwrap_err().to_string();
    assert!(err.contains("no-such-file.v"), "{err}");
}

#[test]
fn verilator_errors_carry_its_stderr() {
    let dir = scratch("verilate-error");
    let file = dir.join("broken.v");
    std::fs::write(
        &file,
        "`default_nettype none\nmodule broken (input wire a, output wire y);\n  assign y = a +;\nendmodule\n",
    )
    .unwrap();
    let design = Design {
        files: vec![file],
        top: "broken".into(),
        ports: vec![Port::input("a", 1), Port::output("y", 1)],
        clock: None,
    };
    let err = build(&design, &options()).unwrap_err();
    assert!(matches!(err, SimError::Verilate { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("broken.v:3"), "{text}");
    assert!(text.contains("syntax error"), "{text}");
}
