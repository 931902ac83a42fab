//! Property tests on random RBF models (networks, prototypes, SVCs; both metrics): the integer reference equals the lowered IR's eval(), and every pass keeps eval() unchanged.

use hdl_gen::compile::port_codes;
use hdl_gen::ir::Ir;
use hdl_gen::lower_rbf::lower_rbf;
use hdl_gen::model::rbf::{Metric, RbfKind, RbfModel, Unit, FORMAT, VERSION};
use hdl_gen::model::Task;
use hdl_gen::passes::{PassOptions, PIPELINE};
use hdl_gen::quant::rbf::{quantize, RbfQuant, RbfWidths};
use proptest::prelude::*;

/// A random model (`metrics`: Manhattan or not, to choose from): kind 0 network classifier, 1 network regressor, 2 prototype, 3 SVC.
fn model(metrics: &[bool]) -> impl Strategy<Value = RbfModel> {
    (
        0usize..4,
        prop::sample::select(metrics.to_vec()),
        1usize..4,
        2usize..4,
        1usize..6,
    )
        .prop_flat_map(|(kind, l1, nf, nc, nu)| {
            let unit = (
                prop::collection::vec(-4.0f64..4.0, nf),
                0.01f64..2.0,
                0usize..nc,
                prop::collection::vec(prop_oneof![-3.0f64..-0.05, 0.05f64..3.0], 6),
            );
            (
                prop::collection::vec(unit, nu),
                prop::collection::vec(-1.0f64..1.0, 6),
            )
                .prop_map(move |(units, bias)| {
                    let (kind, task) = match kind {
                        0 => (RbfKind::Network, Task::Classification),
                        1 => (RbfKind::Network, Task::Regression),
                        2 => (RbfKind::Prototype, Task::Classification),
                        _ => (RbfKind::Svc, Task::Classification),
                    };
                    let mut m = RbfModel {
                        format: FORMAT.into(),
                        version: VERSION,
                        source: "proptest".into(),
                        kind,
                        task,
                        n_features: nf,
                        feature_names: None,
                        n_classes: if task == Task::Regression { 1 } else { nc },
                        class_names: None,
                        metric: if l1 {
                            Metric::Manhattan
                        } else {
                            Metric::SquaredEuclidean
                        },
                        units: Vec::new(),
                        bias: Vec::new(),
                        scaler: None,
                    };
                    let outs = m.n_outputs();
                    m.bias = bias[..outs].to_vec();
                    m.units = units
                        .into_iter()
                        .map(|(centre, gamma, class, w)| Unit {
                            centre,
                            gamma,
                            class: if task == Task::Regression { 0 } else { class },
                            weights: w[..outs].to_vec(),
                        })
                        .collect();
                    m
                })
        })
}

fn check(q: &RbfQuant, ir: &Ir, rows: &[Vec<f64>]) -> Result<(), TestCaseError> {
    let class = ir.outputs.iter().position(|o| o.name == "out_class");
    let score = ir.outputs.iter().position(|o| o.name == "out_score");
    for row in rows {
        let e = q.encode_row(row);
        let want = q.predict_codes(&e.codes);
        let got = ir.eval_outputs(&port_codes(ir, &e));
        if let Some(c) = class {
            prop_assert_eq!(got[c], want.class as i64, "class, row {:?}", row);
        }
        if let Some(s) = score {
            prop_assert_eq!(got[s], want.scores[0], "score, row {:?}", row);
        }
        if q.evidence {
            let ev: Vec<i64> = ir
                .outputs
                .iter()
                .zip(&got)
                .filter(|(o, _)| o.name.starts_with("ev_"))
                .map(|(_, &v)| v)
                .collect();
            prop_assert_eq!(
                ev,
                hdl_gen::explain::rbf_evidence(q, &e.codes),
                "evidence, row {:?}",
                row
            );
        }
    }
    Ok(())
}

fn run(
    m: RbfModel,
    rows: Vec<Vec<f64>>,
    input_bits: u32,
    index_bits: u32,
    table_bits: u32,
    interp: bool,
) -> Result<(), TestCaseError> {
    prop_assert!(m.check().is_ok(), "{:?}", m.check());
    let rows: Vec<Vec<f64>> = rows
        .into_iter()
        .map(|r| r[..m.n_features].to_vec())
        .collect();
    let mut q = quantize(
        &m,
        &rows,
        RbfWidths {
            input_bits,
            index_bits,
            table_bits,
            interp,
        },
    );
    // Without and with the evidence outputs (`explain::rbf_evidence` is their reference).
    for evidence in [false, true] {
        q.evidence = evidence;
        let mut ir = lower_rbf(&q);
        prop_assert!(ir.verify().is_ok(), "{:?}\n{}", ir.verify(), ir.to_text());
        check(&q, &ir, &rows)?;
        let opts = PassOptions::default();
        for p in PIPELINE {
            ir = (p.run)(&ir, &opts);
            prop_assert!(ir.verify().is_ok(), "after {}: {:?}", p.name, ir.verify());
            check(&q, &ir, &rows)?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Equality 2 for RBF models (squared Euclidean): integer reference == eval() after
    /// lowering and after each pass; verify() holds throughout.
    #[test]
    fn integer_reference_equals_eval(
        m in model(&[false]),
        rows in prop::collection::vec(prop::collection::vec(-5.0f64..5.0, 3), 1..12),
        input_bits in 3u32..10,
        index_bits in 2u32..8,
        table_bits in 3u32..12,
        interp in any::<bool>(),
    ) {
        run(m, rows, input_bits, index_bits, table_bits, interp)?;
    }

    /// The same with the Manhattan metric.
    #[test]
    fn integer_reference_equals_eval_manhattan(
        m in model(&[true]),
        rows in prop::collection::vec(prop::collection::vec(-5.0f64..5.0, 3), 1..12),
        input_bits in 3u32..10,
        index_bits in 2u32..8,
        table_bits in 3u32..12,
        interp in any::<bool>(),
    ) {
        run(m, rows, input_bits, index_bits, table_bits, interp)?;
    }
}

/// Found by the property test: a network whose weights are all zero.
#[test]
fn all_zero_weights_lower() {
    let m = RbfModel {
        format: FORMAT.into(),
        version: VERSION,
        source: "regression".into(),
        kind: RbfKind::Network,
        task: Task::Classification,
        n_features: 1,
        feature_names: None,
        n_classes: 2,
        class_names: None,
        metric: Metric::SquaredEuclidean,
        units: vec![Unit {
            centre: vec![0.0],
            gamma: 1.72,
            class: 0,
            weights: vec![0.0, 0.0],
        }],
        bias: vec![0.0, -0.825],
        scaler: None,
    };
    run(m.clone(), vec![vec![0.0, 0.0, 0.0]], 3, 2, 3, false).unwrap();
    run(m, vec![vec![0.0, 0.0, 0.0]], 3, 2, 3, true).unwrap();
}
