//! Test material: random tree ensembles for property tests (integer predictor, passes, cosimulation), and ports for IR built by hand.

use crate::model::{
    Accumulate, Missing, Model, Node, PostTransform, Precision, SplitOp, Task, Tree,
};

/// A small deterministic generator (xorshift64*), so one u64 seed describes a whole model.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Shape of a random model.
struct Shape {
    task: Task,
    n_classes: usize,
    n_features: usize,
    /// Leaf values are multiples of 1/4 (exact in every leaf format ≥ 2 fraction bits).
    grid_leaves: bool,
    /// Missing-value rules to draw from for splits.
    missing: &'static [Missing],
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
            missing: shape.missing[rng.below(shape.missing.len() as u64) as usize],
        };
        i
    }
    grow(rng, &mut nodes, depth, shape, ranges);
    Tree { group, nodes }
}

/// A random ensemble and 60 calibration rows from one seed. With `grid_leaves`, leaf
/// values are multiples of 1/4, base scores 0 and sums exact (float64). With
/// `missing`, splits use every missing-value rule of their source and rows hold NaN
/// and exact zeros.
pub fn random_model(seed: u64, grid_leaves: bool, missing: bool) -> (Model, Vec<Vec<f64>>) {
    let mut rng = Rng(seed | 1);
    let (task, n_classes) = match rng.below(3) {
        0 => (Task::Regression, 1),
        1 => (Task::Classification, 2),
        _ => (Task::Classification, 3 + rng.below(4) as usize),
    };
    let n_features = 1 + rng.below(6) as usize;
    let (split_op, precision, accumulate) = match rng.below(2) {
        0 => (SplitOp::Lt, Precision::F32, Accumulate::F32),
        _ => (SplitOp::Le, Precision::F64, Accumulate::F64),
    };
    let rules: &'static [Missing] = match (missing, split_op) {
        (false, _) | (true, SplitOp::Lt) => &[Missing::NanDefault],
        (true, SplitOp::Le) => &[
            Missing::NanDefault,
            Missing::NanAsZero,
            Missing::ZeroDefault,
        ],
    };
    let shape = Shape {
        missing: rules,
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
        .map(|_| {
            ranges
                .iter()
                .map(|&(lo, hi)| match rng.below(if missing { 12 } else { 1 }) {
                    1 => f64::NAN,
                    2 => 0.0,
                    _ => rng.uniform(lo, hi),
                })
                .collect()
        })
        .collect();
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
        class_names: None,
        trees,
    };
    (model, rows)
}

/// `n` rows of `features` values whose ranges differ by powers of ten (1e-3 to 1e4),
/// the benchmarks' calibration data.
pub fn spread_rows(rng: &mut Rng, n: usize, features: usize) -> Vec<Vec<f64>> {
    let scales: Vec<f64> = (0..features)
        .map(|f| 10f64.powi(f as i32 % 8 - 3))
        .collect();
    (0..n)
        .map(|_| scales.iter().map(|s| rng.uniform(-1.0, 1.0) * s).collect())
        .collect()
}

/// A binary classifier of `trees` full trees of `depth` over the features of `rows`
/// (XGBoost semantics), the benchmarks' models.
pub fn full_ensemble(rng: &mut Rng, trees: usize, depth: u32, rows: &[Vec<f64>]) -> Model {
    Model {
        source: "random".into(),
        task: Task::Classification,
        n_features: rows.first().map_or(0, Vec::len),
        feature_names: None,
        n_classes: 2,
        class_names: None,
        base_score: vec![0.0],
        split_op: SplitOp::Lt,
        precision: Precision::F32,
        accumulate: Accumulate::F32,
        post: PostTransform::Sigmoid { scale: 1.0 },
        leaf_scale: 1.0,
        trees: (0..trees).map(|_| full_tree(rng, depth, rows)).collect(),
    }
}

/// A full tree of `depth` splitting random features at values of `rows` (as tree
/// learners place thresholds), with random leaves.
fn full_tree(rng: &mut Rng, depth: u32, rows: &[Vec<f64>]) -> Tree {
    let mut nodes = Vec::new();
    fn grow(rng: &mut Rng, nodes: &mut Vec<Node>, depth: u32, rows: &[Vec<f64>]) -> usize {
        let i = nodes.len();
        nodes.push(Node::Leaf {
            value: rng.uniform(-0.5, 0.5),
        });
        if depth > 0 {
            let feature = rng.below(rows[0].len() as u64) as usize;
            // Thresholds at data values, as tree learners place them.
            let threshold = rows[rng.below(rows.len() as u64) as usize][feature];
            let left = grow(rng, nodes, depth - 1, rows);
            let right = grow(rng, nodes, depth - 1, rows);
            nodes[i] = Node::Split {
                feature,
                threshold,
                left,
                right,
                default_left: true,
                missing: Missing::NanDefault,
            };
        }
        i
    }
    grow(rng, &mut nodes, depth, rows);
    Tree { group: 0, nodes }
}

/// An input port of value `name` (its label too), integer codes, no thresholds: for
/// IR built by hand in tests.
pub fn input_port(name: &str, ty: crate::ir::Ty, feature: u32) -> crate::ir::InputPort {
    crate::ir::InputPort {
        name: name.into(),
        ty,
        feature,
        kind: Default::default(),
        label: name.into(),
        frac_bits: 0,
        thresholds: vec![],
    }
}
