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
    assert_eq!(report["initiation_interval"], 40 * 64 + 3);
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

/// A small deterministic generator (the tests need no seed file).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }
}

/// Random SVMs and RBF networks in the native format, compiled serially and
/// cosimulated: shapes where a unit has more kernel tables than features (slots longer
/// than F), one feature, per-unit widths (per-unit table shifts), both metrics,
/// regression, one-vs-one voting and prototypes, on 1 to 4 lanes (a last slot only
/// partly filled); the regressors under a tight `--max-loss`, which takes
/// interpolated tables.
#[test]
fn random_kernel_models_serially() {
    // (kind, task, features, classes, units, manhattan, lanes)
    let shapes = [
        ("svc", "classification", 2, 4, 5, false, 1),
        ("network", "classification", 1, 5, 3, false, 2),
        ("network", "regression", 3, 1, 6, true, 4),
        ("svr", "regression", 1, 1, 4, false, 3),
        ("svc", "classification", 3, 2, 7, false, 3),
        ("network", "classification", 4, 3, 8, true, 1),
        ("prototype", "classification", 3, 3, 7, true, 3),
        ("prototype", "classification", 2, 4, 9, false, 4),
        ("prototype", "classification", 1, 3, 11, false, 5),
    ];
    let mut g = Lcg(0x5eed);
    let mut interpolated = 0;
    for (i, &(kind, task, nf, nc, nu, l1, lanes)) in shapes.iter().enumerate() {
        let outs = match (kind, task) {
            ("prototype", _) => 0,
            ("svc", _) => nc * (nc - 1) / 2,
            (_, "regression") => 1,
            _ => nc,
        };
        let units: Vec<serde_json::Value> = (0..nu)
            .map(|_| {
                let centre: Vec<f64> = (0..nf).map(|_| g.range(-3.0, 3.0)).collect();
                let weights: Vec<f64> = (0..outs).map(|_| g.range(-2.0, 2.0)).collect();
                let class = if task == "regression" {
                    0
                } else {
                    (g.next() * nc as f64) as usize % nc
                };
                serde_json::json!({
                    "centre": centre,
                    "gamma": g.range(0.05, 1.5),
                    "class": class,
                    "weights": weights,
                })
            })
            .collect();
        let bias: Vec<f64> = (0..outs).map(|_| g.range(-0.5, 0.5)).collect();
        let model = serde_json::json!({
            "format": "locus-rbf",
            "version": 1,
            "source": format!("random model {i}"),
            "kind": kind,
            "task": task,
            "n_features": nf,
            "n_classes": nc,
            "metric": if l1 { "manhattan" } else { "squared_euclidean" },
            "units": units,
            "bias": bias,
        });
        let dir = scratch(&format!("random-kernel-{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let mp = dir.join("model.json");
        std::fs::write(&mp, serde_json::to_string_pretty(&model).unwrap()).unwrap();
        let mut csv = (0..nf).map(|f| format!("x{f},")).collect::<String>() + "label\n";
        for _ in 0..200 {
            for _ in 0..nf {
                csv += &format!("{},", g.range(-4.0, 4.0));
            }
            csv += &if task == "regression" {
                format!("{}\n", g.range(-2.0, 2.0))
            } else {
                format!("{}\n", (g.next() * nc as f64) as usize % nc)
            };
        }
        let data = dir.join("data.csv");
        std::fs::write(&data, csv).unwrap();
        let out = dir.join("out");
        let max_loss = if task == "regression" { "0.05" } else { "0.5" };
        let o = locus(&[
            "compile",
            s(&mp),
            "--data",
            s(&data),
            "-o",
            s(&out),
            "--arch",
            "serial",
            "--max-loss",
            max_loss,
            "--lanes",
            &lanes.to_string(),
        ]);
        ok(&o);
        sim::lint(&[out.join("rtl/locus_core.v")], "locus_core")
            .unwrap_or_else(|e| panic!("model {i}: lint: {e}"));
        let report = json(&out.join("report.json"));
        if report["kernel_tables"] == "interpolated" {
            interpolated += 1;
        }
        ok(&locus(&["sim", s(&out)]));
        let sim = json(&out.join("sim.json"));
        assert_eq!(sim["mismatches"], 0, "model {i}: {sim}");
        assert_eq!(sim["vectors"], 200, "model {i}: {sim}");
        assert_eq!(report["architecture"], "serial", "model {i}");
    }
    assert!(interpolated > 0, "no model took interpolated tables");
}
