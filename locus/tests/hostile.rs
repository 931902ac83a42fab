//! Corrupted compile outputs: random byte flips, truncations and out-of-range numbers in a compiled directory's files never make `predict` or `sim` panic; each ends in a result or a user error.

mod common;
use common::*;
use hdl_gen::testing::Rng;

/// One corruption of `bytes`, chosen by `rng`.
fn corrupt(bytes: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut b = bytes.to_vec();
    match rng.below(4) {
        0 => b.truncate(rng.below(b.len() as u64) as usize),
        1 => {
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(b.len() as u64) as usize;
                b[i] = rng.below(256) as u8;
            }
        }
        _ => {
            // Replace a run of digits with a number from the edges of every integer type.
            const EDGES: [&str; 9] = [
                "0",
                "-1",
                "63",
                "64",
                "4294967296",
                "9223372036854775807",
                "-9223372036854775808",
                "1e308",
                "99999999999999999999999",
            ];
            let digits: Vec<usize> = (0..b.len()).filter(|&i| b[i].is_ascii_digit()).collect();
            if let Some(&i) = digits.get(rng.below(digits.len().max(1) as u64) as usize) {
                let end = (i..b.len())
                    .find(|&j| !b[j].is_ascii_digit())
                    .unwrap_or(b.len());
                let with = EDGES[rng.below(EDGES.len() as u64) as usize].as_bytes();
                b.splice(i..end, with.iter().copied());
            }
        }
    }
    b
}

#[test]
fn corrupted_directories_never_panic() {
    corrupt_and_run("iris-xgb", "examples/iris-xgb/model.json", &[], 7);
}

/// The same for an RBF SVM built serially on two lanes (kernel tables, entry
/// descriptors, lanes in `quant.json`).
#[test]
fn corrupted_serial_rbf_directories_never_panic() {
    corrupt_and_run(
        "iris-svc",
        "examples/iris-svc/model.onnx",
        &["--arch", "serial", "--lanes", "2"],
        11,
    );
}

/// Compiles `model` (`extra` compile options), then runs `predict` and `sim` on 120
/// corrupted copies of the directory.
fn corrupt_and_run(name: &str, model: &str, extra: &[&str], seed: u64) {
    let base = scratch(&format!("base-{name}"));
    let data = root().join(format!("examples/{name}/data.csv"));
    let data = data.to_str().unwrap();
    let model = root().join(model);
    let mut args = vec![
        "compile",
        model.to_str().unwrap(),
        "--data",
        data,
        "-o",
        base.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ok(&locus(&args));
    let mut rng = Rng(seed);
    let files = ["quant.json", "model.json", "report.json", "vectors.csv"];
    let dir = scratch(&format!("corrupted-{name}"));
    let d = dir.to_str().unwrap();
    for round in 0..120 {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("rtl")).unwrap();
        for f in files.iter().chain(&["rtl/locus_core.v"]) {
            std::fs::copy(base.join(f), dir.join(f)).unwrap();
        }
        let f = files[round % files.len()];
        let bytes = std::fs::read(base.join(f)).unwrap();
        std::fs::write(dir.join(f), corrupt(&bytes, &mut rng)).unwrap();
        // `sim` needs Verilator; `predict` exercises the same loading, so `sim` runs on
        // every third round only.
        let mut runs = vec![
            vec!["predict", d, "--data", data],
            vec!["predict", d, "--float", "--data", data],
        ];
        if round % 3 == 0 {
            runs.push(vec!["sim", d]);
        }
        for args in runs {
            let out = locus(&args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                matches!(out.status.code(), Some(0..=2))
                    && !err.contains("panicked")
                    && !err.contains("internal error"),
                "round {round}, corrupted {f}: locus {args:?}: {}",
                show(&out)
            );
        }
    }
}
