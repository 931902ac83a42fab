//! The serial architecture end to end: a nearest-prototype model trained by `locus train` on a CSV compiles with `--arch serial`, lints clean, cosimulates with zero mismatches against the parallel IR's eval(), answers over the simulated board's UART, and fits an iCEBreaker (UP5K).

mod common;
use common::*;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Trains a prototype model on `data`, compiles it serially; returns the directory.
fn trained_serial(name: &str, data: &Path, extra_train: &[&str]) -> PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("model.json");
    let mut train = vec!["train", "prototype", "--data", s(data), "-o", s(&model)];
    train.extend_from_slice(extra_train);
    ok(&locus(&train));
    let out = dir.join("out");
    let o = locus(&[
        "compile",
        s(&model),
        "--data",
        s(data),
        "-o",
        s(&out),
        "--arch",
        "serial",
    ]);
    ok(&o);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("serial architecture"),
        "{}",
        show(&o)
    );
    sim::lint(&[out.join("rtl/locus_core.v")], "locus_core")
        .unwrap_or_else(|e| panic!("{name}: lint: {e}"));
    ok(&locus(&["sim", s(&out)]));
    let sim = json(&out.join("sim.json"));
    assert_eq!(sim["mismatches"], 0, "{name}: {sim}");
    out
}

/// The check: trained by `locus train` on a CSV, serial, fits an iCEBreaker.
#[test]
fn digits_prototypes_fit_an_icebreaker_serially() {
    let data = root().join("examples/digits-xgb/data.csv");
    let out = trained_serial("digits", &data, &["--centres", "4"]);
    let report = json(&out.join("report.json"));
    assert_eq!(report["architecture"], "serial");
    assert_eq!(report["initiation_interval"], 40 * 64 + 2);
    assert_eq!(report["interface"]["in_ready"], true);
    // Through the board top's UART bridge, bit by bit.
    let few = out.join("few.csv");
    let text = std::fs::read_to_string(&data).unwrap();
    std::fs::write(
        &few,
        text.lines().take(4).collect::<Vec<_>>().join("\n") + "\n",
    )
    .unwrap();
    let run = locus(&["run", s(&out), "--sim", "--data", s(&few)]);
    ok(&run);
    assert!(String::from_utf8_lossy(&run.stdout).contains(": 0 mismatches"));
    ok(&locus(&["synth", s(&out), "--board", "icebreaker"]));
    let synth = json(&out.join("synth.json"));
    assert_eq!(synth["fits"], true, "{synth}");
    assert!(
        synth["dsps"].as_u64().unwrap() >= 1,
        "the square maps to a DSP: {synth}"
    );
    assert!(
        synth["brams"].as_u64().unwrap() >= 1,
        "prototypes in block RAM: {synth}"
    );
}

/// Small and odd shapes, both metrics: one prototype per class, Manhattan distance.
#[test]
fn iris_prototypes_serially_both_metrics() {
    let data = root().join("examples/iris-xgb/data.csv");
    trained_serial("iris_l2", &data, &["--centres", "1"]);
    trained_serial(
        "iris_l1",
        &data,
        &["--centres", "2", "--metric", "manhattan"],
    );
}
