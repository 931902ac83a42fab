//! `locus train` end to end (digits: train, compile, cosimulate with zero mismatches, float accuracy) and the native RBF format: every native RBF JSON in the repo and in docs/rbf-format.md imports, and the schema's required keys match the importer's.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("rbf_train")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn locus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_locus"))
        .args(args)
        .output()
        .expect("run locus")
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "locus failed ({:?}):\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Trains on digits (as `locus train` does), compiles in both architectures and
/// cosimulates through the CLI; returns (float, fixed) accuracy.
fn train_compile_sim(name: &str, kind: &str, k: usize, metric: &str) -> (f64, f64) {
    let data = root().join("examples/digits-xgb/data.csv");
    let dir = scratch(name);
    let model = dir.join("model.json");
    let out = dir.join("out");
    let opts = locus::train::options(kind, Some(k), 0, metric, false);
    locus::train::run(&data, &model, &opts).unwrap();
    // Deterministic: training again gives the same bytes.
    let again = dir.join("again.json");
    locus::train::run(&data, &again, &opts).unwrap();
    assert_eq!(
        std::fs::read(&model).unwrap(),
        std::fs::read(&again).unwrap(),
        "{name}: training is not deterministic"
    );
    for arch in ["serial", "parallel"] {
        let d = out.to_str().unwrap();
        ok(&locus(&[
            "compile",
            model.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
            "-o",
            d,
            "--arch",
            arch,
        ]));
        ok(&locus(&["sim", d]));
        assert_eq!(
            json(&out.join("sim.json"))["mismatches"],
            0,
            "{name} {arch}"
        );
        assert_eq!(json(&out.join("report.json"))["architecture"], arch);
    }
    let r = json(&out.join("report.json"));
    let m = &r["metrics"];
    let f = m["float"]["accuracy"].as_f64().unwrap();
    let x = m["fixed"]["accuracy"].as_f64().unwrap();
    assert!(x >= f - 0.02, "{name}: fixed accuracy {x} vs float {f}");
    (f, x)
}

/// 2 centres per class (20 units): training accuracy 0.9538 float.
#[test]
fn digits_rbf_network_trains_compiles_and_cosimulates() {
    let (f, _) = train_compile_sim("rbf", "rbf", 2, "euclidean");
    assert!(f >= 0.93, "float accuracy {f}");
}

/// 2 prototypes per class (20 units): training accuracy 0.9516 float.
#[test]
fn digits_prototypes_train_compile_and_cosimulate() {
    let (f, _) = train_compile_sim("proto", "prototype", 2, "euclidean");
    assert!(f >= 0.93, "float accuracy {f}");
}

#[test]
fn digits_manhattan_prototypes_cosimulate() {
    let (f, _) = train_compile_sim("proto-l1", "prototype", 2, "manhattan");
    assert!(f >= 0.90, "float accuracy {f}");
}

#[test]
fn train_refuses_bad_input_as_user_errors() {
    let dir = scratch("bad");
    let nolabel = dir.join("nolabel.csv");
    std::fs::write(&nolabel, "a,b\n1,2\n3,4\n").unwrap();
    let small = dir.join("small.csv");
    std::fs::write(&small, "a,label\n1,0\n2,0\n5,1\n6,1\n").unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "a,label\n1,0\nx,1\n").unwrap();
    let o = dir.join("m.json");
    for (csv, k, want) in [
        (&nolabel, 1, "no 'label' column"),
        (&small, 3, "only 2 rows"),
        (&bad, 1, "line 3"),
    ] {
        let opts = locus::train::options("prototype", Some(k), 0, "euclidean", false);
        let e = locus::train::run(csv, &o, &opts).unwrap_err();
        let h = e
            .downcast_ref::<hdl_gen::Error>()
            .unwrap_or_else(|| panic!("{e:#}"));
        assert!(h.is_user_error(), "{e:#}");
        assert!(format!("{e:#}").contains(want), "{e:#}");
    }
}

/// JSON blocks of docs/rbf-format.md.
fn doc_examples() -> Vec<Value> {
    let text = std::fs::read_to_string(root().join("docs/rbf-format.md")).unwrap();
    let mut v = Vec::new();
    let mut block: Option<String> = None;
    for line in text.lines() {
        match (&mut block, line.trim()) {
            (None, "```json") => block = Some(String::new()),
            (Some(b), "```") => {
                v.push(serde_json::from_str(b).unwrap());
                block = None;
            }
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            _ => {}
        }
    }
    v
}

/// Every `*.json` under `dir` that claims the native RBF format.
fn native_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            native_files(&p, found);
        } else if p.extension().is_some_and(|x| x == "json") {
            if let Ok(v) = serde_json::from_str::<Value>(&std::fs::read_to_string(&p).unwrap()) {
                if hdl_gen::import::native_rbf::detect(&v) {
                    found.push(p);
                }
            }
        }
    }
}

#[test]
fn every_native_rbf_json_imports() {
    let mut files = Vec::new();
    native_files(&root().join("examples"), &mut files);
    native_files(&root().join("hdl-gen/tests/fixtures"), &mut files);
    assert!(files.len() >= 2, "{files:?}");
    for f in &files {
        let m = hdl_gen::import::load_any(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(
            matches!(m, hdl_gen::model::AnyModel::Rbf(_)),
            "{}",
            f.display()
        );
    }
    let docs = doc_examples();
    assert_eq!(docs.len(), 2);
    for v in docs {
        hdl_gen::import::native_rbf::parse("doc", v).unwrap();
    }
}

/// A top-level key is required by the schema exactly when removing it makes the importer refuse the file.
#[test]
fn schema_required_keys_match_the_importer() {
    let schema = json(&root().join("docs/rbf-format.schema.json"));
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let props = schema["properties"].as_object().unwrap();
    for doc in doc_examples() {
        let prototype = doc["kind"] == "prototype";
        for key in props.keys() {
            let mut v = doc.clone();
            if v.as_object_mut().unwrap().remove(key).is_none() {
                continue;
            }
            let refused = hdl_gen::import::native_rbf::parse("doc", v).is_err();
            // `bias` is required for every kind but prototype (the schema's `allOf`).
            let want = required.contains(&key.as_str()) || (key == "bias" && !prototype);
            assert_eq!(refused, want, "key {key} (kind {})", doc["kind"]);
        }
    }
}
