//! `locus report DIR`: one self-contained HTML page (`DIR/report.html`) with the model summary, float vs fixed metrics, accuracy against bit width, hardware and synthesis figures, the node catalogue, and inline SVG plots.

use crate::cosim::read_vectors;
use crate::svg::{bar_chart, esc, line_chart, Series};
use anyhow::{Context, Result};
use hdl_gen::compile::{load_dir, AnyQuant, Loaded};
use hdl_gen::explain::{catalogue, encoded_from_ports, Catalogue};
use hdl_gen::ir::Census;
use hdl_gen::model::AnyModel;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Trees listed rule by rule (the catalogue JSON has them all).
const TREES_SHOWN: usize = 30;
/// Comparisons listed in the table.
const COMPARISONS_SHOWN: usize = 200;

/// Writes `DIR/report.html` (and `DIR/catalogue.json` for tree models); returns the page's path.
pub fn run(dir: &Path) -> Result<PathBuf> {
    let l = load_dir(dir)?;
    let vectors = read_vectors(&l)?;
    let cat = match (&l.model, &l.quant) {
        (AnyModel::Trees(m), AnyQuant::Trees(q)) => {
            let rows: Vec<_> = vectors
                .iter()
                .map(|v| encoded_from_ports(&l.ir, q.features.len(), &v.inputs))
                .collect();
            let c = catalogue(m, q, &rows);
            write_atomic(
                &dir.join("catalogue.json"),
                &(serde_json::to_string_pretty(&c)? + "\n"),
            )?;
            Some(c)
        }
        _ => None,
    };
    let units = match (&l.model, &l.quant) {
        (AnyModel::Rbf(m), AnyQuant::Rbf(q)) => {
            let rows: Vec<Vec<i64>> = vectors.iter().map(|v| v.inputs.clone()).collect();
            let u = hdl_gen::explain::rbf_catalogue(m, q, &rows);
            write_atomic(
                &dir.join("catalogue.json"),
                &(serde_json::to_string_pretty(&u)? + "\n"),
            )?;
            u
        }
        _ => Vec::new(),
    };
    let synth: Option<serde_json::Value> = std::fs::read_to_string(dir.join("synth.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let html = page(&l, cat.as_ref(), synth.as_ref(), &units, vectors.len());
    let path = dir.join("report.html");
    write_atomic(&path, &html)?;
    Ok(path)
}

/// Writes `text` beside `path` and renames it into place, so a reader never sees half a file.
fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

fn table(rows: &[(&str, String)]) -> String {
    let mut s = String::from("<table class=\"kv\">");
    for (k, v) in rows {
        let _ = write!(s, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
    }
    s + "</table>"
}

fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

fn census_rows(d: &Census) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("comparators", d.comparators.to_string()),
        ("muxes", d.muxes.to_string()),
        ("adders", d.adders.to_string()),
        ("gates", d.gates.to_string()),
        ("register bits", d.register_bits.to_string()),
    ];
    if d.multipliers > 0 || d.luts > 0 {
        v.push(("multipliers", d.multipliers.to_string()));
        v.push(("kernel tables", format!("{} ({} bits)", d.luts, d.lut_bits)));
    }
    v
}

fn page(
    l: &Loaded,
    cat: Option<&Catalogue>,
    synth: Option<&serde_json::Value>,
    units: &[hdl_gen::explain::UnitEntry],
    rows: usize,
) -> String {
    let r = &l.report;
    let name = l
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut sections: Vec<(&str, &str, String)> = Vec::new();

    // Model.
    let family = match &l.model {
        AnyModel::Trees(_) => format!("tree ensemble, {} trees", r.n_trees),
        AnyModel::Rbf(_) => format!(
            "RBF model, {} units, {} architecture{}{}",
            r.n_units.unwrap_or(0),
            r.architecture.as_deref().unwrap_or("parallel"),
            match r.lanes {
                Some(k) if k > 1 => format!(", {k} lanes"),
                _ => String::new(),
            },
            r.architecture_choice
                .as_deref()
                .map_or(String::new(), |w| format!(" ({w})")),
        ),
    };
    let classes = r
        .class_names
        .as_ref()
        .map(|c| c.join(", "))
        .unwrap_or_else(|| r.n_classes.to_string());
    sections.push((
        "model",
        "Model",
        table(&[
            ("source", r.source.clone()),
            ("model file", r.model_file.clone()),
            ("calibration data", r.data_file.clone()),
            ("kind", family),
            ("task", format!("{:?}", r.task).to_lowercase()),
            ("features", r.n_features.to_string()),
            ("classes", classes),
        ]),
    ));

    // Accuracy.
    let m = &r.metrics;
    let mut acc = vec![("rows", m.rows.to_string())];
    if let (Some(a), Some(b)) = (m.float.accuracy, m.fixed.accuracy) {
        acc.push(("float accuracy", pct(a)));
        acc.push(("fixed accuracy", pct(b)));
        acc.push(("rows whose class changed", m.flipped.to_string()));
    }
    if let (Some(a), Some(b)) = (m.float.rmse, m.fixed.rmse) {
        acc.push(("float RMSE", format!("{a:.6}")));
        acc.push(("fixed RMSE", format!("{b:.6}")));
    }
    acc.push(("agreement fixed vs float", pct(m.agreement)));
    sections.push(("accuracy", "Float vs fixed point", table(&acc)));

    // Width search.
    let s = &r.search;
    let mut by_input: BTreeMap<u32, Vec<(f64, f64)>> = BTreeMap::new();
    for t in &s.trials {
        by_input
            .entry(t.input_bits)
            .or_default()
            .push((f64::from(t.leaf_bits), t.loss));
    }
    let series: Vec<Series> = by_input
        .into_iter()
        .map(|(b, mut points)| {
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            points.dedup_by(|a, b| a.0 == b.0);
            Series {
                name: if b == 0 {
                    "rank-encoded inputs".into()
                } else {
                    format!("{b}-bit inputs")
                },
                points,
            }
        })
        .collect();
    let mut w = format!(
        "<p>Loss is {}; budget {} — chosen: {}-bit leaves{}, loss {:.3}{}.</p>",
        match s.loss_kind {
            hdl_gen::quant::Loss::FlippedRows =>
                "the percent of calibration rows whose class changes",
            hdl_gen::quant::Loss::RmseIncrease => "the percent RMSE increase against the labels",
            hdl_gen::quant::Loss::RmseVsFloat =>
                "the RMSE against the float model, percent of its spread",
        },
        s.max_loss,
        r.formats.leaf_bits,
        if r.formats.input_bits > 0 {
            format!(", {}-bit inputs", r.formats.input_bits)
        } else {
            String::new()
        },
        s.loss,
        if s.budget_met {
            ""
        } else {
            " (budget not met)"
        }
    );
    w += &line_chart(
        "Quantisation loss against leaf width",
        "leaf bits",
        "loss (percent)",
        &series,
    );
    sections.push(("widths", "Accuracy against bit width", w));

    // Hardware.
    let mut hw = vec![
        ("latency", format!("{} cycles", r.latency_cycles)),
        ("initiation interval", r.initiation_interval.to_string()),
        ("stage budget", format!("{} LUT levels", r.stage_budget)),
    ];
    hw.extend(census_rows(&r.design));
    let mut h = table(&hw);
    if let Some(c) = &r.evidence_cost {
        h += "<h3>Evidence outputs (<code>--explain</code>)</h3><p>What the evidence ports add to the design above, against the same design without them:</p>";
        h += &table(&census_rows(c));
    }
    if let Some(sy) = synth {
        let g = |k: &str| sy.get(k).map(|v| v.to_string()).unwrap_or_default();
        h += "<h3>Synthesis</h3>";
        h += &table(&[
            ("target", g("target").replace('"', "")),
            ("device", g("device").replace('"', "")),
            ("logic cells", g("logic_cells")),
            ("LUT4s", g("luts")),
            ("flip-flops", g("ffs")),
            ("carries", g("carry")),
            ("block RAMs", g("brams")),
            ("DSPs", g("dsps")),
            ("Fmax (MHz)", g("fmax_mhz")),
            ("timing met", g("timing_met")),
        ]);
        let bars: Vec<(String, f64)> = ["logic_cells", "luts", "ffs", "carry"]
            .iter()
            .filter_map(|k| {
                sy.get(*k)
                    .and_then(|v| v.as_f64())
                    .map(|v| (k.to_string(), v))
            })
            .collect();
        h += &bar_chart("Resources after place and route", "cells", &bars);
    }
    sections.push(("hardware", "Hardware", h));

    // Catalogue.
    let mut c = String::new();
    match cat {
        Some(cat) => {
            let mut per_feature: BTreeMap<String, f64> = BTreeMap::new();
            for x in &cat.comparisons {
                *per_feature.entry(x.name.clone()).or_insert(0.0) += 1.0;
            }
            let _ = write!(
                c,
                "<p>{} unique comparisons, each one comparator shared by every split that uses it; \
                 “fires” is the share of the {} calibration rows for which it holds. \
                 <code>catalogue.json</code> has every comparison and every tree’s rules.</p>",
                cat.comparisons.len(),
                cat.rows
            );
            let mut bars: Vec<(String, f64)> = per_feature.into_iter().collect();
            bars.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            bars.truncate(25);
            c += &bar_chart("Comparators per feature", "comparators", &bars);
            c += "<h3>Comparisons</h3><table class=\"grid\"><tr><th>comparison</th><th>splits</th><th>fires</th></tr>";
            for x in cat.comparisons.iter().take(COMPARISONS_SHOWN) {
                let _ = write!(
                    c,
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                    esc(&x.words),
                    x.splits,
                    pct(x.fires as f64 / cat.rows.max(1) as f64)
                );
            }
            c += "</table>";
            let _ = write!(
                c,
                "<h3>Trees as rules</h3><p>The first {} of {} trees; each leaf’s rule, its value and the calibration rows that reach it.</p>",
                TREES_SHOWN.min(cat.trees.len()),
                cat.trees.len()
            );
            for t in cat.trees.iter().take(TREES_SHOWN) {
                let _ = write!(
                    c,
                    "<details class=\"tree\"><summary>tree {}{}: {} leaves</summary><table class=\"grid\"><tr><th>leaf</th><th>when</th><th>value</th><th>rows</th></tr>",
                    t.tree,
                    t.class
                        .as_ref()
                        .map(|k| format!(" (class {})", esc(k)))
                        .unwrap_or_default(),
                    t.rules.len()
                );
                for rule in &t.rules {
                    let _ = write!(
                        c,
                        "<tr><td>{}</td><td><code>{}</code></td><td>{:.6}</td><td>{}</td></tr>",
                        rule.leaf,
                        esc(&rule.when),
                        rule.value,
                        rule.rows
                    );
                }
                c += "</table></details>";
            }
        }
        None => {
            if let AnyModel::Rbf(m) = &l.model {
                let _ = write!(
                    c,
                    "<p>{} units, each one distance unit (and kernel tables); “nearest to” counts the {} calibration rows for which it is the nearest unit, and the three calibration rows nearest to it are listed with their distances.</p><table class=\"grid\"><tr><th>unit</th><th>class</th><th>gamma</th><th>nearest to</th><th>nearest rows</th><th>centre</th></tr>",
                    units.len(),
                    rows
                );
                for (e, u) in units.iter().zip(&m.units).take(COMPARISONS_SHOWN) {
                    let centre: Vec<String> =
                        u.centre.iter().take(8).map(|v| format!("{v:.4}")).collect();
                    let near: Vec<String> = e
                        .nearest_rows
                        .iter()
                        .map(|(r, d)| format!("row {r} ({d:.4})"))
                        .collect();
                    let _ = write!(
                        c,
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}{}</code></td></tr>",
                        e.unit,
                        esc(&e.class),
                        e.gamma,
                        pct(e.fires as f64 / rows.max(1) as f64),
                        esc(&near.join(", ")),
                        centre.join(", "),
                        if u.centre.len() > 8 { ", …" } else { "" }
                    );
                }
                c += "</table>";
            }
        }
    }
    sections.push(("catalogue", "Node catalogue", c));

    let mut html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>locus report: {n}</title><style>{STYLE}</style></head><body>\n<h1>locus report: {n}</h1><p class=\"sub\">{src} — written by locus {v} from <code>report.json</code>, <code>vectors.csv</code>{sy}.</p><nav>",
        n = esc(&name),
        src = esc(&r.source),
        v = esc(&r.locus_version),
        sy = if synth.is_some() { " and <code>synth.json</code>" } else { "" }
    );
    for (id, title, _) in &sections {
        let _ = write!(html, "<a href=\"#{id}\">{}</a> ", esc(title));
    }
    html += "</nav>\n";
    for (id, title, body) in &sections {
        let _ = writeln!(
            html,
            "<section id=\"{id}\"><h2>{}</h2>{body}</section>",
            esc(title)
        );
    }
    let _ = write!(
        html,
        "<script>\n// Self-check for headless tests: every section and plot present.\n(function () {{\n  var ids = [{}];\n  var ok = ids.every(function (id) {{ return document.getElementById(id) !== null; }});\n  document.body.setAttribute('data-sections', ok ? String(ids.length) : 'missing');\n  document.body.setAttribute('data-plots', String(document.querySelectorAll('svg.plot').length));\n}})();\n</script>\n</body></html>\n",
        sections
            .iter()
            .map(|(id, _, _)| format!("'{id}'"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    html
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}\
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}\
.sub{color:#555}nav a{margin-right:1em}table{border-collapse:collapse;margin:.6em 0}\
th,td{padding:.2em .6em;text-align:left;vertical-align:top}table.kv th{color:#555;font-weight:normal}\
table.grid td,table.grid th{border:1px solid #ddd}code{font-size:.92em}svg.plot{display:block;margin:.8em 0;max-width:100%;height:auto}\
details.tree{margin:.3em 0}summary{cursor:pointer}";
