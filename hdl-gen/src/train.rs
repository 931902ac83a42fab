//! Built-in deterministic trainer for RBF networks and nearest-prototype models from a CSV (`locus train`), writing the native format (docs/rbf-format.md).
//!
//! - Centres: k-means++ seeding then Lloyd iterations (a small own implementation,
//!   seeded by a splitmix64 generator, so a seed gives byte-identical models); `K`
//!   centres per class for classification, `K` overall for regression.
//! - RBF network widths: `gamma = 1 / (2·s)` with `s` the mean distance of a cluster's
//!   members to its centre (the mean over all clusters when a cluster is a single point).
//! - RBF network output weights: ridge-regularised least squares on one-hot targets
//!   (classification) or the label (regression), with an unregularised bias, solved
//!   through the normal equations by Cholesky.
//! - Prototypes: the k-means centres of each class, labelled with the class.

use crate::data::{parse_csv, LABEL};
use crate::error::{Error, Result};
use crate::model::rbf::{Metric, RbfKind, RbfModel, Unit, FORMAT, VERSION};
use crate::model::Task;
use std::path::Path;

/// What to train.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrainKind {
    /// An RBF network (`kind: network`).
    Rbf,
    /// A nearest-prototype classifier (`kind: prototype`).
    Prototype,
}

/// Trainer settings.
#[derive(Clone, Debug)]
pub struct TrainOptions {
    pub kind: TrainKind,
    /// Centres per class (classification) or overall (regression); `None`: the default
    /// (RBF network 8 per class or 32 overall, prototypes 4 per class).
    pub centres: Option<usize>,
    pub seed: u64,
    pub metric: Metric,
    /// Train a regression network on the `label` value (RBF networks only).
    pub regression: bool,
    /// Ridge strength, relative to the mean diagonal of the normal equations.
    pub ridge: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            kind: TrainKind::Rbf,
            centres: None,
            seed: 0,
            metric: Metric::SquaredEuclidean,
            regression: false,
            ridge: 1e-3,
        }
    }
}

/// Trains from a CSV file (header row, feature columns, a `label` column).
pub fn train_csv(path: &Path, opts: &TrainOptions) -> Result<RbfModel> {
    let file = path.display().to_string();
    let bytes = crate::limits::read_capped(path, crate::limits::MAX_CSV_BYTES, "a CSV")?;
    train_bytes(&file, &bytes, opts)
}

/// [`train_csv`] from CSV bytes (`file` names them in errors).
pub fn train_bytes(file: &str, bytes: &[u8], opts: &TrainOptions) -> Result<RbfModel> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| Error::input(file, "line 1", e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if !header.iter().any(|h| h == LABEL) {
        return Err(Error::input(
            file,
            "line 1",
            format!("no '{LABEL}' column; training needs a column named '{LABEL}' with the truth"),
        ));
    }
    let names: Vec<String> = header.iter().filter(|h| *h != LABEL).cloned().collect();
    if names.is_empty() {
        return Err(Error::input(
            file,
            "line 1",
            "no feature columns; expected at least one column besides 'label'",
        ));
    }
    let d = parse_csv(file, bytes, names.len(), Some(&names))?;
    let labels = d.labels.unwrap_or_default();
    if d.rows.is_empty() {
        return Err(Error::input(
            file,
            "",
            "no data rows; expected at least one",
        ));
    }
    // Missing values count as 0.0, as in the float predictor.
    let rows: Vec<Vec<f64>> = d
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| if v.is_nan() { 0.0 } else { *v })
                .collect()
        })
        .collect();
    let regression = opts.regression;
    if regression && opts.kind == TrainKind::Prototype {
        return Err(Error::input(
            file,
            "",
            "a prototype model is a classifier; --regression needs `train rbf`",
        ));
    }
    let mut rng = Rng(opts.seed ^ 0x6c6f_6375_735f_7262);
    let mut model = RbfModel {
        format: FORMAT.to_string(),
        version: VERSION,
        source: String::new(),
        kind: match opts.kind {
            TrainKind::Rbf => RbfKind::Network,
            TrainKind::Prototype => RbfKind::Prototype,
        },
        task: if regression {
            Task::Regression
        } else {
            Task::Classification
        },
        n_features: names.len(),
        feature_names: Some(names),
        n_classes: 1,
        class_names: None,
        metric: opts.metric,
        units: Vec::new(),
        bias: Vec::new(),
        scaler: None,
    };
    // Clusters: (centre, class, spread).
    let mut clusters: Vec<(Vec<f64>, usize, f64)> = Vec::new();
    if regression {
        let k = opts.centres.unwrap_or(32);
        check_k(file, k, rows.len(), "the data")?;
        let idx: Vec<usize> = (0..rows.len()).collect();
        for (c, s) in kmeans(&rows, &idx, k, opts.metric, &mut rng) {
            clusters.push((c, 0, s));
        }
    } else {
        let mut classes = Vec::with_capacity(labels.len());
        for (i, &l) in labels.iter().enumerate() {
            if !(l >= 0.0 && l.fract() == 0.0 && l < 65536.0) {
                return Err(Error::input(
                    file,
                    format!("data row {}, column '{LABEL}'", i + 1),
                    format!("label {l}; expected a class index 0, 1, 2, … (or pass --regression for an RBF network)"),
                ));
            }
            classes.push(l as usize);
        }
        let n_classes = classes.iter().max().map_or(0, |m| m + 1);
        if n_classes < 2 {
            return Err(Error::input(
                file,
                format!("column '{LABEL}'"),
                "one class only; a classifier needs at least 2",
            ));
        }
        model.n_classes = n_classes;
        let k = opts.centres.unwrap_or(match opts.kind {
            TrainKind::Rbf => 8,
            TrainKind::Prototype => 4,
        });
        for c in 0..n_classes {
            let idx: Vec<usize> = (0..rows.len()).filter(|&i| classes[i] == c).collect();
            check_k(file, k, idx.len(), &format!("class {c}"))?;
            for (centre, s) in kmeans(&rows, &idx, k, opts.metric, &mut rng) {
                clusters.push((centre, c, s));
            }
        }
        if opts.kind == TrainKind::Rbf {
            let targets: Vec<Vec<f64>> = classes
                .iter()
                .map(|&c| {
                    (0..n_classes)
                        .map(|o| f64::from(u8::from(o == c)))
                        .collect()
                })
                .collect();
            return finish_network(model, clusters, &rows, &targets, opts, file);
        }
    }
    match opts.kind {
        TrainKind::Prototype => {
            model.source = format!(
                "locus train prototype (k-means++, {} per class, seed {})",
                clusters.len() / model.n_classes,
                opts.seed
            );
            model.units = clusters
                .into_iter()
                .map(|(centre, class, _)| Unit {
                    centre,
                    gamma: 0.0,
                    class,
                    weights: Vec::new(),
                })
                .collect();
            model.check().map_err(|e| Error::input(file, "", e))?;
            Ok(model)
        }
        TrainKind::Rbf => {
            let targets: Vec<Vec<f64>> = labels.iter().map(|&l| vec![l]).collect();
            finish_network(model, clusters, &rows, &targets, opts, file)
        }
    }
}

fn check_k(file: &str, k: usize, n: usize, what: &str) -> Result<()> {
    if k == 0 {
        return Err(Error::input(
            file,
            "--centres",
            "0 centres; expected at least 1",
        ));
    }
    if k > n {
        return Err(Error::input(
            file,
            "--centres",
            format!("{k} centres but {what} has only {n} rows; expected --centres {n} or fewer"),
        ));
    }
    Ok(())
}

/// Widths from the spread, then output weights by ridge least squares.
fn finish_network(
    mut model: RbfModel,
    clusters: Vec<(Vec<f64>, usize, f64)>,
    rows: &[Vec<f64>],
    targets: &[Vec<f64>],
    opts: &TrainOptions,
    file: &str,
) -> Result<RbfModel> {
    let spreads: Vec<f64> = clusters.iter().map(|c| c.2).filter(|&s| s > 0.0).collect();
    let mean_spread = if spreads.is_empty() {
        1.0
    } else {
        spreads.iter().sum::<f64>() / spreads.len() as f64
    };
    let gammas: Vec<f64> = clusters
        .iter()
        .map(|c| {
            let s = if c.2 > 0.0 { c.2 } else { mean_spread };
            1.0 / (2.0 * s)
        })
        .collect();
    let k = clusters.len();
    let n_out = targets.first().map_or(1, |t| t.len());
    // Normal equations over [K_0 … K_{k−1}, 1].
    let m = k + 1;
    let mut a = vec![0.0; m * m];
    let mut b = vec![0.0; m * n_out];
    let mut phi = vec![0.0; m];
    for (row, t) in rows.iter().zip(targets) {
        for (j, (c, _, _)) in clusters.iter().enumerate() {
            phi[j] = (-gammas[j] * distance(opts.metric, row, c)).exp();
        }
        phi[k] = 1.0;
        for i in 0..m {
            if phi[i] == 0.0 {
                continue;
            }
            for j in 0..=i {
                a[i * m + j] += phi[i] * phi[j];
            }
            for o in 0..n_out {
                b[i * n_out + o] += phi[i] * t[o];
            }
        }
    }
    for i in 0..m {
        for j in 0..i {
            a[j * m + i] = a[i * m + j];
        }
    }
    let diag = (0..k).map(|i| a[i * m + i]).sum::<f64>() / k as f64;
    let lambda = opts.ridge * diag.max(1e-12);
    for i in 0..k {
        a[i * m + i] += lambda;
    }
    // A tiny jitter on the bias keeps the factorisation positive definite.
    a[k * m + k] += 1e-9 * diag.max(1e-12);
    let l = cholesky(&a, m).ok_or_else(|| {
        Error::input(
            file,
            "",
            "the least-squares system is singular; try fewer --centres",
        )
    })?;
    let w = cholesky_solve(&l, m, &b, n_out);
    model.bias = (0..n_out).map(|o| w[k * n_out + o]).collect();
    model.units = clusters
        .into_iter()
        .enumerate()
        .map(|(j, (centre, class, _))| Unit {
            centre,
            gamma: gammas[j],
            class,
            weights: (0..n_out).map(|o| w[j * n_out + o]).collect(),
        })
        .collect();
    model.source = format!(
        "locus train rbf (k-means++, {k} centres, seed {}, ridge {})",
        opts.seed, opts.ridge
    );
    model.check().map_err(|e| Error::input(file, "", e))?;
    Ok(model)
}

/// The model's distance (squared Euclidean or Manhattan).
fn distance(metric: Metric, x: &[f64], c: &[f64]) -> f64 {
    x.iter()
        .zip(c)
        .map(|(a, b)| match metric {
            Metric::SquaredEuclidean => (a - b) * (a - b),
            Metric::Manhattan => (a - b).abs(),
        })
        .sum()
}

fn sq(x: &[f64], c: &[f64]) -> f64 {
    distance(Metric::SquaredEuclidean, x, c)
}

/// k-means++ then Lloyd on `rows[idx]`: `k` (centre, mean member distance under `metric`).
fn kmeans(
    rows: &[Vec<f64>],
    idx: &[usize],
    k: usize,
    metric: Metric,
    rng: &mut Rng,
) -> Vec<(Vec<f64>, f64)> {
    let mut centres: Vec<Vec<f64>> = vec![rows[idx[rng.below(idx.len())]].clone()];
    let mut d2: Vec<f64> = idx.iter().map(|&i| sq(&rows[i], &centres[0])).collect();
    while centres.len() < k {
        let total: f64 = d2.iter().sum();
        let pick = if total > 0.0 {
            let mut r = rng.unit() * total;
            let mut p = d2.len() - 1;
            for (j, &d) in d2.iter().enumerate() {
                if r < d {
                    p = j;
                    break;
                }
                r -= d;
            }
            p
        } else {
            rng.below(idx.len())
        };
        let c = rows[idx[pick]].clone();
        for (j, &i) in idx.iter().enumerate() {
            d2[j] = d2[j].min(sq(&rows[i], &c));
        }
        centres.push(c);
    }
    let nf = rows[idx[0]].len();
    let mut assign = vec![usize::MAX; idx.len()];
    for _ in 0..100 {
        let mut changed = false;
        for (j, &i) in idx.iter().enumerate() {
            let mut best = 0;
            let mut bd = f64::INFINITY;
            for (c, centre) in centres.iter().enumerate() {
                let d = sq(&rows[i], centre);
                if d < bd {
                    bd = d;
                    best = c;
                }
            }
            if assign[j] != best {
                assign[j] = best;
                changed = true;
            }
        }
        if !changed {
            break;
        }
        let mut sums = vec![vec![0.0; nf]; k];
        let mut counts = vec![0usize; k];
        for (j, &i) in idx.iter().enumerate() {
            counts[assign[j]] += 1;
            for (s, v) in sums[assign[j]].iter_mut().zip(&rows[i]) {
                *s += v;
            }
        }
        for c in 0..k {
            if counts[c] > 0 {
                centres[c] = sums[c].iter().map(|s| s / counts[c] as f64).collect();
            }
        }
    }
    let mut spread = vec![0.0; k];
    let mut counts = vec![0usize; k];
    for (j, &i) in idx.iter().enumerate() {
        spread[assign[j]] += distance(metric, &rows[i], &centres[assign[j]]);
        counts[assign[j]] += 1;
    }
    centres
        .into_iter()
        .enumerate()
        .map(|(c, centre)| {
            let s = if counts[c] > 0 {
                spread[c] / counts[c] as f64
            } else {
                0.0
            };
            (centre, s)
        })
        .collect()
}

/// Lower-triangular `L` with `A = L·Lᵀ`, or `None` when `A` is not positive definite.
pub fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            for p in 0..j {
                s -= l[i * n + p] * l[j * n + p];
            }
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// Solves `L·Lᵀ·X = B` for `X` (`B` is `n × m`, row-major).
pub fn cholesky_solve(l: &[f64], n: usize, b: &[f64], m: usize) -> Vec<f64> {
    let mut y = b.to_vec();
    for c in 0..m {
        for i in 0..n {
            let mut s = y[i * m + c];
            for p in 0..i {
                s -= l[i * n + p] * y[p * m + c];
            }
            y[i * m + c] = s / l[i * n + i];
        }
        for i in (0..n).rev() {
            let mut s = y[i * m + c];
            for p in i + 1..n {
                s -= l[p * n + i] * y[p * m + c];
            }
            y[i * m + c] = s / l[i * n + i];
        }
    }
    y
}

/// splitmix64: small, deterministic, good enough for seeding k-means.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let l = cholesky(&a, 2).unwrap();
        let x = cholesky_solve(&l, 2, &[2.0, 1.0], 1);
        assert!((4.0 * x[0] + 2.0 * x[1] - 2.0).abs() < 1e-12);
        assert!((2.0 * x[0] + 3.0 * x[1] - 1.0).abs() < 1e-12);
    }

    const CSV: &[u8] = b"a,b,label\n0,0,0\n0.1,0,0\n0,0.2,0\n2,2,1\n2.1,2,1\n2,1.9,1\n";

    #[test]
    fn trains_both_kinds_deterministically() {
        for kind in [TrainKind::Rbf, TrainKind::Prototype] {
            let o = TrainOptions {
                kind,
                centres: Some(2),
                seed: 3,
                ..TrainOptions::default()
            };
            let m = train_bytes("t.csv", CSV, &o).unwrap();
            assert_eq!(m, train_bytes("t.csv", CSV, &o).unwrap());
            assert_eq!(m.units.len(), 4);
            for (row, want) in [([0.05, 0.05], 0), ([2.0, 2.0], 1)] {
                assert_eq!(m.predict_row(&row).class, want, "{kind:?}");
            }
        }
    }

    #[test]
    fn refuses_bad_input() {
        let o = TrainOptions::default();
        let e = train_bytes("t.csv", b"a,b\n1,2\n", &o).unwrap_err();
        assert!(e.to_string().contains("no 'label' column"), "{e}");
        let o = TrainOptions {
            centres: Some(4),
            ..TrainOptions::default()
        };
        let e = train_bytes("t.csv", CSV, &o).unwrap_err();
        assert!(e.to_string().contains("only 3 rows"), "{e}");
        assert!(e.is_user_error());
        let e =
            train_bytes("t.csv", b"a,label\n1,0.5\n2,1\n", &TrainOptions::default()).unwrap_err();
        assert!(e.to_string().contains("class index"), "{e}");
    }
}
