//! CSV data: a header row, feature columns matched to the model, an optional `label` column.
//!
//! Feature columns are matched by the model's feature names when it has them, else
//! taken in order (every column but `label`). Extra columns are ignored when names
//! match. An empty cell or `NaN` is a missing value.

use crate::error::{Error, Result};
use crate::model::Model;
use std::path::Path;

/// Rows of feature values in model order, and labels when the file has them.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// The file name, for messages.
    pub file: String,
    pub rows: Vec<Vec<f64>>,
    pub labels: Option<Vec<f64>>,
}

/// The column holding the truth.
pub const LABEL: &str = "label";

/// Reads `path` for a model with `n_features` features and optional `names`.
pub fn read_csv(path: &Path, n_features: usize, names: Option<&[String]>) -> Result<Dataset> {
    let file = path.display().to_string();
    let bytes = crate::limits::read_capped(path, crate::limits::MAX_CSV_BYTES, "a CSV")?;
    parse_csv(&file, &bytes, n_features, names)
}

/// What a CSV is read against: the number of features and their names, if known.
pub trait Schema {
    fn n_features(&self) -> usize;
    fn feature_names(&self) -> Option<&[String]>;
    /// Class names, which `label` cells may use instead of class indices.
    fn class_names(&self) -> Option<&[String]> {
        None
    }
}

impl Schema for Model {
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn feature_names(&self) -> Option<&[String]> {
        self.feature_names.as_deref()
    }
    fn class_names(&self) -> Option<&[String]> {
        self.class_names.as_deref()
    }
}

impl Schema for crate::model::AnyModel {
    fn n_features(&self) -> usize {
        crate::model::AnyModel::n_features(self)
    }
    fn feature_names(&self) -> Option<&[String]> {
        crate::model::AnyModel::feature_names(self)
    }
    fn class_names(&self) -> Option<&[String]> {
        crate::model::AnyModel::class_names(self)
    }
}

impl Schema for crate::model::rbf::RbfModel {
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn feature_names(&self) -> Option<&[String]> {
        self.feature_names.as_deref()
    }
    fn class_names(&self) -> Option<&[String]> {
        self.class_names.as_deref()
    }
}

/// Reads a CSV for `model`; `label` cells may be the model's class names.
pub fn read_for_model<M: Schema + ?Sized>(path: &Path, model: &M) -> Result<Dataset> {
    let file = path.display().to_string();
    let bytes = crate::limits::read_capped(path, crate::limits::MAX_CSV_BYTES, "a CSV")?;
    parse_csv_with_classes(
        &file,
        &bytes,
        model.n_features(),
        model.feature_names(),
        model.class_names(),
    )
}

/// Parses CSV bytes (`file` names them in errors).
pub fn parse_csv(
    file: &str,
    bytes: &[u8],
    n_features: usize,
    names: Option<&[String]>,
) -> Result<Dataset> {
    parse_csv_with_classes(file, bytes, n_features, names, None)
}

/// [`parse_csv`] for a classifier with class names: a `label` cell may be a class name,
/// which becomes that class's index. A cell that names no class is read as a class index
/// when it is a number and the names are not numbers themselves (so `3` under the names
/// `3`, `7` is class 0, never class 3).
pub fn parse_csv_with_classes(
    file: &str,
    bytes: &[u8],
    n_features: usize,
    names: Option<&[String]>,
    classes: Option<&[String]>,
) -> Result<Dataset> {
    let numeric_names = classes.is_some_and(|c| c.iter().any(|n| parse_cell(n).is_some()));
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| csv_error(file, &e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if header.iter().all(|h| h.is_empty()) {
        return Err(Error::input(
            file,
            "line 1",
            "empty header; expected a header row naming the columns",
        ));
    }
    let label_col = header.iter().position(|h| h == LABEL);
    let columns = feature_columns(file, &header, label_col, n_features, names)?;
    let mut rows = Vec::new();
    let mut labels = label_col.map(|_| Vec::new());
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| csv_error(file, &e))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(i as u64 + 2);
        let cell = |c: usize| -> Result<f64> {
            let s = rec.get(c).unwrap_or("").trim();
            parse_cell(s).ok_or_else(|| {
                Error::input(
                    file,
                    format!("line {line}, column '{}'", header[c]),
                    format!("'{}' is not a number; expected a number, or an empty cell or NaN for a missing value", short(s)),
                )
            })
        };
        let mut row = Vec::with_capacity(n_features);
        for &c in &columns {
            row.push(cell(c)?);
        }
        if let (Some(c), Some(l)) = (label_col, labels.as_mut()) {
            let text = rec.get(c).unwrap_or("").trim();
            if let Some(k) = classes.and_then(|n| n.iter().position(|n| n == text)) {
                l.push(k as f64);
                rows.push(row);
                continue;
            }
            if let Some(names) = classes.filter(|_| numeric_names || parse_cell(text).is_none()) {
                return Err(Error::input(
                    file,
                    format!("line {line}, column '{LABEL}'"),
                    format!(
                        "'{}' is not a class name; expected one of {}",
                        short(text),
                        list(&names.iter().map(String::as_str).collect::<Vec<_>>())
                    ),
                ));
            }
            let v = parse_cell(text).ok_or_else(|| {
                Error::input(
                    file,
                    format!("line {line}, column '{LABEL}'"),
                    format!(
                        "'{}' is not a number; expected a class index or regression target \
                         (class names need a model that has them, or --classes)",
                        short(text)
                    ),
                )
            })?;
            if !v.is_finite() {
                return Err(Error::input(
                    file,
                    format!("line {line}, column '{LABEL}'"),
                    "label is missing or not finite; expected a number",
                ));
            }
            l.push(v);
        }
        rows.push(row);
    }
    Ok(Dataset {
        file: file.to_string(),
        rows,
        labels,
    })
}

fn feature_columns(
    file: &str,
    header: &[String],
    label_col: Option<usize>,
    n_features: usize,
    names: Option<&[String]>,
) -> Result<Vec<usize>> {
    if let Some(names) = names.filter(|n| !n.is_empty()) {
        let found: Vec<Option<usize>> = names
            .iter()
            .map(|n| header.iter().position(|h| h == n))
            .collect();
        if found.iter().all(|f| f.is_some()) {
            return Ok(found.into_iter().flatten().collect());
        }
        let missing: Vec<&str> = names
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(n, _)| n.as_str())
            .collect();
        // No name matches at all and the count fits: take the columns in order.
        let unnamed = header.len() - usize::from(label_col.is_some());
        if missing.len() < names.len() || unnamed != n_features {
            return Err(Error::input(
                file,
                "line 1",
                format!(
                    "missing column{} {}; expected the model's feature names as column headers",
                    if missing.len() == 1 { "" } else { "s" },
                    list(&missing)
                ),
            ));
        }
    }
    let cols: Vec<usize> = (0..header.len())
        .filter(|&c| Some(c) != label_col)
        .collect();
    if cols.len() != n_features {
        return Err(Error::input(
            file,
            "line 1",
            format!(
                "{} feature column{}, but the model has {n_features} features; expected one column per feature (and optionally '{LABEL}')",
                cols.len(),
                if cols.len() == 1 { "" } else { "s" }
            ),
        ));
    }
    Ok(cols)
}

/// A cell's value: empty, `NaN`, `nan`, `NA` are missing (NaN).
pub fn parse_cell(s: &str) -> Option<f64> {
    match s {
        "" | "NaN" | "nan" | "NAN" | "NA" | "null" => Some(f64::NAN),
        _ => s.parse::<f64>().ok().filter(|v| !v.is_nan()),
    }
}

fn list(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(5).map(|n| format!("'{n}'")).collect();
    let more = names.len().saturating_sub(5);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn short(s: &str) -> String {
    let mut t: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        t.push('…');
    }
    t
}

fn csv_error(file: &str, e: &csv::Error) -> Error {
    let place = e
        .position()
        .map(|p| format!("line {}", p.line()))
        .unwrap_or_default();
    let msg = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("{len} cells; expected {expected_len}, as many as the header has")
        }
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8 text; expected a CSV file".to_string(),
        _ => format!("{e}; expected a CSV file"),
    };
    Error::input(file, place, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn by_name_with_label_and_missing() {
        let d = parse_csv(
            "d.csv",
            b"b,label,a,extra\n1,0,2,x\n,1,NaN,y\n",
            2,
            Some(&names(&["a", "b"])),
        )
        .unwrap();
        assert_eq!(d.rows[0], vec![2.0, 1.0]);
        assert!(d.rows[1][0].is_nan() && d.rows[1][1].is_nan());
        assert_eq!(d.labels, Some(vec![0.0, 1.0]));
    }

    #[test]
    fn labels_may_be_class_names() {
        let classes = names(&["setosa", "versicolor"]);
        let d = parse_csv_with_classes(
            "d.csv",
            b"a,label\n1,versicolor\n2,setosa\n3,1\n",
            1,
            None,
            Some(&classes),
        )
        .unwrap();
        assert_eq!(d.labels, Some(vec![1.0, 0.0, 1.0]));
        let e = parse_csv_with_classes("d.csv", b"a,label\n1,virginica\n", 1, None, Some(&classes))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "d.csv: line 2, column 'label': 'virginica' is not a class name; expected one of \
             'setosa', 'versicolor'"
        );
        // Numeric names: a number is a name, never an index.
        let classes = names(&["3", "7"]);
        let d =
            parse_csv_with_classes("d.csv", b"a,label\n1,7\n", 1, None, Some(&classes)).unwrap();
        assert_eq!(d.labels, Some(vec![1.0]));
        let e = parse_csv_with_classes("d.csv", b"a,label\n1,1\n", 1, None, Some(&classes))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'1' is not a class name; expected one of '3', '7'"),
            "{e}"
        );
    }

    #[test]
    fn in_order_without_names() {
        let d = parse_csv("d.csv", b"p,q\n1,2\n", 2, None).unwrap();
        assert_eq!(d.rows, vec![vec![1.0, 2.0]]);
        assert_eq!(d.labels, None);
    }

    #[test]
    fn errors_name_the_place() {
        let e = parse_csv("d.csv", b"a,b\n1,zz\n", 2, None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "d.csv: line 2, column 'b': 'zz' is not a number; expected a number, or an empty cell or NaN for a missing value"
        );
        let e = parse_csv("d.csv", b"a,c\n1,2\n", 2, Some(&names(&["a", "b"])))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "d.csv: line 1: missing column 'b'; expected the model's feature names as column headers");
        let e = parse_csv("d.csv", b"a,b\n1,2,3\n", 2, None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("d.csv: line 2: 3 cells; expected 2"), "{e}");
        let e = parse_csv("d.csv", b"a\n1\n", 2, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("1 feature column, but the model has 2 features"),
            "{e}"
        );
    }
}
