//! Quantisation of RBF models: one shared input grid, integer centres, per-unit clamped kernel tables, and the width search.
//!
//! Every feature is coded on one grid (`input_fmt`, round to nearest, saturated), so a
//! unit's distance is an exact integer: `Σ (x − c)²` in units of `lsb²` (Manhattan:
//! `Σ |x − c|` in `lsb`). Each (unit, output) pair with a nonzero weight owns a table
//! of `w·exp(−γ·d)` in `table_fmt` ([`crate::fixed::kernel`]); the output is the bias
//! plus the entries the units select. The integer predictor here is independent of
//! the IR; `eval()` must equal it exactly.

use super::search::{rmse, Loss, SearchOptions, Trial};
use super::Encoded;
use crate::error::{Error, Result};
use crate::fixed::kernel::{
    interp_value, kernel_len, kernel_shift, kernel_shift_interp, kernel_table, kernel_table_interp,
};
use crate::fixed::{lut_index, QFmt};
use crate::model::rbf::{first_max, InputScaler, Metric, RbfKind, RbfModel};
use crate::model::Task;
use serde::{Deserialize, Serialize};

/// The JSON `format` tag of a quantised RBF model.
pub const FORMAT: &str = "locus-rbf-quant";

/// One quantised unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QUnit {
    /// Centre codes on the input grid.
    pub centre: Vec<i64>,
    pub class: usize,
    /// Lookup index = `min(d >> shift, len − 1)`.
    pub shift: u32,
    /// `(output, table)` for each output with a nonzero weight.
    pub tables: Vec<(usize, Vec<i64>)>,
    /// Interpolated models: the slope table of each entry of `tables`
    /// ([`crate::fixed::kernel::interp_value`]); empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slopes: Vec<Vec<i64>>,
    /// The unit's kernel width relative to the model's widest, in 2^-15 steps (at least
    /// 1): the evidence ranks units by `gamma_code · d` (`explain::rbf_evidence`), so the
    /// most active unit of a network with per-centre widths is the one reported.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub gamma_code: i64,
}

fn one() -> i64 {
    1
}

fn is_one(v: &i64) -> bool {
    *v == 1
}

/// A quantised RBF model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RbfQuant {
    /// Always [`FORMAT`].
    pub format: String,
    pub kind: RbfKind,
    pub task: Task,
    pub n_classes: usize,
    pub n_outputs: usize,
    pub metric: Metric,
    pub feature_names: Vec<String>,
    pub input_bits: u32,
    pub input_fmt: QFmt,
    /// Bits of a table index (at most `2^index_bits` entries).
    pub index_bits: u32,
    pub table_bits: u32,
    pub table_fmt: QFmt,
    /// Tables are read with linear interpolation between nodes (see [`QUnit::slopes`]).
    #[serde(default, skip_serializing_if = "is_false")]
    pub interp: bool,
    /// Largest distance code.
    pub d_max: i64,
    pub bias: Vec<i64>,
    pub units: Vec<QUnit>,
    /// The model's input scaler: rows are scaled before they are encoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaler: Option<InputScaler>,
    /// The hardware also outputs its evidence (`explain::rbf_evidence`: the nearest
    /// unit and its distance; per-class nearest distances for prototypes).
    #[serde(default, skip_serializing_if = "is_false")]
    pub evidence: bool,
    /// Built in the serial architecture (`serial_rbf`) rather than all units in parallel.
    #[serde(default, skip_serializing_if = "is_false")]
    pub serial: bool,
    /// Serial architecture: distance lanes working side by side, each on every
    /// `lanes`-th unit (at least 1).
    #[serde(default = "one_lane", skip_serializing_if = "is_one_lane")]
    pub lanes: u32,
}

fn one_lane() -> u32 {
    1
}

fn is_one_lane(v: &u32) -> bool {
    *v == 1
}

/// An integer prediction.
#[derive(Clone, Debug, PartialEq)]
pub struct RbfQPrediction {
    /// One code per output (`table_fmt`); prototypes: the distance codes.
    pub scores: Vec<i64>,
    pub class: usize,
}

/// The widths the search chooses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RbfWidths {
    pub input_bits: u32,
    pub index_bits: u32,
    pub table_bits: u32,
    /// Linear interpolation between table nodes.
    pub interp: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Quantises `m` with the given widths; `rows` give the input range (with the centres).
pub fn quantize(m: &RbfModel, rows: &[Vec<f64>], w: RbfWidths) -> RbfQuant {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    let scaled: Vec<Vec<f64>> = match &m.scaler {
        Some(s) => rows.iter().map(|r| s.apply(r)).collect(),
        None => Vec::new(),
    };
    let rows = if m.scaler.is_some() {
        &scaled[..]
    } else {
        rows
    };
    for v in rows
        .iter()
        .flat_map(|r| r.iter())
        .chain(m.units.iter().flat_map(|u| u.centre.iter()))
    {
        if v.is_finite() {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    let input_fmt = QFmt::for_range(lo, hi, w.input_bits);
    let lsb = 1.0 / input_fmt.scale();
    let span = input_fmt.max_code() - input_fmt.min_code();
    let (d_max, dist_lsb) = match m.metric {
        Metric::SquaredEuclidean => (m.n_features as i64 * span * span, lsb * lsb),
        Metric::Manhattan => (m.n_features as i64 * span, lsb),
    };
    let n_out = m.n_outputs();
    let max_w = m
        .units
        .iter()
        .flat_map(|u| u.weights.iter())
        .fold(0.0f64, |a, w| a.max(w.abs()));
    // All-zero weights make every table 0 whatever the format: size it by the bias
    // then, so the bias code stays in range.
    let span = if max_w > 0.0 {
        max_w
    } else {
        m.bias.iter().fold(1.0f64, |a, b| a.max(b.abs()))
    };
    let table_fmt = QFmt::for_range(-span, span, w.table_bits);
    let units = m
        .units
        .iter()
        .map(|u| {
            let centre = u
                .centre
                .iter()
                .map(|&c| input_fmt_round(&input_fmt, c))
                .collect();
            let uw = u.weights.iter().fold(0.0f64, |a, w| a.max(w.abs()));
            let shift = if w.interp {
                kernel_shift_interp(u.gamma, uw, &table_fmt, dist_lsb, w.index_bits, d_max)
            } else {
                kernel_shift(u.gamma, uw, &table_fmt, dist_lsb, w.index_bits, d_max)
            };
            let len = kernel_len(shift, w.index_bits, d_max);
            let mut tables = Vec::new();
            let mut slopes = Vec::new();
            for (o, &wt) in u.weights.iter().enumerate() {
                if wt == 0.0 {
                    continue;
                }
                if w.interp {
                    let (t, s) = kernel_table_interp(wt, u.gamma, dist_lsb, shift, len, &table_fmt);
                    tables.push((o, t));
                    slopes.push(s);
                } else {
                    tables.push((
                        o,
                        kernel_table(wt, u.gamma, dist_lsb, shift, len, &table_fmt),
                    ));
                }
            }
            QUnit {
                centre,
                class: u.class,
                shift,
                tables,
                slopes,
                gamma_code: gamma_code(m, u.gamma),
            }
        })
        .collect();
    RbfQuant {
        format: FORMAT.into(),
        kind: m.kind,
        task: m.task,
        n_classes: m.n_classes,
        n_outputs: n_out,
        metric: m.metric,
        feature_names: (0..m.n_features)
            .map(|f| match &m.feature_names {
                Some(n) if f < n.len() => n[f].clone(),
                _ => format!("f{f}"),
            })
            .collect(),
        input_bits: w.input_bits,
        input_fmt,
        index_bits: w.index_bits,
        table_bits: w.table_bits,
        table_fmt,
        interp: w.interp,
        d_max,
        bias: m.bias.iter().map(|&b| table_fmt.round_value(b)).collect(),
        units,
        scaler: m.scaler.clone(),
        evidence: false,
        serial: false,
        lanes: 1,
    }
}

/// Round to nearest on the grid, saturated (NaN reads as 0.0, as the float model does).
fn input_fmt_round(f: &QFmt, x: f64) -> i64 {
    let x = if x.is_nan() { 0.0 } else { x };
    let c = (x * f.scale()).round();
    c.clamp(f.min_code() as f64, f.max_code() as f64) as i64
}

impl RbfQuant {
    /// A row of real values as input codes.
    pub fn encode_row(&self, row: &[f64]) -> Encoded {
        let n = self.feature_names.len();
        let row = &*InputScaler::maybe_apply(self.scaler.as_ref(), row);
        Encoded {
            codes: (0..n)
                .map(|f| input_fmt_round(&self.input_fmt, row.get(f).copied().unwrap_or(0.0)))
                .collect(),
            nan: vec![false; n],
            zero: vec![false; n],
        }
    }

    /// Distance code of unit `u` from input codes.
    pub fn distance(&self, u: &QUnit, codes: &[i64]) -> i64 {
        u.centre
            .iter()
            .zip(codes)
            .map(|(&c, &x)| match self.metric {
                Metric::SquaredEuclidean => (x - c) * (x - c),
                Metric::Manhattan => (x - c).abs(),
            })
            .sum()
    }

    /// The integer prediction: what the hardware computes.
    pub fn predict_codes(&self, codes: &[i64]) -> RbfQPrediction {
        let d: Vec<i64> = self.units.iter().map(|u| self.distance(u, codes)).collect();
        if self.kind == RbfKind::Prototype {
            let mut best = 0;
            for (k, &x) in d.iter().enumerate() {
                if x < d[best] {
                    best = k;
                }
            }
            let class = self.units.get(best).map_or(0, |u| u.class);
            return RbfQPrediction { scores: d, class };
        }
        let mut scores = self.bias.clone();
        for (u, &du) in self.units.iter().zip(&d) {
            for (k, (o, t)) in u.tables.iter().enumerate() {
                scores[*o] += match u.slopes.get(k) {
                    Some(s) => interp_value(t, s, du, u.shift),
                    None => t[lut_index(du, u.shift, t.len())],
                };
            }
        }
        let class = self.decide(&scores);
        RbfQPrediction { scores, class }
    }

    /// The class from output codes (same rules as the float model).
    pub fn decide(&self, scores: &[i64]) -> usize {
        match (self.kind, self.task) {
            (_, Task::Regression) | (RbfKind::Prototype, _) | (RbfKind::Svr, _) => 0,
            (RbfKind::Svc, _) => {
                let mut votes = vec![0u32; self.n_classes];
                for (p, (i, j)) in RbfModel::pairs(self.n_classes).into_iter().enumerate() {
                    if scores[p] > 0 {
                        votes[i] += 1;
                    } else {
                        votes[j] += 1;
                    }
                }
                first_max(&votes)
            }
            (RbfKind::Network, _) => first_max(scores),
        }
    }

    /// Output codes as reals.
    pub fn real_scores(&self, scores: &[i64]) -> Vec<f64> {
        scores.iter().map(|&s| self.table_fmt.to_real(s)).collect()
    }
}

/// The search result.
pub struct RbfChoice {
    pub model: RbfQuant,
    pub loss: f64,
    pub loss_kind: Loss,
    pub budget_met: bool,
    pub trials: Vec<Trial>,
}

/// Loss of `q` against the float model on `rows` (see `quant::search` for the kinds).
fn loss_of(
    m: &RbfModel,
    q: &RbfQuant,
    rows: &[Vec<f64>],
    float: &[(usize, f64)],
    labels: Option<&[f64]>,
) -> (f64, Loss) {
    let n = rows.len().max(1) as f64;
    let preds: Vec<RbfQPrediction> = rows
        .iter()
        .map(|r| q.predict_codes(&q.encode_row(r).codes))
        .collect();
    if m.task == Task::Classification {
        let flipped = preds
            .iter()
            .zip(float)
            .filter(|(p, f)| p.class != f.0)
            .count();
        return (100.0 * flipped as f64 / n, Loss::FlippedRows);
    }
    let fixed: Vec<f64> = preds.iter().map(|p| q.real_scores(&p.scores)[0]).collect();
    let fl: Vec<f64> = float.iter().map(|f| f.1).collect();
    let diff = rmse(&fixed, &fl);
    match labels {
        Some(y) => {
            let base = rmse(&fl, y).max(1e-12);
            (100.0 * diff / base, Loss::RmseIncrease)
        }
        None => {
            let mean = fl.iter().sum::<f64>() / n;
            let spread = (fl.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n)
                .sqrt()
                .max(1e-12);
            (100.0 * diff / spread, Loss::RmseVsFloat)
        }
    }
}

/// Area estimate in bit-operations: multipliers, adders and table bits.
pub fn area_estimate(q: &RbfQuant) -> u64 {
    let f = q.feature_names.len() as u64;
    let wi = u64::from(q.input_bits) + 1;
    let tb = u64::from(q.table_bits);
    // Interpolation doubles the table bits and adds a table × remainder multiply.
    let per_table = if q.interp {
        2 * (1u64 << q.index_bits) * tb / 4 + tb * (tb + 8) + 2 * tb
    } else {
        (1u64 << q.index_bits) * tb / 4 + tb
    };
    let per_unit =
        f * (wi * wi + 2 * wi) + q.units.first().map_or(0, |u| u.tables.len() as u64) * per_table;
    per_unit * q.units.len() as u64
}

/// Chooses input, index and table widths: each as small as the budget allows with the
/// others at their widest, then the combination, widened until it meets the budget.
/// `--input-bits` fixes the input width and `--leaf-bits` the table width. Plain
/// tables first; when they miss the budget even at the widest formats (steep kernels,
/// e.g. SVR with many support vectors), the same search with interpolated tables,
/// kept if it meets the budget or loses less.
pub fn choose(
    m: &RbfModel,
    rows: &[Vec<f64>],
    labels: Option<&[f64]>,
    opts: &SearchOptions,
    data_file: &str,
) -> Result<RbfChoice> {
    if rows.is_empty() {
        return Err(Error::input(
            data_file,
            "",
            "no rows; expected calibration rows to choose formats from",
        ));
    }
    let float: Vec<(usize, f64)> = rows
        .iter()
        .map(|r| {
            let p = m.predict_row(r);
            (p.class, p.outputs.first().copied().unwrap_or(0.0))
        })
        .collect();
    let plain = search(m, rows, labels, opts, &float, false);
    if plain.budget_met || m.kind == RbfKind::Prototype {
        return Ok(plain);
    }
    let mut interp = search(m, rows, labels, opts, &float, true);
    if interp.budget_met || interp.loss < plain.loss {
        let mut trials = plain.trials;
        trials.append(&mut interp.trials);
        interp.trials = trials;
        Ok(interp)
    } else {
        let mut plain = plain;
        plain.trials.append(&mut interp.trials);
        Ok(plain)
    }
}

/// The width search with plain or interpolated tables.
fn search(
    m: &RbfModel,
    rows: &[Vec<f64>],
    labels: Option<&[f64]>,
    opts: &SearchOptions,
    float: &[(usize, f64)],
    interp: bool,
) -> RbfChoice {
    let proto = m.kind == RbfKind::Prototype;
    let in_range: Vec<u32> = match opts.input_bits {
        Some(b) => vec![b],
        None => (3..=16).collect(),
    };
    let tb_range: Vec<u32> = match (proto, opts.leaf_bits) {
        (true, _) => vec![1],
        (false, Some(b)) => vec![b],
        (false, None) => (4..=20).collect(),
    };
    // Interpolation error falls 4× per index bit (plain: 2×), so larger tables pay.
    let ix_range: Vec<u32> = match (proto, interp) {
        (true, _) => vec![1],
        (false, false) => (4..=9).collect(),
        (false, true) => (4..=11).collect(),
    };
    let widest = RbfWidths {
        input_bits: *in_range.last().unwrap_or(&16),
        index_bits: *ix_range.last().unwrap_or(&9),
        table_bits: *tb_range.last().unwrap_or(&20),
        interp,
    };
    let mut trials = Vec::new();
    let mut kind = Loss::FlippedRows;
    let mut try_w = |w: RbfWidths, trials: &mut Vec<Trial>| -> (f64, RbfQuant) {
        let q = quantize(m, rows, w);
        let (l, k) = loss_of(m, &q, rows, float, labels);
        kind = k;
        trials.push(Trial {
            input_bits: w.input_bits,
            leaf_bits: w.table_bits,
            loss: l,
            cost: area_estimate(&q),
            within_budget: l <= opts.max_loss,
        });
        (l, q)
    };
    // Smallest value of one dimension meeting the budget with the others widest.
    let mut pick =
        |range: &[u32], set: &dyn Fn(RbfWidths, u32) -> RbfWidths, trials: &mut Vec<Trial>| {
            for &b in range {
                if try_w(set(widest, b), trials).0 <= opts.max_loss {
                    return b;
                }
            }
            *range.last().unwrap_or(&1)
        };
    let ib = pick(
        &in_range,
        &|w, b| RbfWidths { input_bits: b, ..w },
        &mut trials,
    );
    let xb = pick(
        &ix_range,
        &|w, b| RbfWidths { index_bits: b, ..w },
        &mut trials,
    );
    let tb = pick(
        &tb_range,
        &|w, b| RbfWidths { table_bits: b, ..w },
        &mut trials,
    );
    let mut w = RbfWidths {
        input_bits: ib,
        index_bits: xb,
        table_bits: tb,
        interp,
    };
    loop {
        let (mut l, mut q) = try_w(w, &mut trials);
        let at_widest = w == widest;
        if l <= opts.max_loss {
            // Area: each dimension was sized with the others at their widest, which
            // can oversize one (a wide table reaches far, so its buckets are coarse
            // and need more index bits). Step down one bit at a time, taking the
            // cheapest narrower choice that still meets the budget, until none does.
            let mut cost = area_estimate(&q);
            loop {
                let mut best: Option<(u64, RbfWidths, f64, RbfQuant)> = None;
                let steps = [
                    (in_range[0] < w.input_bits).then(|| RbfWidths {
                        input_bits: w.input_bits - 1,
                        ..w
                    }),
                    (ix_range[0] < w.index_bits).then(|| RbfWidths {
                        index_bits: w.index_bits - 1,
                        ..w
                    }),
                    (tb_range[0] < w.table_bits).then(|| RbfWidths {
                        table_bits: w.table_bits - 1,
                        ..w
                    }),
                ];
                for cand in steps.into_iter().flatten() {
                    let (cl, cq) = try_w(cand, &mut trials);
                    let cc = area_estimate(&cq);
                    if cl <= opts.max_loss && cc < best.as_ref().map_or(cost, |b| b.0) {
                        best = Some((cc, cand, cl, cq));
                    }
                }
                match best {
                    Some((cc, cw, cl, cq)) => {
                        (cost, w, l, q) = (cc, cw, cl, cq);
                    }
                    None => break,
                }
            }
        }
        if l <= opts.max_loss || at_widest {
            return RbfChoice {
                model: q,
                loss: l,
                loss_kind: kind,
                budget_met: l <= opts.max_loss,
                trials,
            };
        }
        w = RbfWidths {
            input_bits: (w.input_bits + 1).min(widest.input_bits),
            index_bits: (w.index_bits + 1).min(widest.index_bits),
            table_bits: (w.table_bits + 1).min(widest.table_bits),
            interp,
        };
    }
}

/// `gamma` relative to the model's largest, in 2^-15 steps (at least 1); 1 for every unit
/// of a model whose units share one width (SVMs) or have none (prototypes).
fn gamma_code(m: &RbfModel, gamma: f64) -> i64 {
    let max = m.units.iter().map(|u| u.gamma).fold(0.0f64, f64::max);
    let shared = m.units.iter().all(|u| u.gamma == m.units[0].gamma);
    if shared || !(max > 0.0 && gamma.is_finite()) {
        return 1;
    }
    ((gamma / max * 32768.0).round() as i64).clamp(1, 32768)
}
