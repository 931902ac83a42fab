//! Side-by-side benchmark: locus, conifer, alkaid and QXGB cores for the same models, each in the identical serial-load wrapper through the identical yosys/nextpnr flow on iCE40 UP5K, HX8K and ECP5-85; writes bench/results/compare.{json,md} and SVG plots.
//!
//! Usage: `cargo run --release -p locus --example bench_compare [--locus-only] [MODEL...]`
//! after `make setup-bench` and `cargo build --release -p locus` (`make bench` runs it).
//! Rows of models (or, with `--locus-only`, of other tools) not measured by this run
//! are kept from the last `compare.json`, each with the run (`measured`) it came from.
//! Work goes to `target/bench-compare/`:
//! - `models/<m>/`: trained by `bench/train_models.py` (when missing);
//! - `designs/<m>/<design>/`: `locus compile` output, or a foreign core written by
//!   `bench/adapters/*.py` (`core.v` + `design.json`);
//! - `designs/<m>/<design>/synth-<device>/`: the build, reused while the core's RTL
//!   and the flow settings are unchanged (`stamp`).
//!
//! Every core, locus's too, is built by `locus::flow::synth_bare`: the core behind
//! `locus_serial_top` (features shifted in one bit per clock, the result shifted
//! out), yosys and nextpnr with the family's settings, at one target clock per family
//! so nextpnr's timing-driven placement works equally hard for every tool. A foreign
//! core gets a port shim (`locus_core`, wiring only, plus a valid delay line as long
//! as its latency) so that the wrapper sees the same ports. Accuracy is each tool's
//! own bit-exact emulation on the held-out rows (`test.csv`); locus's is `locus
//! predict`, the reference the RTL is cosimulated against.

mod common;
use common::{locus, read_json, readme_section, root};

use hdl_gen::compile::{load_dir, Interface, OutputField, TOP};
use hdl_gen::vlog::{print, Dir, Expr, Item, Module, Port, Stmt};
use locus::boards::{Catalog, Family};
use locus::flow::{netlist, synth_bare, Core};
use locus::svg::{line_chart, Series};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The benchmark models built on every device (bench/train_models.py names).
const MODELS: &[&str] = &[
    "bc-s",
    "bc-m",
    "digits-s",
    "digits-m",
    "digits4-s",
    "digits4-m",
    "diabetes-s",
    "diabetes-m",
    "rf-s",
    "rf-m",
    "bc-l",
];
/// (device, target clock in MHz): one clock per family for every tool.
const DEVICES: &[(&str, f64)] = &[("hx8k", 150.0), ("up5k", 150.0), ("ecp5-85k", 300.0)];
/// Place and route that has not finished after this much processor time (not wall
/// time: builds share the machine) is retried with two other seeds, then reported
/// as not routed.
const PNR_LIMIT: std::time::Duration = std::time::Duration::from_secs(300);
/// Foreign designs: (adapter script, the design directories it writes).
const ADAPTERS: &[(&str, &[&str])] = &[
    ("bench/adapters/conifer_adapter.py", &["conifer"]),
    (
        "bench/adapters/alkaid_adapter.py",
        &["alkaid-comb", "alkaid-pipe", "qxgb-comb", "qxgb-pipe"],
    ),
];
/// locus designs: (name, extra `locus compile` arguments).
const LOCUS: &[(&str, &[&str])] = &[
    ("locus", &["--input-encoding", "fixed"]),
    (
        "locus-mid",
        &["--input-encoding", "fixed", "--stage-budget", "3"],
    ),
    (
        "locus-fast",
        &["--input-encoding", "fixed", "--stage-budget", "1"],
    ),
    ("locus-rank", &[]),
];

fn python() -> PathBuf {
    root().join(".venv-bench/bin/python")
}

fn run(cmd: &mut Command, what: &str) -> bool {
    match cmd.output() {
        Ok(o) if o.status.success() => true,
        Ok(o) => {
            eprintln!(
                "{what}: failed\n{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            false
        }
        Err(e) => {
            eprintln!("{what}: cannot run: {e}");
            false
        }
    }
}

/// Labels of `csv` (its `label` column) as numbers.
fn labels(csv: &Path) -> Vec<f64> {
    let text = std::fs::read_to_string(csv).expect("test.csv");
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = head.iter().position(|h| *h == "label").unwrap();
    lines
        .map(|l| l.split(',').nth(col).unwrap().parse().unwrap())
        .collect()
}

/// Accuracy (fraction) or RMSE of `pred` against `truth`.
fn metric(task: &str, pred: &[f64], truth: &[f64]) -> f64 {
    assert_eq!(pred.len(), truth.len(), "one prediction per test row");
    let n = truth.len() as f64;
    if task == "regression" {
        (pred
            .iter()
            .zip(truth)
            .map(|(p, t)| (p - t).powi(2))
            .sum::<f64>()
            / n)
            .sqrt()
    } else {
        pred.iter().zip(truth).filter(|(p, t)| p == t).count() as f64 / n
    }
}

/// `locus predict` (fixed, or the float model) on `test.csv`, scored.
fn locus_metric(dir: &Path, test: &Path, task: &str, float: bool) -> f64 {
    let mut args = vec![
        "predict",
        dir.to_str().unwrap(),
        "--data",
        test.to_str().unwrap(),
    ];
    if float {
        args.push("--float");
    }
    let o = locus(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pred: Vec<f64> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| l.trim().parse().expect("a numeric prediction"))
        .collect();
    metric(task, &pred, &labels(test))
}

/// The selection protocol, the one the adapters follow for the other tools: the
/// first design whose fixed-point model stays within 0.5 accuracy points
/// (regression: 0.5% RMSE) of the float model on the held-out rows is kept. Inputs
/// in fixed point: input widths from `INPUT_BITS` upwards (leaves chosen by the
/// search), then at the first width that meets the rule the narrowest leaves that
/// still do; otherwise, and for rank-encoded inputs, the `--max-loss` settings in
/// turn, then wider leaves.
const MAX_LOSS: &[&str] = &["0.5", "0.2", "0.1", "0.05", "0.02", "0.01"];
/// Fixed-point input widths tried, narrowest first (as the adapters scan theirs).
const INPUT_BITS: std::ops::RangeInclusive<u32> = 2..=16;
/// Changes when the protocol does, so that every locus design is chosen afresh.
const PROTOCOL: &str = "narrowest input width, then leaves";

/// Whether `fixed` is within the accuracy target of `float`.
fn close_enough(task: &str, float: f64, fixed: f64) -> bool {
    if task == "regression" {
        fixed <= float * 1.005
    } else {
        fixed >= float - 0.005
    }
}

/// Compiles `model` with locus into `dir` (once per locus version) and describes the
/// design as the adapters do.
fn locus_design(m: &Path, dir: &Path, extra: &[&str], meta: &Value) -> Option<Value> {
    let model = ["model.json", "model.onnx"]
        .iter()
        .map(|f| m.join(f))
        .find(|p| p.exists())?;
    let task = meta["task"].as_str().unwrap();
    let test = m.join("test.csv");
    let chosen = dir.join("bench_max_loss");
    let args_file = dir.join("bench_args");
    let settings = format!("{PROTOCOL}: {}", extra.join(" "));
    let train = m.join("train.csv");
    let compile = |setting: &[&str]| -> Option<bool> {
        let mut args: Vec<&str> = vec![
            "compile",
            model.to_str().unwrap(),
            "--data",
            train.to_str().unwrap(),
            "-o",
            dir.to_str().unwrap(),
        ];
        args.extend(setting);
        args.extend(extra);
        let t = std::time::Instant::now();
        let o = locus(&args);
        if !o.status.success() {
            eprintln!(
                "locus compile {}: {}",
                m.display(),
                String::from_utf8_lossy(&o.stderr)
            );
            return None;
        }
        let secs = t.elapsed().as_secs_f64();
        std::fs::write(dir.join("compile_seconds"), secs.to_string()).unwrap();
        std::fs::write(&chosen, setting.join(" ")).unwrap();
        std::fs::write(&args_file, &settings).unwrap();
        let (float, fixed) = (
            locus_metric(dir, &test, task, true),
            locus_metric(dir, &test, task, false),
        );
        Some(close_enough(task, float, fixed))
    };
    // A directory from another locus version, other arguments (or none) is compiled afresh.
    let same_args = std::fs::read_to_string(&args_file).ok().as_deref() == Some(settings.as_str());
    if load_dir(dir).is_err() || !chosen.exists() || !same_args {
        let mut done = false;
        if extra.contains(&"fixed") {
            for b in INPUT_BITS {
                let b = b.to_string();
                if !compile(&["--input-bits", &b])? {
                    continue;
                }
                done = true;
                // The search keeps the lowest-loss (widest) leaves when no width meets
                // its budget on the calibration rows: take the narrowest leaves that
                // still meet the rule on the held-out rows.
                let widest = read_json(&dir.join("report.json"))["formats"]["leaf_bits"]
                    .as_u64()
                    .unwrap_or(2);
                let mut narrower = false;
                for l in 2..widest {
                    if compile(&["--input-bits", &b, "--leaf-bits", &l.to_string()])? {
                        narrower = true;
                        break;
                    }
                }
                if !narrower {
                    compile(&["--input-bits", &b])?;
                }
                break;
            }
        }
        for loss in MAX_LOSS {
            if done {
                break;
            }
            if compile(&["--max-loss", loss])? {
                done = true;
                break;
            }
        }
        // An overfit model classifies every calibration row with room to spare, so
        // no --max-loss asks for wider leaves: widen them by hand.
        let bits = read_json(&dir.join("report.json"))["formats"]["leaf_bits"]
            .as_u64()
            .unwrap_or(8);
        for extra_bits in 1..=8 {
            if done {
                break;
            }
            done = compile(&["--leaf-bits", &(bits + extra_bits).to_string()])?;
        }
    }
    let report = read_json(&dir.join("report.json"));
    Some(json!({
        "tool": "locus",
        "tool_version": env!("CARGO_PKG_VERSION"),
        "latency_cycles": report["latency_cycles"],
        "ii": report["ii"].as_u64().unwrap_or(1),
        "precision": format!(
            "inputs {} bits, leaves {} bits ({})",
            report["formats"]["input_bits"],
            report["formats"]["leaf_bits"],
            std::fs::read_to_string(&chosen).unwrap_or_default()
        ),
        "metric": meta["metric"],
        "float": locus_metric(dir, &test, task, true),
        "fixed": locus_metric(dir, &test, task, false),
        "convert_seconds": std::fs::read_to_string(dir.join("compile_seconds")).ok()
            .and_then(|s| s.parse::<f64>().ok()),
    }))
}

/// The port shim that presents a foreign core (`design.json`) with locus's core
/// ports, so the identical wrapper can hold it; returns it with its interface.
fn shim(d: &Value) -> (Module, Interface) {
    let id = |s: &str| Expr::Ident(s.into());
    let width = |p: &Value| p["width"].as_u64().unwrap() as u32;
    let inputs = d["inputs"].as_array().unwrap();
    let outputs = d["outputs"].as_array().unwrap();
    let in_w: u32 = inputs.iter().map(width).sum();
    let latency = d["latency_cycles"].as_u64().unwrap() as u32;
    let mut conns = Vec::new();
    if let Some(c) = d["clock"].as_str() {
        conns.push((c.to_string(), id("clk")));
    }
    let mut lsb = 0;
    for p in inputs {
        let w = width(p);
        let e = if in_w == 1 {
            id("in_features")
        } else if w == 1 {
            Expr::Bit("in_features".into(), lsb)
        } else {
            Expr::Slice("in_features".into(), lsb + w - 1, lsb)
        };
        conns.push((p["port"].as_str().unwrap().to_string(), e));
        lsb += w;
    }
    if let Some(ties) = d["ties"].as_object() {
        for (port, v) in ties {
            conns.push((
                port.clone(),
                Expr::Lit {
                    width: 1,
                    value: v.as_u64().unwrap(),
                },
            ));
        }
    }
    let mut fields = Vec::new();
    for p in outputs {
        let name = format!("out_{}", p["port"].as_str().unwrap());
        conns.push((p["port"].as_str().unwrap().to_string(), id(&name)));
        fields.push(OutputField {
            name,
            width: width(p),
            signed: p["signed"].as_bool().unwrap_or(false),
        });
    }
    let port = |dir, name: &str, width: u32| Port {
        dir,
        name: name.into(),
        width,
        comment: None,
    };
    let mut ports = vec![
        port(Dir::Input, "clk", 1),
        port(Dir::Input, "rst", 1),
        port(Dir::Input, "in_valid", 1),
        port(Dir::Input, "in_features", in_w),
        port(Dir::Output, "out_valid", 1),
    ];
    ports.extend(fields.iter().map(|f| port(Dir::Output, &f.name, f.width)));
    let mut items = Vec::new();
    let valid = match latency {
        0 => id("in_valid"),
        1 => {
            items.push(Item::Reg {
                name: "valid_q".into(),
                width: 1,
            });
            items.push(Item::AlwaysPosedge {
                clock: "clk".into(),
                body: vec![Stmt::NonBlocking("valid_q".into(), id("in_valid"))],
            });
            id("valid_q")
        }
        l => {
            items.push(Item::Reg {
                name: "valid_q".into(),
                width: l,
            });
            items.push(Item::AlwaysPosedge {
                clock: "clk".into(),
                body: vec![Stmt::NonBlocking(
                    "valid_q".into(),
                    Expr::Concat(vec![
                        if l == 2 {
                            Expr::Bit("valid_q".into(), 0)
                        } else {
                            Expr::Slice("valid_q".into(), l - 2, 0)
                        },
                        id("in_valid"),
                    ]),
                )],
            });
            Expr::Bit("valid_q".into(), l - 1)
        }
    };
    items.push(Item::Assign {
        lhs: "out_valid".into(),
        rhs: valid,
        comment: None,
    });
    items.push(Item::Instance {
        module: d["top"].as_str().unwrap().into(),
        name: "u_foreign".into(),
        params: vec![],
        conns,
    });
    let module = Module {
        name: TOP.into(),
        header: vec![
            format!(
                "{TOP}: port shim around {} {} ({}), generated by bench_compare — wiring and a {latency}-cycle valid delay only.",
                d["tool"].as_str().unwrap_or("?"),
                d["variant"].as_str().unwrap_or(""),
                d["top"].as_str().unwrap()
            ),
        ],
        ports,
        items,
    };
    let iface = Interface {
        top: TOP.into(),
        in_features_width: in_w,
        inputs: vec![],
        outputs: fields,
        in_ready: false,
    };
    (module, iface)
}

/// FNV-1a of the build's inputs: reuse a build only while they are unchanged.
fn stamp(parts: &[&[u8]]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for p in parts {
        for &b in *p {
            h = (h ^ b as u64).wrapping_mul(0x100000001b3);
        }
        h = (h ^ 0xff).wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

/// The lines of `families.toml` a build depends on: not its comments, nor the
/// stage-delay fits, which only `--target-mhz` reads (the designs here set
/// `--stage-budget`), so refitting them (`bench_stage_delay`) rebuilds nothing.
fn flow_settings(toml: &str) -> String {
    toml.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("stage_delay"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// How `device` is built: its family in the embedded catalogue.
fn family(device: &str) -> Family {
    let c = Catalog::load().unwrap();
    c.family(c.device(device).unwrap().family).clone()
}

/// Whether `device`'s flow disconnects unread carry outs and the carry ins of chain heads (`locus::flow::netlist`).
fn carry_fixup(device: &str) -> bool {
    netlist::applies_to(
        family(device)
            .cells
            .get("carry")
            .map(Vec::as_slice)
            .unwrap_or(&[]),
    )
}

/// One design to build: where, the core's RTL file and interface.
struct Job {
    model: String,
    design: String,
    dir: PathBuf,
    rtl: PathBuf,
    iface: Interface,
}

/// Builds `job` on `device` (or reuses the last build of the same RTL and flow).
fn build(job: &Job, device: &str, mhz: f64) -> Value {
    let dir = job.dir.join(format!("synth-{device}"));
    let rtl = std::fs::read(&job.rtl).unwrap();
    let flow =
        flow_settings(&std::fs::read_to_string(root().join("boards/families.toml")).unwrap());
    // The wrapper is part of what is measured: a new wrapper rebuilds everything.
    let wrapper = print(&hdl_gen::serial_top::emit_serial_top(
        &job.iface,
        Vec::new(),
    ));
    let mhz_text = mhz.to_string();
    let mut parts: Vec<&[u8]> = vec![
        &rtl,
        wrapper.as_bytes(),
        device.as_bytes(),
        mhz_text.as_bytes(),
        flow.as_bytes(),
    ];
    // The netlist fix-up changes only the builds of families it applies to.
    if carry_fixup(device) {
        parts.push(b"unread carry outs and chain heads' carry ins disconnected");
    }
    // So do the family's own techmaps.
    let fam = family(device);
    for (name, text) in &fam.synth_sources {
        parts.push(name.as_bytes());
        parts.push(text.as_bytes());
    }
    let s = stamp(&parts);
    if std::fs::read_to_string(dir.join("stamp")).ok().as_deref() == Some(s.as_str()) {
        if let Ok(e) = std::fs::read_to_string(dir.join("error.txt")) {
            return json!({ "error": e });
        }
        let old = read_json(&dir.join("synth.json"));
        if !old.is_null() {
            return old;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("{} {}: building on {device}", job.model, job.design);
    let core = Core {
        rtl: &job.rtl,
        iface: &job.iface,
    };
    match synth_bare(&dir, device, &core, mhz, PNR_LIMIT) {
        Ok(r) => {
            std::fs::write(dir.join("stamp"), &s).unwrap();
            serde_json::to_value(r).unwrap()
        }
        Err(e) => {
            // Failures are kept too: the same inputs fail the same way.
            eprintln!("{} {} on {device}: {e:#}", job.model, job.design);
            let e = format!("{e:#}");
            std::fs::write(dir.join("error.txt"), &e).unwrap();
            std::fs::write(dir.join("stamp"), &s).unwrap();
            json!({ "error": e })
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--locus-only`: rebuild locus's designs alone; the other tools' rows are kept
    // from the last results (their cores and the flow are unchanged).
    let locus_only = args.iter().any(|a| a == "--locus-only");
    let only: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    for a in &args {
        let known = a == "--locus-only" || MODELS.contains(&a.as_str());
        if !known {
            eprintln!(
                "bench_compare: unknown argument {a}; expected --locus-only or model names ({})",
                MODELS.join(", ")
            );
            std::process::exit(2);
        }
    }
    let models: Vec<&str> = MODELS
        .iter()
        .copied()
        .filter(|m| only.is_empty() || only.iter().any(|o| o == m))
        .collect();
    let work = root().join("target/bench-compare");
    let mdir = work.join("models");
    // Training is deterministic: models from an older train_models.py (no split
    // count) are trained again, identically. Every model is trained: the CPU side
    // and the kept rows need them all.
    let missing: Vec<&str> = MODELS
        .iter()
        .copied()
        .filter(|m| read_json(&mdir.join(m).join("meta.json"))["splits"].is_null())
        .collect();
    if !missing.is_empty() {
        let mut c = Command::new(python());
        c.arg(root().join("bench/train_models.py"))
            .arg(&mdir)
            .args(&missing);
        assert!(run(&mut c, "bench/train_models.py"), "training failed");
    }

    // 1. Designs: locus compiles, the adapters convert.
    let mut designs: Vec<(String, String, Value)> = Vec::new();
    let mut jobs = Vec::new();
    for &m in &models {
        let md = mdir.join(m);
        let meta = read_json(&md.join("meta.json"));
        let ddir = work.join("designs").join(m);
        std::fs::create_dir_all(&ddir).unwrap();
        for &(name, extra) in LOCUS {
            let dir = ddir.join(name);
            eprintln!("{m}: {name}");
            let Some(d) = locus_design(&md, &dir, extra, &meta) else {
                designs.push((
                    m.into(),
                    name.into(),
                    json!({"error": "locus compile failed"}),
                ));
                continue;
            };
            let l = load_dir(&dir).expect("a compiled directory");
            jobs.push(Job {
                model: m.into(),
                design: name.into(),
                dir: dir.clone(),
                rtl: l.rtl_path.clone(),
                iface: l.report.interface.clone(),
            });
            designs.push((m.into(), name.into(), d));
        }
        for &(script, outs) in ADAPTERS {
            // An adapter not written yet adds no rows.
            if locus_only || !root().join(script).exists() {
                continue;
            }
            let first = ddir.join(outs[0]).join("design.json");
            if !first.exists() {
                eprintln!("{m}: {script}");
                let mut c = Command::new(python());
                c.arg(root().join(script)).arg(&md);
                // The conifer adapter writes one design directory, the alkaid one a root.
                if outs.len() == 1 {
                    c.arg(ddir.join(outs[0]));
                } else {
                    c.arg(&ddir);
                }
                run(&mut c, script);
            }
            for &name in outs {
                let dir = ddir.join(name);
                let d = read_json(&dir.join("design.json"));
                if d.is_null() || d.get("unsupported").is_some() || !dir.join("core.v").exists() {
                    let why = d
                        .get("unsupported")
                        .cloned()
                        .unwrap_or(json!("no design (adapter failed or missing)"));
                    designs.push((m.into(), name.into(), json!({ "unsupported": why })));
                    continue;
                }
                let (module, iface) = shim(&d);
                let text = format!(
                    "{}\n{}",
                    print(&module),
                    std::fs::read_to_string(dir.join("core.v")).unwrap()
                );
                let rtl = dir.join("locus_core.v");
                std::fs::write(&rtl, text).unwrap();
                jobs.push(Job {
                    model: m.into(),
                    design: name.into(),
                    dir,
                    rtl,
                    iface,
                });
                designs.push((m.into(), name.into(), d));
            }
        }
    }

    // 2. Builds, two at a time; a design that does not fit the HX8K is not tried on
    //    the smaller UP5K.
    let queue = Mutex::new((0..jobs.len()).rev().collect::<Vec<_>>());
    let built: Mutex<Vec<(usize, &str, Value)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let Some(i) = queue.lock().unwrap().pop() else {
                    break;
                };
                let mut fits_hx8k = true;
                for &(device, mhz) in DEVICES {
                    let r = if device == "up5k" && !fits_hx8k {
                        json!({ "fits": false, "skipped": "does not fit the larger HX8K" })
                    } else {
                        build(&jobs[i], device, mhz)
                    };
                    if device == "hx8k" {
                        fits_hx8k = r["fits"].as_bool().unwrap_or(false);
                    }
                    built.lock().unwrap().push((i, device, r));
                }
            });
        }
    });
    let built = built.into_inner().unwrap();

    // 3. Results: this run's rows, then the last results' rows of what it did not
    //    build, each saying when it was measured.
    let measured = measured_at();
    let results = root().join("bench/results");
    let previous = read_json(&results.join("compare.json"))["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut rows = Vec::new();
    for (m, name, d) in &designs {
        let meta = read_json(&mdir.join(m).join("meta.json"));
        let job = jobs.iter().position(|j| &j.model == m && &j.design == name);
        let mut per_device = serde_json::Map::new();
        for &(device, mhz) in DEVICES {
            let r = job
                .and_then(|i| built.iter().find(|(j, dv, _)| *j == i && *dv == device))
                .map(|(_, _, r)| r.clone())
                .unwrap_or(Value::Null);
            per_device.insert(device.into(), figures(&r, d, mhz));
        }
        rows.push(json!({
            "model": m,
            "trees": meta["trees"],
            "depth": meta["depth"],
            "splits": meta["splits"],
            "features": meta["features"],
            "task": meta["task"],
            "design": name,
            "about": d,
            "devices": per_device,
            "measured": measured,
        }));
    }
    let rows = merge(rows, previous);
    std::fs::create_dir_all(&results).unwrap();
    let out = json!({
        "benchmark": "compare",
        "flow": "each core in locus_serial_top (serial-load wrapper), yosys (YoWASP) + nextpnr, target clock per family",
        "devices": DEVICES.iter().map(|(d, f)| json!({"device": d, "target_mhz": f})).collect::<Vec<_>>(),
        "results": rows,
    });
    std::fs::write(
        results.join("compare.json"),
        serde_json::to_string_pretty(&out).unwrap() + "\n",
    )
    .unwrap();
    // The CPU side: each model's own library on this machine.
    let cpu_json = results.join("cpu_models.json");
    let mut c = Command::new(python());
    c.arg(root().join("bench/cpu_models.py"))
        .arg(&mdir)
        .arg(&cpu_json)
        .arg("200000");
    run(&mut c, "bench/cpu_models.py");
    let cpu = read_json(&cpu_json);
    let md = format!(
        "{}{}{}{}",
        provenance(&rows),
        targets(&rows),
        fpga_vs_cpu(&rows, &cpu),
        markdown(&rows)
    );
    std::fs::write(results.join("compare.md"), &md).unwrap();
    let plots_md: String = DEVICES
        .iter()
        .map(|(d, _)| {
            format!(
                "![logic against size on {d}](bench/results/compare_area_{d}.svg) \
                 ![Fmax against size on {d}](bench/results/compare_fmax_{d}.svg)\n"
            )
        })
        .collect();
    readme_section(
        "compare",
        &format!(
            "{}{}{}Every design on every device: `bench/results/compare.md`.\n\n{plots_md}",
            provenance(&rows),
            targets(&rows),
            fpga_vs_cpu(&rows, &cpu)
        ),
    );
    plots(&rows, &results);
    println!("{md}");
}

/// This run's commit and UTC date; "-dirty" when files other than the results it
/// writes (bench/results/, README.md) differ from that commit.
fn measured_at() -> String {
    let out = |prog: &str, args: &[&str]| {
        Command::new(prog)
            .args(args)
            .current_dir(root())
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let changed = out(
        "git",
        &[
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            ".",
            ":!bench/results",
            ":!README.md",
        ],
    );
    format!(
        "{}{}, {}",
        out("git", &["rev-parse", "--short", "HEAD"]),
        if changed.is_empty() { "" } else { "-dirty" },
        out("date", &["-u", "+%F"])
    )
}

/// This run's rows, and the previous results' rows of (model, design) pairs it did
/// not measure, in benchmark order: models as in [`MODELS`], then designs as locus
/// and the adapters list them.
fn merge(rows: Vec<Value>, previous: Vec<Value>) -> Vec<Value> {
    let order: Vec<&str> = LOCUS
        .iter()
        .map(|(n, _)| *n)
        .chain(ADAPTERS.iter().flat_map(|(_, outs)| outs.iter().copied()))
        .collect();
    let mut out = Vec::new();
    for &m in MODELS {
        for &d in &order {
            let mine = |r: &&Value| r["model"] == m && r["design"] == d;
            if let Some(r) = rows.iter().find(mine).or(previous.iter().find(mine)) {
                out.push(r.clone());
            }
        }
    }
    out
}

/// Which rows were measured when: one line per run, the designs grouped by model.
fn provenance(rows: &[Value]) -> String {
    type Run<'a> = (&'a str, Vec<(&'a str, Vec<&'a str>)>);
    let mut runs: Vec<Run> = Vec::new();
    for r in rows {
        let when = r["measured"].as_str().unwrap_or("not recorded");
        let (m, d) = (
            r["model"].as_str().unwrap_or("?"),
            r["design"].as_str().unwrap_or("?"),
        );
        let run = match runs.iter().position(|(w, _)| *w == when) {
            Some(i) => &mut runs[i].1,
            None => {
                runs.push((when, Vec::new()));
                &mut runs.last_mut().unwrap().1
            }
        };
        match run.iter_mut().find(|(x, _)| *x == m) {
            Some((_, v)) => v.push(d),
            None => run.push((m, vec![d])),
        }
    }
    if runs.len() < 2 {
        return String::new();
    }
    let mut s = String::from(
        "Measured in more than one run of this harness (`bench_compare MODEL…` rebuilds those \
         models and keeps the other rows; `--locus-only` rebuilds locus's designs alone and \
         keeps the other tools'). Runs at different commits may have used different flows \
         (see each commit):\n\n",
    );
    for (when, per_model) in runs {
        let what: Vec<String> = per_model
            .iter()
            .map(|(m, d)| format!("{m} ({})", d.join(", ")))
            .collect();
        s.push_str(&format!("- {when}: {}\n", what.join("; ")));
    }
    s.push('\n');
    s
}

/// The figures of one build, with latency in ns and inferences per second.
fn figures(r: &Value, d: &Value, _mhz: f64) -> Value {
    if r.is_null() {
        return Value::Null;
    }
    if r.get("error").is_some() || r.get("skipped").is_some() {
        return r.clone();
    }
    let fmax = r["fmax_mhz"].as_f64();
    let lat = d["latency_cycles"].as_u64();
    let ii = d["ii"].as_u64().unwrap_or(1);
    // Area: packed logic cells (iCE40: LUT4 + carry + FF sites; ECP5: LUT4 slots,
    // carry cells taking two).
    let area = r["logic_cells"]
        .as_u64()
        .or(r["bels"]["TRELLIS_COMB"]["used"].as_u64());
    json!({
        "fits": r["fits"],
        "area": area,
        "logic_cells": r["logic_cells"],
        "luts": r["luts"],
        "carry": r["carry"],
        "ffs": r["ffs"],
        "brams": r["brams"],
        "dsps": r["dsps"],
        "fmax_mhz": fmax,
        "latency_cycles": lat,
        "latency_ns": match (fmax, lat) { (Some(f), Some(l)) => Some(l as f64 * 1e3 / f), _ => None },
        "ii": ii,
        "inferences_per_s": fmax.map(|f| f * 1e6 / ii as f64),
    })
}

/// The row of `design` for `model`.
fn find<'a>(rows: &'a [Value], model: &str, design: &str) -> Option<&'a Value> {
    rows.iter()
        .find(|r| r["model"] == model && r["design"] == design)
}

/// A device's figures of a design that was built and fits.
fn fitted<'a>(r: Option<&'a Value>, device: &str) -> Option<&'a Value> {
    r.map(|r| &r["devices"][device])
        .filter(|f| f["fits"] == true && f["fmax_mhz"].is_number())
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "—".into(),
    }
}

/// The targets, per model and device: locus against conifer (area ratio
/// ≤ 0.25, Fmax ratio ≥ 1.5, latency in ns, II), against alkaid's smallest and
/// fastest variants, and fixed against float accuracy.
fn targets(rows: &[Value]) -> String {
    let mut s = String::from(
        "### locus against the others\n\n`locus` = `--input-encoding fixed` (features enter \
         as fixed-point numbers, as in conifer and alkaid), default stage budget; \
         `locus-mid` = the same with `--stage-budget 3`; `locus-fast` = with `--stage-budget 1` \
         (a register after every LUT level). Area ratio = locus cells / theirs \
         (target ≤ 0.25× conifer, < 1× alkaid's smallest); Fmax ratio = locus / theirs \
         (target ≥ 1.5× conifer, > 1× alkaid's fastest). Accuracy: fixed-point, on the \
         held-out rows, locus / alkaid (the same for both alkaid variants). The target \
         columns say whether this one design meets all of a tool's targets at once \
         (conifer: area, Fmax and latency in ns; alkaid: area, Fmax and accuracy).\n\n\
         | model | device | locus | area vs conifer | Fmax vs conifer | latency ns locus / conifer | \
         area vs smallest alkaid | Fmax vs fastest alkaid | fixed − float | accuracy locus / alkaid | \
         conifer targets | alkaid targets |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let mut models: Vec<&str> = rows.iter().filter_map(|r| r["model"].as_str()).collect();
    models.dedup();
    for m in models {
        let alkaid_fixed = find(rows, m, "alkaid-comb").and_then(|r| r["about"]["fixed"].as_f64());
        for variant in ["locus", "locus-mid", "locus-fast"] {
            let l = find(rows, m, variant);
            let delta = l.and_then(|r| {
                let (a, b) = (r["about"]["fixed"].as_f64()?, r["about"]["float"].as_f64()?);
                Some(if r["about"]["metric"] == "rmse" {
                    format!("RMSE {:+.2}", a - b)
                } else {
                    format!("{:+.2} pts", 100.0 * (a - b))
                })
            });
            for &(device, _) in DEVICES {
                let lf = fitted(l, device);
                let area = |f: Option<&Value>| f.and_then(|f| f["area"].as_f64());
                let fmax = |f: Option<&Value>| f.and_then(|f| f["fmax_mhz"].as_f64());
                let lat = |f: Option<&Value>| f.and_then(|f| f["latency_ns"].as_f64());
                let cf = fitted(find(rows, m, "conifer"), device);
                let alk: Vec<&Value> = ["alkaid-comb", "alkaid-pipe"]
                    .iter()
                    .filter_map(|d| fitted(find(rows, m, d), device))
                    .collect();
                let min_area = alk
                    .iter()
                    .filter_map(|f| f["area"].as_f64())
                    .reduce(f64::min);
                let max_fmax = alk
                    .iter()
                    .filter_map(|f| f["fmax_mhz"].as_f64())
                    .reduce(f64::max);
                let metric = l.and_then(|r| r["about"]["metric"].as_str()).unwrap_or("");
                let fixed = l.and_then(|r| r["about"]["fixed"].as_f64());
                // Both targets of a tool at once, by the one design; "—" when a side
                // has no build on this device.
                let verdict = |ok: Option<bool>| match ok {
                    Some(true) => "**met**",
                    Some(false) => "not met",
                    None => "—",
                };
                let vs_conifer = (|| {
                    let (la, ca) = (area(lf)?, area(cf)?);
                    let (lm, cm) = (fmax(lf)?, fmax(cf)?);
                    let (ll, cl) = (lat(lf)?, lat(cf)?);
                    Some(la <= 0.25 * ca && lm >= 1.5 * cm && ll <= cl)
                })();
                let vs_alkaid = (|| {
                    let better = if metric == "rmse" {
                        fixed? <= alkaid_fixed?
                    } else {
                        fixed? >= alkaid_fixed?
                    };
                    Some(area(lf)? < min_area? && fmax(lf)? > max_fmax? && better)
                })();
                s.push_str(&format!(
                    "| {m} | {device} | {variant} | {} | {} | {} / {} | {} | {} | {} | {} / {} | {} | {} |\n",
                    ratio(area(lf), area(cf)),
                    ratio(fmax(lf), fmax(cf)),
                    lat(lf).map_or("—".into(), |x| format!("{x:.1}")),
                    lat(cf).map_or("—".into(), |x| format!("{x:.1}")),
                    ratio(area(lf), min_area),
                    ratio(fmax(lf), max_fmax),
                    delta.clone().unwrap_or("—".into()),
                    fmt_metric(metric, fixed),
                    fmt_metric(metric, alkaid_fixed),
                    verdict(vs_conifer),
                    verdict(vs_alkaid),
                ));
            }
        }
    }
    s.push('\n');
    s
}

/// Inferences per second: each locus core on each device (Fmax / II) beside the
/// model's own library on this CPU.
fn fpga_vs_cpu(rows: &[Value], cpu: &Value) -> String {
    let mut s = String::from(
        "### FPGA against the CPU\n\nInferences per second: locus (`--input-encoding fixed`) \
         at Fmax with II = 1, against the model's own library predicting batches on this \
         machine's CPU (`bench/results/cpu_models.json`).\n\n| model | CPU, one thread | CPU, all threads |",
    );
    for &(device, _) in DEVICES {
        s.push_str(&format!(" locus on {device} |"));
    }
    s.push_str("\n|---|---|---|");
    s.push_str(&"---|".repeat(DEVICES.len()));
    s.push('\n');
    let mut models: Vec<&str> = rows.iter().filter_map(|r| r["model"].as_str()).collect();
    models.dedup();
    let m_rate = |x: Option<f64>| x.map_or("—".into(), |v| format!("{:.1} M", v / 1e6));
    for m in models {
        let c = cpu["results"]
            .as_array()
            .and_then(|a| a.iter().find(|e| e["model"] == m));
        let c1 = c.and_then(|e| e["one_thread_rows_per_second"].as_f64());
        let ca = c.and_then(|e| e["all_threads_rows_per_second"].as_f64());
        s.push_str(&format!("| {m} | {} | {} |", m_rate(c1), m_rate(ca)));
        for &(device, _) in DEVICES {
            let f =
                fitted(find(rows, m, "locus"), device).and_then(|f| f["inferences_per_s"].as_f64());
            s.push_str(&format!(
                " {} ({}) |",
                m_rate(f),
                ratio(f, c1.into_iter().chain(ca).reduce(f64::max))
            ));
        }
        s.push('\n');
    }
    s.push_str("\n(In brackets: against the faster CPU column.)\n\n");
    s
}

fn fmt_metric(metric: &str, v: Option<f64>) -> String {
    match (metric, v) {
        ("rmse", Some(x)) => format!("{x:.2}"),
        (_, Some(x)) => format!("{:.2}%", 100.0 * x),
        _ => "—".into(),
    }
}

fn cell(x: &Value) -> String {
    match x.as_f64() {
        Some(v) if v.fract() == 0.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
        None => "—".into(),
    }
}

/// The Markdown table: one row per (model, design), a column group per device.
fn markdown(rows: &[Value]) -> String {
    let mut s = String::from(
        "Side by side, written by `make bench` (`bench_compare`): every core in the same \
         serial-load wrapper, the same yosys/nextpnr flow. Area is packed cells after place and \
         route: on iCE40 logic cells (LC: a LUT4, its carry and its flip-flop share one), on ECP5 \
         LUT4 slots (TRELLIS_COMB; a carry cell takes two). Latency in cycles and ns at Fmax; accuracy \
         (RMSE for diabetes) on the held-out quarter of the data.\n\n",
    );
    for &(device, mhz) in DEVICES {
        let area = if device.starts_with("ecp5") {
            "COMB"
        } else {
            "LC"
        };
        s.push_str(&format!(
            "#### {device} (target {mhz} MHz)\n\n| model | design | {area} | LUT4 | carry | FF | Fmax MHz | latency | II | float | fixed |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
        ));
        for r in rows {
            let d = &r["about"];
            let f = &r["devices"][device];
            let metric = d["metric"].as_str().unwrap_or("accuracy");
            let head = format!(
                "| {} | {} |",
                r["model"].as_str().unwrap(),
                r["design"].as_str().unwrap()
            );
            if let Some(why) = d.get("unsupported").or(d.get("error")) {
                s.push_str(&format!(
                    "{head} {} |||||||||\n",
                    why.as_str().unwrap_or("unsupported")
                ));
                continue;
            }
            let fits = f["fits"].as_bool().unwrap_or(false);
            let area_v = &f["area"];
            let (area_s, fmax, lat) = if fits {
                (
                    cell(area_v),
                    cell(&f["fmax_mhz"]),
                    format!(
                        "{} ({} ns)",
                        cell(&f["latency_cycles"]),
                        cell(&f["latency_ns"])
                    ),
                )
            } else if let Some(e) = f["error"].as_str() {
                let why = if e.contains("stopped after") {
                    format!("not routed in 3 × {} min", PNR_LIMIT.as_secs() / 60)
                } else if e.contains("Unable to find legal placement") {
                    "no legal placement (device nearly full)".into()
                } else {
                    "build failed".into()
                };
                (why, "—".into(), "—".into())
            } else {
                (
                    format!("does not fit ({})", cell(&f["area"])),
                    "—".into(),
                    cell(&d["latency_cycles"]),
                )
            };
            s.push_str(&format!(
                "{head} {area_s} | {} | {} | {} | {fmax} | {lat} | {} | {} | {} |\n",
                cell(&f["luts"]),
                cell(&f["carry"]),
                cell(&f["ffs"]),
                cell(&d["ii"]),
                fmt_metric(metric, d["float"].as_f64()),
                fmt_metric(metric, d["fixed"].as_f64()),
            ));
        }
        s.push('\n');
    }
    s
}

/// SVG plots per device: area and Fmax against the model's split count, one line
/// per design, over the benchmark models it fits.
fn plots(rows: &[Value], results: &Path) {
    for &(device, _) in DEVICES {
        for (key, label, file) in [
            (
                "area",
                if device.starts_with("ecp5") {
                    "LUT4 slots"
                } else {
                    "logic cells"
                },
                "area",
            ),
            ("fmax_mhz", "Fmax (MHz)", "fmax"),
        ] {
            let mut names: Vec<&str> = rows.iter().filter_map(|r| r["design"].as_str()).collect();
            names.sort();
            names.dedup();
            let series: Vec<Series> = names
                .iter()
                .map(|n| {
                    let mut points: Vec<(f64, f64)> = rows
                        .iter()
                        .filter(|r| r["design"] == *n && r["devices"][device]["fits"] == true)
                        .filter_map(|r| {
                            Some((r["splits"].as_f64()?, r["devices"][device][key].as_f64()?))
                        })
                        .collect();
                    points.sort_by(|a, b| a.partial_cmp(b).unwrap());
                    Series {
                        name: n.to_string(),
                        points,
                    }
                })
                .filter(|s| !s.points.is_empty())
                .collect();
            let svg = line_chart(
                &format!("{label} against model size, {device}"),
                "splits in the model (all trees)",
                label,
                &series,
            );
            std::fs::write(results.join(format!("compare_{file}_{device}.svg")), svg).unwrap();
        }
    }
}
