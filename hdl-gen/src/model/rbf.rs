//! Float model for RBF models (RBF-kernel SVMs, RBF networks, nearest-prototype classifiers) and its float predictor.
//!
//! Every kind is a list of units (centre, kernel width `gamma`, per-output weights);
//! unit `u` responds with `K_u = exp(-gamma_u · d(x, c_u))`, where `d` is the squared
//! Euclidean distance (or the Manhattan distance). Output `o` is
//! `bias[o] + Σ_u weights_u[o] · K_u`, and the decision depends on the kind:
//!
//! - `svc` (libsvm / scikit-learn `SVC`, one-vs-one): one output per class pair
//!   `(i, j)`, `i < j`, in lexicographic order; the pair votes for `i` when its value
//!   is `> 0`, else for `j`; the class is the first class with the most votes (libsvm's
//!   `svm_predict`, which `SVC.predict` calls with `break_ties=False`). Outputs are
//!   libsvm's decision values: scikit-learn's `decision_function` with
//!   `decision_function_shape="ovo"` for more than two classes, and its negation for
//!   two.
//! - `svr`: one output, the prediction.
//! - `network`: classification, one output per class and the first largest wins; or
//!   regression, one output.
//! - `prototype`: no outputs; the class is the label of the nearest unit (first
//!   minimum of `d`).

use super::Task;
use serde::{Deserialize, Serialize};

/// The JSON `format` tag of an RBF model (tells it apart from a tree model).
pub const FORMAT: &str = "locus-rbf";
/// Current version of the native format (docs/rbf-format.md).
pub const VERSION: u32 = 1;

/// Which RBF model this is (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RbfKind {
    Svc,
    Svr,
    Network,
    Prototype,
}

/// The distance a unit measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// `Σ (x_f − c_f)²`.
    SquaredEuclidean,
    /// `Σ |x_f − c_f|`.
    Manhattan,
}

/// One unit: a support vector, an RBF centre or a prototype.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub centre: Vec<f64>,
    /// Kernel width: `K = exp(-gamma · d)` (unused by prototypes).
    #[serde(default)]
    pub gamma: f64,
    /// The unit's class: a support vector's class (svc) or a prototype's label.
    #[serde(default)]
    pub class: usize,
    /// One weight per output (empty for prototypes).
    #[serde(default)]
    pub weights: Vec<f64>,
}

/// An RBF model with exact source semantics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RbfModel {
    /// Always [`FORMAT`].
    pub format: String,
    pub version: u32,
    /// Source format, e.g. `"scikit-learn SVC via ONNX (skl2onnx 1.20.0)"`.
    pub source: String,
    pub kind: RbfKind,
    pub task: Task,
    pub n_features: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_names: Option<Vec<String>>,
    /// Number of classes (1 for regression).
    pub n_classes: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_names: Option<Vec<String>>,
    pub metric: Metric,
    pub units: Vec<Unit>,
    /// One bias per output.
    #[serde(default)]
    pub bias: Vec<f64>,
    /// An affine map of the inputs before the distances (e.g. a StandardScaler in a
    /// scikit-learn pipeline, exported as an ONNX `Scaler`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaler: Option<InputScaler>,
}

/// `x ↦ (x − offset)·scale` per feature, NaN read as 0.0 first (as the distances
/// read it without a scaler). Applied by the host before encoding: the hardware sees
/// the scaled values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputScaler {
    pub offset: Vec<f64>,
    pub scale: Vec<f64>,
}

impl InputScaler {
    /// The scaled row (features beyond `offset.len()` pass unchanged).
    pub fn apply(&self, row: &[f64]) -> Vec<f64> {
        row.iter()
            .enumerate()
            .map(|(f, &x)| {
                let x = if x.is_nan() { 0.0 } else { x };
                match (self.offset.get(f), self.scale.get(f)) {
                    (Some(o), Some(s)) => (x - o) * s,
                    _ => x,
                }
            })
            .collect()
    }

    /// `row` scaled by `scaler`, or `row` itself when there is none.
    pub fn maybe_apply<'a>(
        scaler: Option<&InputScaler>,
        row: &'a [f64],
    ) -> std::borrow::Cow<'a, [f64]> {
        match scaler {
            Some(s) => std::borrow::Cow::Owned(s.apply(row)),
            None => std::borrow::Cow::Borrowed(row),
        }
    }
}

/// A float prediction for one row.
#[derive(Clone, Debug, PartialEq)]
pub struct RbfPrediction {
    /// One value per output (see the module doc); prototypes: the distances.
    pub outputs: Vec<f64>,
    pub class: usize,
}

impl RbfModel {
    /// Number of outputs (see the module doc).
    pub fn n_outputs(&self) -> usize {
        match self.kind {
            RbfKind::Svc => self.n_classes * (self.n_classes - 1) / 2,
            RbfKind::Svr => 1,
            RbfKind::Network if self.task == Task::Classification => self.n_classes,
            RbfKind::Network => 1,
            RbfKind::Prototype => 0,
        }
    }

    /// The class pairs of an SVC's outputs, in output order.
    pub fn pairs(n_classes: usize) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        for i in 0..n_classes {
            for j in i + 1..n_classes {
                v.push((i, j));
            }
        }
        v
    }

    /// Distance from `row` to the centre of unit `u` (NaN counts as 0.0).
    pub fn distance(&self, u: &Unit, row: &[f64]) -> f64 {
        let mut d = 0.0;
        for (f, &c) in u.centre.iter().enumerate() {
            let x = row.get(f).copied().filter(|v| !v.is_nan()).unwrap_or(0.0);
            d += match self.metric {
                Metric::SquaredEuclidean => (x - c) * (x - c),
                Metric::Manhattan => (x - c).abs(),
            };
        }
        d
    }

    /// The class from the output values (or, for prototypes, the distances).
    pub fn decide(&self, outputs: &[f64]) -> usize {
        match self.kind {
            RbfKind::Svr => 0,
            RbfKind::Network if self.task == Task::Regression => 0,
            RbfKind::Svc => {
                let mut votes = vec![0u32; self.n_classes];
                for (p, (i, j)) in Self::pairs(self.n_classes).into_iter().enumerate() {
                    if outputs[p] > 0.0 {
                        votes[i] += 1;
                    } else {
                        votes[j] += 1;
                    }
                }
                first_max(&votes)
            }
            RbfKind::Network => first_max(outputs),
            RbfKind::Prototype => {
                let mut best = 0;
                for (k, &d) in outputs.iter().enumerate() {
                    if d < outputs[best] {
                        best = k;
                    }
                }
                self.units.get(best).map_or(0, |u| u.class)
            }
        }
    }

    /// Full float prediction for one row.
    pub fn predict_row(&self, row: &[f64]) -> RbfPrediction {
        let row = &*InputScaler::maybe_apply(self.scaler.as_ref(), row);
        let outputs = if self.kind == RbfKind::Prototype {
            self.units.iter().map(|u| self.distance(u, row)).collect()
        } else {
            let mut out = self.bias.clone();
            out.resize(self.n_outputs(), 0.0);
            for u in &self.units {
                let k = (-u.gamma * self.distance(u, row)).exp();
                for (o, w) in out.iter_mut().zip(&u.weights) {
                    *o += w * k;
                }
            }
            out
        };
        let class = self.decide(&outputs);
        RbfPrediction { outputs, class }
    }

    /// Name of class `c`: the model's name, else the index.
    pub fn class_name(&self, c: usize) -> String {
        match &self.class_names {
            Some(n) if c < n.len() => n[c].clone(),
            _ => c.to_string(),
        }
    }

    /// Checks the shape: every centre has `n_features` finite values, weights match
    /// the outputs, gammas are finite and non-negative. The error says what and where.
    pub fn check(&self) -> Result<(), String> {
        if self.units.is_empty() {
            return Err("no units; expected at least one centre".into());
        }
        if let Some(s) = &self.scaler {
            if s.offset.len() != self.n_features || s.scale.len() != self.n_features {
                return Err(format!(
                    "scaler has {} offsets and {} scales; expected {} of each (one per feature)",
                    s.offset.len(),
                    s.scale.len(),
                    self.n_features
                ));
            }
            if s.offset.iter().chain(&s.scale).any(|v| !v.is_finite()) {
                return Err("scaler holds a non-finite value; expected finite numbers".into());
            }
        }
        if self.task == Task::Classification && self.n_classes < 2 {
            return Err(format!(
                "{} classes; a classifier needs at least 2",
                self.n_classes
            ));
        }
        let outs = self.n_outputs();
        if self.kind != RbfKind::Prototype && self.bias.len() != outs {
            return Err(format!(
                "{} bias values; expected {outs} (one per output)",
                self.bias.len()
            ));
        }
        if self.bias.iter().any(|b| !b.is_finite()) {
            return Err("a bias is not a finite number".into());
        }
        for (i, u) in self.units.iter().enumerate() {
            if u.centre.len() != self.n_features {
                return Err(format!(
                    "unit {i}: centre has {} values; expected {} (one per feature)",
                    u.centre.len(),
                    self.n_features
                ));
            }
            if u.centre.iter().any(|c| !c.is_finite()) {
                return Err(format!("unit {i}: centre has a value that is not finite"));
            }
            if !(u.gamma.is_finite() && u.gamma >= 0.0) {
                return Err(format!(
                    "unit {i}: gamma {} ; expected a finite number ≥ 0",
                    u.gamma
                ));
            }
            let want = if self.kind == RbfKind::Prototype {
                0
            } else {
                outs
            };
            if u.weights.len() != want {
                return Err(format!(
                    "unit {i}: {} weights; expected {want} (one per output)",
                    u.weights.len()
                ));
            }
            if u.weights.iter().any(|w| !w.is_finite()) {
                return Err(format!("unit {i}: a weight is not a finite number"));
            }
            if self.task == Task::Classification && u.class >= self.n_classes {
                return Err(format!(
                    "unit {i}: class {}; expected less than {}",
                    u.class, self.n_classes
                ));
            }
        }
        Ok(())
    }
}

/// Index of the first largest value.
pub fn first_max<T: PartialOrd>(v: &[T]) -> usize {
    let mut best = 0;
    for (k, x) in v.iter().enumerate() {
        if *x > v[best] {
            best = k;
        }
    }
    best
}
