//! `locus run --sim`: examples come back bit-exact through the simulated UART, and garbage, truncated, bad-CRC and mis-sized frames never stop the next good frame from being answered.

mod common;

use common::*;
use hdl_gen::compile::{self, load_dir};
use locus::protocol::{self, SYNC_REQUEST, TYPE_INFER};
use locus::run::{sim_link, Answer, Client, Transport};

/// Compiles examples/NAME into a scratch directory; returns (dir, data.csv).
fn compiled(name: &str, file: &str, tag: &str) -> (PathBuf, PathBuf) {
    let ex = root().join("examples").join(name);
    let data = ex.join("data.csv");
    let dir = scratch(&format!("{name}-{tag}"));
    let o = locus(&[
        "compile",
        ex.join(file).to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "compile {name}: {}", show(&o));
    (dir, data)
}

fn run_sim(name: &str, file: &str) {
    let (dir, data) = compiled(name, file, "cli");
    let o = locus(&[
        "run",
        dir.to_str().unwrap(),
        "--sim",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "run {name}: {}", show(&o));
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
    let rows = std::fs::read_to_string(&data).unwrap().lines().count() - 1;
    assert_eq!(r["rows"].as_u64().unwrap() as usize, rows, "{name}");
    assert_eq!(r["mismatches"], 0, "{name}");
    assert_eq!(r["mode"], "sim");
    assert_eq!(r["frames_dropped"], 0, "{name}");
    assert_eq!(r["link_errors"], 0, "{name}");
    assert!(r["cycles_per_row"].as_f64().unwrap() > 0.0);
    assert!(dir.join("sim-top/locus_top.v").is_file());
    assert!(dir.join("sim-top/locus_uart_bridge.v").is_file());
}

#[test]
fn iris_runs_bit_exact_through_the_simulated_uart() {
    run_sim("iris-xgb", "model.json");
}

/// One signed output of 14 bits: packing across bytes and sign extension.
#[test]
fn diabetes_regression_runs_bit_exact() {
    run_sim("diabetes-xgb", "model.json");
}

#[test]
fn missing_port_is_a_user_error() {
    let (dir, data) = compiled("iris-xgb", "model.json", "port");
    let o = locus(&[
        "run",
        dir.to_str().unwrap(),
        "--port",
        "/dev/locus-no-such-tty",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("no such serial port"), "{err}");
    let o = locus(&["run", dir.to_str().unwrap(), "--data", "x.csv"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "neither --sim nor --port: {}",
        show(&o)
    );
}

/// A deterministic byte generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 24) as u8
    }
}

#[test]
fn abuse_never_stops_the_next_good_frame() {
    let (dir, data) = compiled("iris-xgb", "model.json", "abuse");
    let l = load_dir(&dir).unwrap();
    let d = hdl_gen::data::read_for_model(&data, &l.model).unwrap();
    let vectors = compile::vectors(&l.quant, &l.ir, &d).unwrap();
    let iface = l.report.interface.clone();
    let baud = 115_200;
    let (link, _) = sim_link(&l, baud).unwrap();
    let mut c = Client::new(link, &iface, baud);
    let width = iface.in_features_width;
    let requests: Vec<Vec<u8>> = vectors
        .iter()
        .map(|v| c.request(&compile::pack_words(&l.ir, &v.inputs), width))
        .collect();
    let s0 = c.status().unwrap().expect("status answered");
    assert_eq!((s0.frames_ok, s0.frames_dropped), (1, 0));

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut row = 0usize;
    // Sends the next row as a good frame (straight after the abuse unless `gap`),
    // and requires the right answer at the first attempt.
    let mut good = |c: &mut Client<_>, what: &str, gap: bool| {
        if gap {
            c.resync().unwrap();
        }
        let v = &vectors[row % vectors.len()];
        let got = c.infer_one(&requests[row % vectors.len()], 1).unwrap();
        assert_eq!(got, Answer::Outputs(v.outputs.clone()), "after {what}");
        row += 1;
    };
    let frame = &requests[0];
    let mut dropped = 0u16;
    let mut expect_dropped = |c: &mut Client<locus::run::SimLink>, n: u16, what: &str| {
        dropped += n;
        let s = c.status().unwrap().expect("status answered");
        assert_eq!(s.frames_dropped, dropped, "drops counted after {what}");
    };

    // Garbage with no sync byte in it, then a good frame at once.
    c.link.send(&[0x00, 0x13, 0xFF, 0x5A, 0x42]).unwrap();
    good(&mut c, "garbage", false);
    expect_dropped(&mut c, 1, "garbage");

    // Bad CRC (a complete frame), then a good frame at once.
    let mut bad = frame.clone();
    *bad.last_mut().unwrap() ^= 0x01;
    c.link.send(&bad).unwrap();
    good(&mut c, "a bad CRC", false);
    expect_dropped(&mut c, 1, "a bad CRC");

    // A corrupted payload byte (caught by the CRC).
    let mut bad = frame.clone();
    bad[4] ^= 0x80;
    c.link.send(&bad).unwrap();
    good(&mut c, "a corrupted payload", false);
    expect_dropped(&mut c, 1, "a corrupted payload");

    // Wrong LEN: one byte short, as from a host with a stale report.json.
    let short = protocol::encode(SYNC_REQUEST, TYPE_INFER, &frame[3..frame.len() - 2]).unwrap();
    c.link.send(&short).unwrap();
    good(&mut c, "a wrong LEN", true);
    expect_dropped(&mut c, 1, "a wrong LEN");

    // Wrong TYPE.
    let other = protocol::encode(SYNC_REQUEST, 0x7F, &frame[3..frame.len() - 1]).unwrap();
    c.link.send(&other).unwrap();
    good(&mut c, "a wrong TYPE", true);
    expect_dropped(&mut c, 1, "a wrong TYPE");

    // Truncated frame: the bridge's inter-byte timeout drops it.
    c.link.send(&frame[..frame.len() - 3]).unwrap();
    good(&mut c, "a truncated frame", true);
    expect_dropped(&mut c, 1, "a truncated frame");

    // Framing error in the middle of a frame, and a break.
    c.link.send(&frame[..2]).unwrap();
    c.link.send_bad_stop(frame[2]);
    c.link.send(&frame[3..]).unwrap();
    good(&mut c, "a framing error", true);
    c.link.send_break(40);
    good(&mut c, "a break", true);
    expect_dropped(&mut c, 2, "a framing error and a break");

    // Random bytes, many with sync bytes and good-looking headers in them: after
    // the quiet gap the next good frame is always answered.
    for round in 0..30 {
        let n = 1 + (rng.next() as usize % 40);
        let mut junk: Vec<u8> = (0..n).map(|_| rng.next()).collect();
        if round % 3 == 0 {
            // A plausible header, so the bridge waits in the payload state.
            junk.extend([SYNC_REQUEST, TYPE_INFER, frame[2]]);
        }
        c.link.send(&junk).unwrap();
        good(&mut c, &format!("random bytes (round {round})"), true);
    }
    // Finally, a pipelined burst is still answered in order and bit-exact.
    c.resync().unwrap();
    let answers = c.infer_all(&requests[..40], || {}).unwrap();
    for (a, v) in answers.iter().zip(&vectors) {
        assert_eq!(a, &Answer::Outputs(v.outputs.clone()), "row {}", v.row);
    }
    assert_eq!(c.retries, 0);
    assert_eq!(
        c.link.framing_errors, 0,
        "the board's own bytes are well framed"
    );
    assert!(c.link.led_error_pulses >= 1 && c.link.led_activity_pulses >= 1);
}
