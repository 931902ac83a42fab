//! Float model IR: tree ensembles as the source library defines them, and the float predictor.
//!
//! A [`Model`] is what every importer produces. It keeps the source's exact split
//! semantics (operator, float32 or float64 comparison, missing-value rule) so that
//! [`Model::predict_row`] reproduces the library's own predictions (equality 1 of
//! DESIGN.md). It knows nothing about bits.

pub mod rbf;

use serde::{Deserialize, Serialize};

/// What the model predicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    Classification,
    Regression,
}

/// How a split compares the feature value `x` with the threshold `t`; true sends the row left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SplitOp {
    /// `x < t` (XGBoost).
    Lt,
    /// `x <= t` (LightGBM, scikit-learn).
    Le,
}

/// The precision in which the source library compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Both `x` and `t` are rounded to float32 first (XGBoost).
    F32,
    /// Compared as float64 (LightGBM).
    F64,
}

/// What a split does with a missing (NaN) value, and with zero where the source treats
/// zero as missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// NaN follows the default direction (XGBoost; LightGBM `missing_type=NaN`).
    NanDefault,
    /// NaN is read as 0.0 and then compared (LightGBM `missing_type=None`).
    NanAsZero,
    /// NaN is read as 0.0; a value within ±1e-35 of zero follows the default direction
    /// (LightGBM `missing_type=Zero`).
    ZeroDefault,
}

/// One tree node. Children are indices into the same tree's `nodes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Node {
    Split {
        feature: usize,
        /// May be ±infinity (JSON: `"inf"`, `"-inf"`); never NaN.
        #[serde(with = "extended_f64")]
        threshold: f64,
        /// Taken when the comparison is true.
        left: usize,
        right: usize,
        /// Direction for a missing value (see [`Missing`]).
        default_left: bool,
        missing: Missing,
    },
    Leaf {
        value: f64,
    },
}

/// One tree; node 0 is the root. It adds its leaf value to output group `group`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    pub group: usize,
    pub nodes: Vec<Node>,
}

/// How margins become the library's reported predictions.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PostTransform {
    /// Margin is the prediction (regression).
    Identity,
    /// `1 / (1 + exp(-scale * margin))` per group (binary classification, reg:logistic).
    Sigmoid { scale: f64 },
    /// Softmax across groups (multi-class).
    Softmax,
    /// `exp(margin)` (Poisson/gamma/tweedie regression).
    Exp,
    /// `margin + offset`: a binary classifier whose score is itself a probability (an
    /// ONNX random forest or decision tree, class 1 when `P > 0.5`) keeps the margin at
    /// `P - 0.5` (the importer folds `-0.5` into the base score) so that the class is
    /// still `margin > 0`, and reports `P` as its output.
    Offset { offset: f64 },
}

impl PostTransform {
    /// Margins to the library's reported outputs (probabilities or values).
    pub fn apply(&self, margins: &[f64]) -> Vec<f64> {
        match *self {
            PostTransform::Identity => margins.to_vec(),
            PostTransform::Sigmoid { scale } => margins
                .iter()
                .map(|&m| 1.0 / (1.0 + (-scale * m).exp()))
                .collect(),
            PostTransform::Exp => margins.iter().map(|&m| m.exp()).collect(),
            PostTransform::Offset { offset } => margins.iter().map(|&m| m + offset).collect(),
            PostTransform::Softmax => {
                let mx = margins.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let e: Vec<f64> = margins.iter().map(|&m| (m - mx).exp()).collect();
                let s: f64 = e.iter().sum();
                e.iter().map(|v| v / s).collect()
            }
        }
    }
}

/// How the sum of a group's leaves is accumulated by the source library.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Accumulate {
    /// float32 running sum starting at the base score (XGBoost).
    F32,
    /// float64 running sum (LightGBM).
    F64,
}

/// A tree ensemble with exact source semantics.
///
/// Output groups: one for binary classification and regression, `n_classes` for
/// multi-class. Margin of group `g` = `base_score[g]` + Σ leaves of trees with
/// `group == g`, accumulated as `accumulate` says, scaled by `scale` at the end
/// (LightGBM `average_output`; 1.0 otherwise).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Source format and version, e.g. `"xgboost 2.1.3"`, for reports.
    pub source: String,
    pub task: Task,
    pub n_features: usize,
    /// Feature names, when the model file has them.
    pub feature_names: Option<Vec<String>>,
    /// Number of classes (1 for regression, 2 for binary).
    pub n_classes: usize,
    /// Class names in class-index order, when the model file has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_names: Option<Vec<String>>,
    /// Margin-space bias per output group.
    pub base_score: Vec<f64>,
    pub split_op: SplitOp,
    pub precision: Precision,
    pub accumulate: Accumulate,
    pub post: PostTransform,
    /// Multiplies the summed leaves (not the base) of each group; 1.0 unless averaged.
    pub leaf_scale: f64,
    pub trees: Vec<Tree>,
}

/// A float prediction for one row.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatPrediction {
    /// One margin per output group.
    pub margins: Vec<f64>,
    /// Transformed outputs (probabilities per group, or the regression value).
    pub outputs: Vec<f64>,
    /// Predicted class index (classification), else 0.
    pub class: usize,
}

/// |v| at or below this is "zero" for LightGBM's `missing_type=Zero` (kZeroThreshold).
pub const LIGHTGBM_ZERO: f64 = 1e-35;

impl Model {
    /// Number of output groups: 1 for binary and regression, else `n_classes`.
    pub fn n_groups(&self) -> usize {
        if self.task == Task::Classification && self.n_classes > 2 {
            self.n_classes
        } else {
            1
        }
    }

    /// Does the split at `node` send value `x` (NaN = missing) left?
    pub fn goes_left(&self, x: f64, threshold: f64, default_left: bool, missing: Missing) -> bool {
        let x = match missing {
            Missing::NanDefault => {
                if x.is_nan() {
                    return default_left;
                }
                x
            }
            Missing::NanAsZero => {
                if x.is_nan() {
                    0.0
                } else {
                    x
                }
            }
            Missing::ZeroDefault => {
                let x = if x.is_nan() { 0.0 } else { x };
                if (-LIGHTGBM_ZERO..=LIGHTGBM_ZERO).contains(&x) {
                    return default_left;
                }
                x
            }
        };
        match (self.precision, self.split_op) {
            (Precision::F32, SplitOp::Lt) => (x as f32) < (threshold as f32),
            (Precision::F32, SplitOp::Le) => (x as f32) <= (threshold as f32),
            (Precision::F64, SplitOp::Lt) => x < threshold,
            (Precision::F64, SplitOp::Le) => x <= threshold,
        }
    }

    /// Index of the leaf that `row` reaches in `tree`.
    pub fn leaf_index(&self, tree: &Tree, row: &[f64]) -> usize {
        let mut i = 0;
        // A well-formed tree (checked by the importer) reaches a leaf in < nodes.len() steps.
        for _ in 0..=tree.nodes.len() {
            match &tree.nodes[i] {
                Node::Leaf { .. } => return i,
                Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                    default_left,
                    missing,
                } => {
                    let x = row.get(*feature).copied().unwrap_or(f64::NAN);
                    i = if self.goes_left(x, *threshold, *default_left, *missing) {
                        *left
                    } else {
                        *right
                    };
                }
            }
        }
        i
    }

    /// Margins per output group for one row (NaN = missing value).
    pub fn margins(&self, row: &[f64]) -> Vec<f64> {
        self.margins_with(|_, tree| self.leaf_index(tree, row))
    }

    /// [`Model::margins`] with the leaf each tree reaches given by `leaf(t, tree)`
    /// (tree `t` of [`Model::trees`]): the same sums in the same order.
    pub fn margins_with(&self, leaf: impl Fn(usize, &Tree) -> usize) -> Vec<f64> {
        let leaf_value = |t: usize, tree: &Tree| match tree.nodes[leaf(t, tree)] {
            Node::Leaf { value } => value,
            Node::Split { .. } => 0.0,
        };
        let g = self.n_groups();
        let mut m = vec![0.0f64; g];
        match self.accumulate {
            Accumulate::F32 => {
                let mut acc: Vec<f32> = self.base_score.iter().map(|&b| b as f32).collect();
                let mut leaves = vec![0.0f32; g];
                for (i, t) in self.trees.iter().enumerate() {
                    let v = leaf_value(i, t) as f32;
                    if self.leaf_scale == 1.0 {
                        acc[t.group] += v;
                    } else {
                        leaves[t.group] += v;
                    }
                }
                for k in 0..g {
                    m[k] = if self.leaf_scale == 1.0 {
                        acc[k] as f64
                    } else {
                        (acc[k] + leaves[k] * self.leaf_scale as f32) as f64
                    };
                }
            }
            Accumulate::F64 => {
                let mut leaves = vec![0.0f64; g];
                for (i, t) in self.trees.iter().enumerate() {
                    leaves[t.group] += leaf_value(i, t);
                }
                for k in 0..g {
                    m[k] = self.base_score[k] + leaves[k] * self.leaf_scale;
                }
            }
        }
        m
    }

    /// Applies the post-transform to margins.
    pub fn transform(&self, margins: &[f64]) -> Vec<f64> {
        self.post.apply(margins)
    }

    /// The class decided from margins: binary `margin > 0`, multi-class the first
    /// largest margin (numpy `argmax`), regression 0.
    pub fn decide(&self, margins: &[f64]) -> usize {
        match self.task {
            Task::Regression => 0,
            Task::Classification if self.n_groups() == 1 => usize::from(margins[0] > 0.0),
            Task::Classification => {
                let mut best = 0;
                for (k, &m) in margins.iter().enumerate() {
                    if m > margins[best] {
                        best = k;
                    }
                }
                best
            }
        }
    }

    /// Full float prediction for one row.
    pub fn predict_row(&self, row: &[f64]) -> FloatPrediction {
        self.predict_margins(self.margins(row))
    }

    /// The prediction from a row's margins.
    pub fn predict_margins(&self, margins: Vec<f64>) -> FloatPrediction {
        let outputs = self.transform(&margins);
        let class = self.decide(&margins);
        FloatPrediction {
            margins,
            outputs,
            class,
        }
    }

    /// Name of class `c` for output: the model's name, else the index.
    pub fn class_name(&self, c: usize) -> String {
        match &self.class_names {
            Some(n) if c < n.len() => n[c].clone(),
            _ => c.to_string(),
        }
    }

    /// Name of feature `f` for messages: the model's name, else `f{index}`.
    pub fn feature_name(&self, f: usize) -> String {
        match &self.feature_names {
            Some(n) if f < n.len() => n[f].clone(),
            _ => format!("f{f}"),
        }
    }
}

/// A float model of either family: a tree ensemble or an RBF model.
///
/// Serialised as the inner model (a tree model's JSON is unchanged); an RBF model is
/// told apart by its `format` field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AnyModel {
    Trees(Model),
    Rbf(rbf::RbfModel),
}

impl From<Model> for AnyModel {
    fn from(m: Model) -> Self {
        AnyModel::Trees(m)
    }
}

impl From<rbf::RbfModel> for AnyModel {
    fn from(m: rbf::RbfModel) -> Self {
        AnyModel::Rbf(m)
    }
}

impl AnyModel {
    /// Sets the class names (`locus compile --classes`), replacing the model's own.
    pub fn set_class_names(&mut self, names: Vec<String>) -> Result<(), String> {
        let (task, n_classes, slot) = match self {
            AnyModel::Trees(m) => (m.task, m.n_classes, &mut m.class_names),
            AnyModel::Rbf(m) => (m.task, m.n_classes, &mut m.class_names),
        };
        check_class_names(task, n_classes, &names)?;
        *slot = Some(names);
        Ok(())
    }

    /// The class names, when the model has them.
    pub fn class_names(&self) -> Option<&[String]> {
        match self {
            AnyModel::Trees(m) => m.class_names.as_deref(),
            AnyModel::Rbf(m) => m.class_names.as_deref(),
        }
    }

    pub fn source(&self) -> &str {
        match self {
            AnyModel::Trees(m) => &m.source,
            AnyModel::Rbf(m) => &m.source,
        }
    }

    pub fn task(&self) -> Task {
        match self {
            AnyModel::Trees(m) => m.task,
            AnyModel::Rbf(m) => m.task,
        }
    }

    pub fn n_features(&self) -> usize {
        match self {
            AnyModel::Trees(m) => m.n_features,
            AnyModel::Rbf(m) => m.n_features,
        }
    }

    pub fn feature_names(&self) -> Option<&[String]> {
        match self {
            AnyModel::Trees(m) => m.feature_names.as_deref(),
            AnyModel::Rbf(m) => m.feature_names.as_deref(),
        }
    }

    /// Name of class `c`: the model's name, else the index.
    pub fn class_name(&self, c: usize) -> String {
        match self {
            AnyModel::Trees(m) => m.class_name(c),
            AnyModel::Rbf(m) => m.class_name(c),
        }
    }

    /// Predicted class and first output (regression value) of the float model.
    pub fn predict_class_value(&self, row: &[f64]) -> (usize, f64) {
        match self {
            AnyModel::Trees(m) => {
                let p = m.predict_row(row);
                (p.class, p.outputs[0])
            }
            AnyModel::Rbf(m) => {
                let p = m.predict_row(row);
                (p.class, p.outputs.first().copied().unwrap_or(0.0))
            }
        }
    }
}

/// Checks class names given for a model: a classifier, one distinct, non-empty name per
/// class (no commas, so that `--classes a,b,c` can say them).
pub fn check_class_names(task: Task, n_classes: usize, names: &[String]) -> Result<(), String> {
    if task != Task::Classification {
        return Err("class names given for a regression model; expected a classifier".into());
    }
    if names.len() != n_classes {
        return Err(format!(
            "{} class names for a model with {n_classes} classes; expected one name per class",
            names.len()
        ));
    }
    if let Some(n) = names.iter().find(|n| n.trim().is_empty()) {
        return Err(format!(
            "class name '{n}' is empty; expected a name for every class"
        ));
    }
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(format!(
                "class name '{n}' is given twice; expected distinct names"
            ));
        }
    }
    Ok(())
}

/// JSON for thresholds: finite numbers as numbers, ±infinity as `"inf"` / `"-inf"`.
mod extended_f64 {
    use serde::{de, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else if *v > 0.0 {
            s.serialize_str("inf")
        } else if *v < 0.0 {
            s.serialize_str("-inf")
        } else {
            s.serialize_str("nan")
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Num(f64),
        Text(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        match Repr::deserialize(d)? {
            Repr::Num(v) => Ok(v),
            Repr::Text(t) if t == "inf" => Ok(f64::INFINITY),
            Repr::Text(t) if t == "-inf" => Ok(f64::NEG_INFINITY),
            Repr::Text(t) => Err(de::Error::custom(format!(
                "threshold '{t}' is not a number; expected a number, \"inf\" or \"-inf\""
            ))),
        }
    }
}
