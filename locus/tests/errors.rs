//! Snapshot tests of what a person sees for every user-error class: the `locus` binary's stderr and exit code.
//!
//! Every case runs in its own scratch directory as the working directory, with relative
//! paths, so the snapshots do not depend on where the repository or the target dir live.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// An empty scratch directory for one case, holding `files` copied from the repository.
fn case(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("errors")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for (from, to) in files {
        std::fs::copy(root().join(from), d.join(to)).unwrap();
    }
    d
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn read(path: impl AsRef<Path>) -> Vec<u8> {
    std::fs::read(root().join(path)).unwrap()
}

/// Runs `locus args` in `dir`; returns "exit N" and the stderr, paths made neutral.
fn locus_in(dir: &Path, args: &[&str], env_path: Option<&str>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_locus"));
    cmd.args(args).current_dir(dir);
    if let Some(p) = env_path {
        cmd.env("PATH", p);
    }
    let out = cmd.output().expect("run locus");
    let stderr = String::from_utf8_lossy(&out.stderr)
        .replace(dir.to_str().unwrap(), "[CASE]")
        .replace(root().canonicalize().unwrap().to_str().unwrap(), "[ROOT]");
    format!("exit {:?}\n{}", out.status.code(), stderr)
}

fn locus(dir: &Path, args: &[&str]) -> String {
    locus_in(dir, args, None)
}

/// Compiles the iris model into `dir/out`.
fn compiled(name: &str) -> PathBuf {
    let d = case(
        name,
        &[
            ("examples/iris-xgb/model.json", "model.json"),
            ("examples/iris-xgb/data.csv", "data.csv"),
        ],
    );
    let r = locus(
        &d,
        &["compile", "model.json", "--data", "data.csv", "-o", "out"],
    );
    assert!(r.starts_with("exit Some(0)"), "{r}");
    d
}

/// `locus compile MODEL --data data.csv` in a case holding the iris data and `model`.
fn compile_model(name: &str, file: &str, bytes: &[u8]) -> String {
    let d = case(name, &[("examples/iris-xgb/data.csv", "data.csv")]);
    write(&d, file, bytes);
    locus(&d, &["compile", file, "--data", "data.csv", "-o", "out"])
}

/// `locus compile model.json --data DATA` for the iris model with the data rewritten by `edit`.
fn compile_data(name: &str, edit: impl Fn(&str) -> String) -> String {
    let d = case(name, &[("examples/iris-xgb/model.json", "model.json")]);
    let text = String::from_utf8(read("examples/iris-xgb/data.csv")).unwrap();
    write(&d, "data.csv", edit(&text));
    locus(
        &d,
        &["compile", "model.json", "--data", "data.csv", "-o", "out"],
    )
}

fn iris_xgb() -> Value {
    serde_json::from_slice(&read("examples/iris-xgb/model.json")).unwrap()
}

/// Replaces line `n` (1-based) of `text` by `f(line)`.
fn edit_line(text: &str, n: usize, f: impl Fn(&str) -> String) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == n { f(l) } else { l.to_string() } + "\n")
        .collect()
}

// Malformed model files.

#[test]
fn model_file_missing() {
    let d = case(
        "model_file_missing",
        &[("examples/iris-xgb/data.csv", "data.csv")],
    );
    insta::assert_snapshot!(locus(
        &d,
        &["compile", "nope.json", "--data", "data.csv", "-o", "out"]
    ));
}

#[test]
fn truncated_json() {
    let b = read("examples/iris-xgb/model.json");
    insta::assert_snapshot!(compile_model("truncated_json", "model.json", &b[..500]));
}

#[test]
fn deeply_nested_json() {
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let text = format!("{{\"learner\": {deep}}}");
    insta::assert_snapshot!(compile_model(
        "deeply_nested_json",
        "model.json",
        text.as_bytes()
    ));
}

#[test]
fn random_bytes() {
    // A fixed pseudo-random sequence (xorshift), so the snapshot is stable.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let bytes: Vec<u8> = (0..300)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    insta::assert_snapshot!(compile_model("random_bytes", "model.bin", &bytes));
}

#[test]
fn truncated_lightgbm_text() {
    let b = read("examples/breast-cancer-lgbm/model.txt");
    insta::assert_snapshot!(compile_model(
        "truncated_lightgbm_text",
        "model.txt",
        &b[..2000]
    ));
}

#[test]
fn truncated_onnx() {
    let b = read("examples/iris-sklearn-rf/model.onnx");
    insta::assert_snapshot!(compile_model("truncated_onnx", "model.onnx", &b[..500]));
    insta::assert_snapshot!(compile_model(
        "truncated_onnx_early",
        "model.onnx",
        &b[..100]
    ));
}

// Unsupported features.

#[test]
fn categorical_split() {
    let mut v = iris_xgb();
    v["learner"]["gradient_booster"]["model"]["trees"][2]["split_type"][0] = json!(1);
    let text = serde_json::to_vec(&v).unwrap();
    insta::assert_snapshot!(compile_model("categorical_split", "model.json", &text));
}

#[test]
fn unknown_objective() {
    let mut v = iris_xgb();
    v["learner"]["objective"]["name"] = json!("rank:pairwise");
    let text = serde_json::to_vec(&v).unwrap();
    insta::assert_snapshot!(compile_model("unknown_objective", "model.json", &text));
}

#[test]
fn linear_kernel_svm() {
    let mut b = read("examples/iris-svc/model.onnx");
    let at = b.windows(3).position(|w| w == b"RBF").unwrap();
    b[at..at + 3].copy_from_slice(b"LIN");
    insta::assert_snapshot!(compile_model("linear_kernel_svm", "model.onnx", &b));
}

// CSV data.

#[test]
fn csv_missing_column() {
    insta::assert_snapshot!(compile_data("csv_missing_column", |t| t
        .replace("petal_width_cm,", "")
        .lines()
        .map(|l| l.to_string() + "\n")
        .collect()));
}

#[test]
fn csv_column_mismatch() {
    // Columns that name none of the model's features are taken in order, but only
    // when there are as many as the model has features: here one is missing.
    insta::assert_snapshot!(compile_data("csv_column_mismatch", |t| t
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let cells: Vec<&str> = l.split(',').collect();
            let kept = if i == 0 {
                "a,b,c".to_string()
            } else {
                cells[..3].join(",")
            };
            format!("{kept},{}\n", cells[4])
        })
        .collect()));
}

#[test]
fn csv_non_numeric_cell() {
    insta::assert_snapshot!(compile_data("csv_non_numeric_cell", |t| edit_line(
        t,
        3,
        |l| { l.replacen("4.9", "4,9cm", 1).replacen(",9cm", ".9cm", 1) }
    )));
}

#[test]
fn csv_ragged_row() {
    insta::assert_snapshot!(compile_data("csv_ragged_row", |t| edit_line(t, 4, |l| {
        l.rsplit_once(',').unwrap().0.to_string()
    })));
}

#[test]
fn csv_label_not_a_number() {
    insta::assert_snapshot!(compile_data("csv_label_not_a_number", |t| edit_line(
        t,
        5,
        |l| { l.rsplit_once(',').unwrap().0.to_string() + ",daisy" }
    )));
}

#[test]
fn csv_label_not_a_class_name() {
    let d = case(
        "csv_label_not_a_class_name",
        &[("examples/iris-sklearn-rf/model.onnx", "model.onnx")],
    );
    let text = String::from_utf8(read("examples/iris-sklearn-rf/data.csv")).unwrap();
    write(
        &d,
        "data.csv",
        edit_line(&text, 5, |l| {
            l.rsplit_once(',').unwrap().0.to_string() + ",daisy"
        }),
    );
    insta::assert_snapshot!(locus(
        &d,
        &["compile", "model.onnx", "--data", "data.csv", "-o", "out"]
    ));
}

#[test]
fn csv_empty() {
    insta::assert_snapshot!(compile_data("csv_empty", |_| String::new()));
}

// Options.

#[test]
fn bad_max_loss() {
    let d = compiled("bad_max_loss");
    insta::assert_snapshot!(locus(
        &d,
        &[
            "compile",
            "model.json",
            "--data",
            "data.csv",
            "-o",
            "o2",
            "--max-loss",
            "NaN"
        ]
    ));
}

#[test]
fn wrong_number_of_class_names() {
    let d = compiled("wrong_number_of_class_names");
    insta::assert_snapshot!(locus(
        &d,
        &[
            "compile",
            "model.json",
            "--data",
            "data.csv",
            "-o",
            "o2",
            "--classes",
            "a,b"
        ]
    ));
}

// Compiled directories.

#[test]
fn dir_is_not_a_compile_output() {
    let d = case("dir_is_not_a_compile_output", &[]);
    std::fs::create_dir(d.join("empty")).unwrap();
    insta::assert_snapshot!(locus(&d, &["sim", "empty"]));
    insta::assert_snapshot!(
        "dir_does_not_exist",
        locus(&d, &["predict", "nowhere", "--data", "x.csv"])
    );
}

#[test]
fn rtl_edited_after_compile() {
    let d = compiled("rtl_edited_after_compile");
    let v = d.join("out/rtl/locus_core.v");
    let mut text = std::fs::read_to_string(&v).unwrap();
    text.push_str("// edited\n");
    std::fs::write(&v, text).unwrap();
    insta::assert_snapshot!(locus(&d, &["sim", "out"]));
}

/// Hand-edited `quant.json` and `model.json` are refused by name and place (they once
/// made `predict` and `sim` panic with an index out of bounds).
#[test]
fn compiled_files_edited() {
    let d = compiled("compiled_files_edited");
    let q = d.join("out/quant.json");
    let text = std::fs::read_to_string(&q).unwrap();
    let edited = text.replacen("\"feature\": 2,", "\"feature\": 64,", 1);
    assert_ne!(text, edited);
    std::fs::write(&q, &edited).unwrap();
    insta::assert_snapshot!(locus(&d, &["predict", "out", "--data", "data.csv"]));
    let edited = text.replacen("\"k\": 1,", "\"k\": 1000,", 1);
    assert_ne!(text, edited);
    std::fs::write(&q, &edited).unwrap();
    insta::assert_snapshot!("quant_code_out_of_range", locus(&d, &["sim", "out"]));
    std::fs::write(&q, &text).unwrap();
    let m = d.join("out/model.json");
    let text = std::fs::read_to_string(&m).unwrap();
    let edited = text.replacen("\"feature\": 2,", "\"feature\": 9,", 1);
    assert_ne!(text, edited);
    std::fs::write(&m, edited).unwrap();
    insta::assert_snapshot!(
        "model_feature_out_of_range",
        locus(&d, &["predict", "out", "--float", "--data", "data.csv"])
    );
}

/// The serial architecture has no evidence outputs, and trees are always parallel.
#[test]
fn serial_architecture_refusals() {
    let d = case(
        "serial_architecture_refusals",
        &[
            ("examples/iris-svc/model.onnx", "svc.onnx"),
            ("examples/iris-xgb/model.json", "trees.json"),
            ("examples/iris-xgb/data.csv", "data.csv"),
        ],
    );
    let args = |m: &'static str| {
        [
            "compile", m, "--data", "data.csv", "-o", "out", "--arch", "serial",
        ]
    };
    let mut explain = args("svc.onnx").to_vec();
    explain.push("--explain");
    insta::assert_snapshot!("serial_with_explain", locus(&d, &explain));
    insta::assert_snapshot!("serial_trees", locus(&d, &args("trees.json")));
}

#[test]
fn vcd_in_a_missing_directory() {
    let d = compiled("vcd_in_a_missing_directory");
    insta::assert_snapshot!(locus(&d, &["sim", "out", "--vcd", "nowhere/x.vcd"]));
}

#[test]
fn missing_tool_names_the_install_command() {
    let d = compiled("missing_tool_names_the_install_command");
    insta::assert_snapshot!(locus_in(&d, &["sim", "out"], Some("/nonexistent")));
}

// Boards and synthesis.

#[test]
fn unknown_board() {
    let d = compiled("unknown_board");
    insta::assert_snapshot!(locus(&d, &["synth", "out", "--board", "nosuch"]));
}

#[test]
fn unknown_device() {
    let d = compiled("unknown_device");
    insta::assert_snapshot!(locus(&d, &["synth", "out", "--device", "xc7a35t"]));
}

#[test]
fn impossible_freq() {
    let d = compiled("impossible_freq");
    insta::assert_snapshot!(locus(
        &d,
        &["synth", "out", "--board", "icebreaker", "--freq", "10000"]
    ));
}

/// Compiles the digits model into `dir/out` with extra compile options.
fn compiled_digits(name: &str, extra: &[&str]) -> PathBuf {
    let d = case(
        name,
        &[
            ("examples/digits-xgb/model.json", "model.json"),
            ("examples/digits-xgb/data.csv", "data.csv"),
        ],
    );
    let mut args = vec!["compile", "model.json", "--data", "data.csv", "-o", "out"];
    args.extend_from_slice(extra);
    let r = locus(&d, &args);
    assert!(r.starts_with("exit Some(0)"), "{r}");
    d
}

#[test]
fn design_does_not_fit() {
    let d = compiled_digits("design_does_not_fit", &[]);
    insta::assert_snapshot!(locus(&d, &["synth", "out", "--device", "hx1k"]));
}

#[test]
fn registers_exceed_the_device() {
    // One LUT level per stage: thousands of pipeline registers, more than the HX1K's 1,280.
    let d = compiled_digits("registers_exceed_the_device", &["--stage-budget", "1"]);
    insta::assert_snapshot!(locus(&d, &["synth", "out", "--device", "hx1k"]));
    assert!(!d.join("out/build").exists(), "nothing was synthesised");
}
