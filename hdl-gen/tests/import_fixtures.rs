//! Equality 1 of DESIGN.md: every imported fixture predicts what its training library predicted.
//!
//! Each fixture folder holds `model.json` or `model.txt`, `data.csv` (feature columns named
//! as in the model, then `label`; an empty cell is a missing value) and `expected.csv`
//! (`margin_k`, `output_k` per output group and, for classifiers, `class`) written by the
//! library itself. Every row must match.

use hdl_gen::import;
use hdl_gen::model::Model;
use std::path::{Path, PathBuf};

/// Fixtures that must exist (folders relative to the workspace root). Any other folder
/// under [`ROOTS`] with a model and `expected.csv` is checked too.
const FIXTURES: &[&str] = &[
    "examples/iris-xgb",
    "examples/breast-cancer-lgbm",
    "examples/diabetes-xgb",
    "examples/digits-xgb",
    "hdl-gen/tests/fixtures/xgb-binary-logistic",
    "hdl-gen/tests/fixtures/xgb-reg-logistic",
    "hdl-gen/tests/fixtures/xgb-multi-softmax",
    "hdl-gen/tests/fixtures/xgb-missing",
    "hdl-gen/tests/fixtures/lgbm-multiclass",
    "hdl-gen/tests/fixtures/lgbm-regression",
    "hdl-gen/tests/fixtures/lgbm-missing",
    "hdl-gen/tests/fixtures/lgbm-rf",
    "hdl-gen/tests/fixtures/xgb17-binary",
    "hdl-gen/tests/fixtures/xgb21-multi",
];

/// Where fixture folders live, relative to the workspace root.
const ROOTS: &[&str] = &["examples", "hdl-gen/tests/fixtures"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("hdl-gen sits inside the workspace")
        .to_path_buf()
}

/// Equal within 1e-5 relative; the absolute 1e-6 term accepts values near 0, where a
/// relative bound alone would demand more digits than the library's float32 sums carry.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-5 * a.abs().max(b.abs()) + 1e-6
}

fn model_file(dir: &Path) -> PathBuf {
    let json = dir.join("model.json");
    if json.exists() {
        json
    } else {
        dir.join("model.txt")
    }
}

/// Rows of `data.csv` arranged in the model's feature order (NaN for an empty cell).
fn read_rows(path: &Path, model: &Model) -> Vec<Vec<f64>> {
    let mut rd = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = rd
        .headers()
        .expect("data.csv header")
        .iter()
        .map(str::to_string)
        .collect();
    let columns: Vec<usize> = match &model.feature_names {
        Some(names) => names
            .iter()
            .map(|n| {
                header
                    .iter()
                    .position(|h| h == n)
                    .unwrap_or_else(|| panic!("{}: no column '{n}'", path.display()))
            })
            .collect(),
        None => (0..model.n_features).collect(),
    };
    rd.records()
        .map(|r| {
            let r = r.expect("data.csv record");
            columns
                .iter()
                .map(|&c| {
                    let s = r.get(c).expect("cell").trim();
                    if s.is_empty() {
                        f64::NAN
                    } else {
                        s.parse().expect("number in data.csv")
                    }
                })
                .collect()
        })
        .collect()
}

struct Expected {
    margins: Vec<f64>,
    outputs: Vec<f64>,
    class: Option<usize>,
}

fn read_expected(path: &Path, groups: usize) -> Vec<Expected> {
    let mut rd = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = rd.headers().unwrap().iter().map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let margin_cols: Vec<usize> = (0..groups)
        .map(|g| {
            col(&format!("margin_{g}"))
                .unwrap_or_else(|| panic!("{}: no margin_{g}", path.display()))
        })
        .collect();
    let output_cols: Vec<usize> = (0..groups)
        .map(|g| {
            col(&format!("output_{g}"))
                .unwrap_or_else(|| panic!("{}: no output_{g}", path.display()))
        })
        .collect();
    assert!(
        col(&format!("margin_{groups}")).is_none(),
        "{}: more output groups than the model's {groups}",
        path.display()
    );
    let class_col = col("class");
    rd.records()
        .map(|r| {
            let r = r.unwrap();
            let num = |c: usize| r.get(c).unwrap().parse::<f64>().unwrap();
            Expected {
                margins: margin_cols.iter().map(|&c| num(c)).collect(),
                outputs: output_cols.iter().map(|&c| num(c)).collect(),
                class: class_col.map(|c| r.get(c).unwrap().parse::<usize>().unwrap()),
            }
        })
        .collect()
}

#[test]
fn every_fixture_predicts_like_its_library() {
    let root = workspace();
    let mut found: Vec<String> = Vec::new();
    for r in ROOTS {
        let Ok(entries) = std::fs::read_dir(root.join(r)) else {
            continue;
        };
        for e in entries.flatten() {
            let dir = e.path();
            if model_file(&dir).exists() && dir.join("expected.csv").exists() {
                found.push(format!("{r}/{}", e.file_name().to_string_lossy()));
            }
        }
    }
    found.sort();
    let missing: Vec<&str> = FIXTURES
        .iter()
        .copied()
        .filter(|f| !found.iter().any(|x| x == f))
        .collect();
    assert!(missing.is_empty(), "fixtures missing: {missing:?}");

    let mut failures = Vec::new();
    for fixture in &found {
        let dir = root.join(fixture);
        let model = match import::load(&model_file(&dir)) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{fixture}: import failed: {e}"));
                continue;
            }
        };
        let rows = read_rows(&dir.join("data.csv"), &model);
        let expected = read_expected(&dir.join("expected.csv"), model.n_groups());
        assert_eq!(rows.len(), expected.len(), "{fixture}: row counts differ");
        assert!(!rows.is_empty(), "{fixture}: no rows");
        let mut bad = 0;
        let mut worst = 0.0f64;
        for (i, (row, want)) in rows.iter().zip(&expected).enumerate() {
            let mut got = model.predict_row(row);
            // LightGBM's `predict(raw_score=True)` leaves out the `average_output` division
            // (GBDT::PredictRaw sums; only GBDT::Predict divides by the iteration count
            // before the transform), while our margin is what the transform sees. Compare
            // the library's raw score in its own terms.
            if model.leaf_scale != 1.0 {
                for (m, b) in got.margins.iter_mut().zip(&model.base_score) {
                    *m = b + (*m - b) / model.leaf_scale;
                }
            }
            for (a, b) in got.margins.iter().zip(&want.margins) {
                worst = worst.max((a - b).abs() / a.abs().max(b.abs()).max(1e-300));
            }
            let ok = got
                .margins
                .iter()
                .zip(&want.margins)
                .all(|(a, b)| close(*a, *b))
                && got
                    .outputs
                    .iter()
                    .zip(&want.outputs)
                    .all(|(a, b)| close(*a, *b))
                && want.class.is_none_or(|c| c == got.class);
            if !ok {
                if bad < 3 {
                    failures.push(format!(
                        "{fixture} ({}): row {i}: got margins {:?} outputs {:?} class {}; \
                         expected margins {:?} outputs {:?} class {:?}",
                        model.source,
                        got.margins,
                        got.outputs,
                        got.class,
                        want.margins,
                        want.outputs,
                        want.class
                    ));
                }
                bad += 1;
            }
        }
        eprintln!(
            "{fixture} ({}): {} rows, worst relative margin difference {worst:.2e}",
            model.source,
            rows.len()
        );
        if bad > 0 {
            failures.push(format!("{fixture}: {bad} of {} rows differ", rows.len()));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
