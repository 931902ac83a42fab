//! Property tests on random ensembles: float vs integer agreement rules, integer predictor == IR eval, passes keep eval.

use hdl_gen::compile::port_codes;
use hdl_gen::ir::Ir;
use hdl_gen::lower::lower;
use hdl_gen::model::{
    Accumulate, Missing, Model, Node, PostTransform, Precision, SplitOp, Task, Tree,
};
use hdl_gen::passes::{PassOptions, PIPELINE};
use hdl_gen::quant::{self, input_formats, quantize_with, QuantModel, Widths};
use proptest::prelude::*;

/// A small deterministic generator (xorshift64*), so one u64 seed describes a whole model.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Shape of a random model.
struct Shape {
    task: Task,
    n_classes: usize,
    n_features: usize,
    /// Leaf values are multiples of 1/4 (exact in every leaf format ≥ 2 fraction bits).
    grid_leaves: bool,
}

fn random_tree(
    rng: &mut Rng,
    group: usize,
    depth: u32,
    shape: &Shape,
    ranges: &[(f64, f64)],
) -> Tree {
    let mut nodes = Vec::new();
    fn grow(
        rng: &mut Rng,
        nodes: &mut Vec<Node>,
        depth: u32,
        shape: &Shape,
        ranges: &[(f64, f64)],
    ) -> usize {
        let i = nodes.len();
        if depth == 0 || rng.below(5) == 0 {
            let value = if shape.grid_leaves {
                (rng.below(81) as f64 - 40.0) / 4.0
            } else {
                rng.uniform(-3.0, 3.0)
            };
            nodes.push(Node::Leaf { value });
            return i;
        }
        let feature = rng.below(shape.n_features as u64) as usize;
        let (lo, hi) = ranges[feature];
        // Mostly inside the data range, sometimes outside or infinite (constant splits).
        let threshold = match rng.below(20) {
            0 => f64::INFINITY,
            1 => lo - 1.0,
            2 => hi + 1.0,
            _ => rng.uniform(lo, hi),
        };
        nodes.push(Node::Leaf { value: 0.0 });
        let left = grow(rng, nodes, depth - 1, shape, ranges);
        let right = grow(rng, nodes, depth - 1, shape, ranges);
        nodes[i] = Node::Split {
            feature,
            threshold,
            left,
            right,
            default_left: rng.below(2) == 0,
            missing: Missing::NanDefault,
        };
        i
    }
    grow(rng, &mut nodes, depth, shape, ranges);
    Tree { group, nodes }
}

fn random_model(seed: u64, grid_leaves: bool) -> (Model, Vec<Vec<f64>>) {
    let mut rng = Rng(seed | 1);
    let (task, n_classes) = match rng.below(3) {
        0 => (Task::Regression, 1),
        1 => (Task::Classification, 2),
        _ => (Task::Classification, 3 + rng.below(4) as usize),
    };
    let n_features = 1 + rng.below(6) as usize;
    let shape = Shape {
        task,
        n_classes,
        n_features,
        grid_leaves,
    };
    // Very different ranges per feature, some negative.
    let ranges: Vec<(f64, f64)> = (0..n_features)
        .map(|_| {
            let scale = 10f64.powi(rng.below(7) as i32 - 3);
            let lo = if rng.below(2) == 0 {
                0.0
            } else {
                -rng.uniform(0.0, 5.0) * scale
            };
            (lo, lo + rng.uniform(0.1, 10.0) * scale)
        })
        .collect();
    let n_groups = if task == Task::Classification && n_classes > 2 {
        n_classes
    } else {
        1
    };
    let n_trees = 1 + rng.below(10) as usize;
    let trees = (0..n_trees)
        .map(|t| {
            let depth = rng.below(5) as u32;
            random_tree(&mut rng, t % n_groups, depth, &shape, &ranges)
        })
        .collect();
    let rows = (0..60)
        .map(|_| ranges.iter().map(|&(lo, hi)| rng.uniform(lo, hi)).collect())
        .collect();
    let (split_op, precision, accumulate) = match rng.below(2) {
        0 => (SplitOp::Lt, Precision::F32, Accumulate::F32),
        _ => (SplitOp::Le, Precision::F64, Accumulate::F64),
    };
    let model = Model {
        source: "random".into(),
        task: shape.task,
        n_features,
        feature_names: None,
        n_classes: shape.n_classes,
        base_score: (0..n_groups)
            .map(|_| {
                if grid_leaves {
                    0.0
                } else {
                    rng.uniform(-1.0, 1.0)
                }
            })
            .collect(),
        split_op,
        precision,
        accumulate: if grid_leaves {
            Accumulate::F64
        } else {
            accumulate
        },
        post: match task {
            Task::Regression => PostTransform::Identity,
            _ if n_groups == 1 => PostTransform::Sigmoid { scale: 1.0 },
            _ => PostTransform::Softmax,
        },
        leaf_scale: 1.0,
        trees,
    };
    (model, rows)
}

fn check_eval(qm: &QuantModel, ir: &Ir, rows: &[Vec<f64>]) -> Result<(), TestCaseError> {
    for row in rows {
        let codes = qm.encode_row(row).expect("no missing values");
        let q = qm.predict_codes(&codes);
        let out = ir.eval_outputs(&port_codes(ir, &codes));
        let mut want = Vec::new();
        if qm.task == Task::Classification {
            want.push(q.class as i64);
        }
        want.extend(&q.scores);
        prop_assert_eq!(out, want, "row {:?}", row);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Equality 2: the integer predictor equals eval() of the lowered IR, and of the IR
    /// after each pass; verify() holds throughout.
    #[test]
    fn integer_predictor_equals_eval(seed in any::<u64>(), input_bits in 2u32..14, leaf_bits in 2u32..18) {
        let (model, rows) = random_model(seed, false);
        let qm = quant::quantize(&model, &rows, Widths { input_bits, leaf_bits }).unwrap();
        let mut ir = lower(&qm);
        ir.verify().map_err(|e| TestCaseError::fail(format!("lowered: {e}")))?;
        check_eval(&qm, &ir, &rows)?;
        for budget in [0.5, 3.0, 8.0, 100.0] {
            let opts = PassOptions { stage_budget: budget };
            let mut cur = ir.clone();
            for p in PIPELINE {
                cur = (p.run)(&cur, &opts);
                cur.verify().map_err(|e| TestCaseError::fail(format!("after {}: {e}", p.name)))?;
                check_eval(&qm, &cur, &rows)?;
            }
        }
        ir = hdl_gen::compile::build_ir(&qm, &PassOptions::default()).unwrap();
        prop_assert!(ir.latency() >= 1);
    }

    /// Agreement rule: on grid inputs, with leaves exact in the leaf format, the integer
    /// predictor makes exactly the float predictor's decisions and its scores are the
    /// float margins scaled by 2^frac_bits.
    #[test]
    fn float_equals_integer_on_the_grid(seed in any::<u64>(), input_bits in 2u32..16) {
        let (model, rows) = random_model(seed, true);
        let widths = Widths { input_bits, leaf_bits: 12 };
        let fmts = input_formats(&model, &rows, input_bits);
        let qm = quantize_with(&model, &fmts, widths);
        prop_assert!(qm.leaf_fmt.frac_bits >= 2);
        for row in &rows {
            // Snap the row onto the grid of its formats.
            let snapped: Vec<f64> = row
                .iter()
                .zip(&fmts)
                .map(|(&x, f)| f.to_real(f.quantize_input(x, model.precision, model.split_op)))
                .collect();
            let codes = qm.encode_row(&snapped).unwrap();
            let q = qm.predict_codes(&codes);
            let fp = model.predict_row(&snapped);
            prop_assert_eq!(q.class, fp.class);
            for (s, m) in q.scores.iter().zip(&fp.margins) {
                prop_assert_eq!(qm.leaf_fmt.to_real(*s), *m);
            }
        }
    }
}

/// Lowering shares one comparator per unique (feature, k) across the ensemble.
#[test]
fn comparators_are_shared() {
    for seed in 1..50u64 {
        let (model, rows) = random_model(seed, false);
        let qm = quant::quantize(
            &model,
            &rows,
            Widths {
                input_bits: 8,
                leaf_bits: 8,
            },
        )
        .unwrap();
        let ir = lower(&qm);
        let mut seen = std::collections::BTreeSet::new();
        for n in &ir.nodes {
            if let hdl_gen::ir::Origin::Comparator { feature, k } = n.origin {
                assert!(
                    seen.insert((feature, k)),
                    "comparator ({feature}, {k}) built twice"
                );
            }
        }
    }
}
