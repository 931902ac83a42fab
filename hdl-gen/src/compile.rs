//! The compile flow: model + calibration data → quantised model → IR → RTL, report and test vectors.
//!
//! A compiled directory holds everything later commands need and nothing they must
//! trust blindly: `quant.json` and the pass options regenerate the IR and the RTL
//! exactly, and `report.json` records the RTL's SHA-256 so a hand-edited or stale
//! RTL file is refused.

use crate::data::Dataset;
use crate::emit::{emit, input_layout, input_width};
use crate::error::{Error, Result};
use crate::ir::{Census, InputKind, Ir};
use crate::lower::lower;
use crate::model::rbf::{RbfKind, RbfModel};
use crate::model::{AnyModel, Model, Task};
use crate::passes::{self, PassOptions};
use crate::quant::rbf::RbfQuant;
use crate::quant::{self, Choice, Encoded, Loss, QFmt, QuantModel, SearchOptions, Trial};
use crate::vlog::print;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

/// The emitted top module's name.
pub const TOP: &str = "locus_core";

/// What the user chose.
#[derive(Clone, Debug)]
pub struct CompileOptions {
    pub search: SearchOptions,
    pub passes: PassOptions,
    /// Also output the evidence of each decision (`explain`).
    pub explain: bool,
    /// The architecture of an RBF core (tree ensembles are always parallel).
    pub arch: Arch,
    /// The device the core is meant for, if the user named one (`--target`).
    pub target: Option<Capacity>,
    /// Serial architecture: distance lanes (`--lanes`); by default as many as the
    /// target's multipliers allow, at most [`AUTO_LANES`] (1 without a target).
    pub lanes: Option<u32>,
}

impl Default for CompileOptions {
    /// `locus compile`'s defaults.
    fn default() -> Self {
        CompileOptions {
            search: SearchOptions::default(),
            passes: PassOptions::default(),
            explain: false,
            arch: Arch::Auto,
            target: None,
            lanes: None,
        }
    }
}

/// The architecture of an RBF core: every unit in parallel (II = 1) or one
/// time-shared lane (`serial_rbf`), chosen by the user or by size.
#[derive(Clone, Debug, PartialEq)]
pub enum Arch {
    Parallel,
    Serial,
    /// Parallel when its estimated size fits the target (or, with none, the largest
    /// supported device); serial otherwise.
    Auto,
}

/// The most lanes a serial core gets without `--lanes`.
pub const AUTO_LANES: u32 = 8;

/// The most lanes `--lanes` may ask for.
pub const MAX_LANES: u32 = 256;

/// A target device's size, for [`Arch::Auto`].
#[derive(Clone, Debug, PartialEq)]
pub struct Capacity {
    /// Board or device name, for the report.
    pub name: String,
    /// Logic cells (iCE40 `ICESTORM_LC`, ECP5 LUT4s).
    pub logic_cells: u64,
    /// Hard multipliers (iCE40 `SB_MAC16`, ECP5 `MULT18X18D`).
    pub multipliers: u64,
}

/// The largest device locus builds for (ECP5-85: 83,640 LUT4s), the target of
/// `--arch auto` without `--target`.
pub const LARGEST_DEVICE: (&str, u64) = (
    "the largest supported device (ECP5-85)",
    crate::limits::LARGEST_DEVICE_LUTS,
);

/// Share of a device's logic cells `--arch auto` lets a parallel core fill (the rest
/// is the board top and routing slack).
pub const AUTO_FILL: f64 = 0.8;

/// Measured logic cells per estimated cell ([`crate::ir::logic_estimate`]) on RBF
/// cores: wine-svc 9,065 LC on an UP5K against 7,215 estimated.
pub const ESTIMATE_SCALE: f64 = 1.25;

/// Whether `--arch auto` builds `ir` (an RBF model's parallel core) serially, and why.
fn auto_choice(ir: &Ir, q: &RbfQuant, cap: Option<&Capacity>) -> (bool, String) {
    let est = (crate::ir::logic_estimate(ir) as f64 * ESTIMATE_SCALE).round() as u64;
    let (name, cells) = match cap {
        Some(c) => (c.name.as_str(), c.logic_cells),
        None => LARGEST_DEVICE,
    };
    let room = (cells as f64 * AUTO_FILL) as u64;
    let fits = est <= room;
    let serial = !fits && crate::serial_rbf::unsupported(q).is_none() && !q.evidence;
    let verdict = match (fits, serial) {
        (true, _) => "parallel",
        (false, true) => "serial",
        (false, false) => "parallel (the serial core cannot build this model)",
    };
    (
        serial,
        format!(
            "auto: the parallel core is about {est} logic cells, {} {}% of {cells} on {name}: {verdict}",
            if fits { "within" } else { "over" },
            (AUTO_FILL * 100.0).round()
        ),
    )
}

/// Lowers a quantised model and runs every pass, verifying the IR after each.
pub fn build_ir(qm: &QuantModel, opts: &PassOptions) -> Result<Ir> {
    passes::run(lower(qm), opts, true).map_err(Error::Internal)
}

/// A quantised model of either family.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AnyQuant {
    Trees(QuantModel),
    Rbf(RbfQuant),
}

/// Turns rows into input codes, or says why a row cannot be encoded.
pub trait RowEncoder {
    fn encode(&self, row: &[f64], data_file: &str, r: usize) -> Result<Encoded>;
}

impl RowEncoder for QuantModel {
    fn encode(&self, row: &[f64], data_file: &str, r: usize) -> Result<Encoded> {
        self.encode_row(row)
            .map_err(|e| quant::missing_error(self, data_file, r, e))
    }
}

impl RowEncoder for RbfQuant {
    fn encode(&self, row: &[f64], _: &str, _: usize) -> Result<Encoded> {
        Ok(self.encode_row(row))
    }
}

impl RowEncoder for AnyQuant {
    fn encode(&self, row: &[f64], data_file: &str, r: usize) -> Result<Encoded> {
        match self {
            AnyQuant::Trees(q) => q.encode(row, data_file, r),
            AnyQuant::Rbf(q) => q.encode(row, data_file, r),
        }
    }
}

impl AnyQuant {
    /// Class and first output (real) of the integer reference for one row.
    pub fn predict_class_value(&self, e: &Encoded) -> (usize, f64) {
        match self {
            AnyQuant::Trees(q) => {
                let p = q.predict_codes(e);
                (p.class, q.outputs(&p.scores)[0])
            }
            AnyQuant::Rbf(q) => {
                let p = q.predict_codes(&e.codes);
                (
                    p.class,
                    q.real_scores(&p.scores).first().copied().unwrap_or(0.0),
                )
            }
        }
    }
}

/// Lowers a quantised model of either family and runs every pass, verifying the IR
/// after each.
pub fn build_any_ir(q: &AnyQuant, opts: &PassOptions) -> Result<Ir> {
    match q {
        AnyQuant::Trees(q) => build_ir(q, opts),
        AnyQuant::Rbf(q) => {
            passes::run(crate::lower_rbf::lower_rbf(q), opts, true).map_err(Error::Internal)
        }
    }
}

/// The serial core of an RBF model built serially (`q.serial`), from its parallel IR.
pub fn serial_design(
    ir: &Ir,
    q: &RbfQuant,
    source: &str,
    opts: &PassOptions,
) -> Result<crate::serial_rbf::Serial> {
    // Timing first (the header states it), then the modules with their header.
    let probe = crate::serial_rbf::build(q, ir, opts, TOP, Vec::new()).map_err(Error::Internal)?;
    let what = if q.kind == RbfKind::Prototype {
        "prototypes"
    } else {
        "units"
    };
    let header = vec![
        format!(
            "{TOP}: generated by locus {} — do not edit.",
            env!("CARGO_PKG_VERSION")
        ),
        format!(
            "Model: {source}, {} {what}, {} features, serial architecture.",
            q.units.len(),
            ir.inputs.len()
        ),
        format!(
            "Latency {} cycles, a new input every {} cycles (in_ready). Interface and formats: report.json.",
            probe.latency, probe.ii
        ),
    ];
    crate::serial_rbf::build(q, ir, opts, TOP, header).map_err(Error::Internal)
}

/// The Verilog text of the core, for either family (`opts`: the passes' options, which
/// the serial architecture's decision module also uses).
pub fn any_rtl_text(ir: &Ir, q: &AnyQuant, source: &str, opts: &PassOptions) -> Result<String> {
    match q {
        AnyQuant::Trees(q) => Ok(rtl_text(ir, q, source)),
        AnyQuant::Rbf(q) if q.serial => {
            let s = serial_design(ir, q, source, opts)?;
            Ok(s.modules.iter().map(print).collect::<Vec<_>>().join("\n"))
        }
        AnyQuant::Rbf(q) => {
            let header = vec![
                format!(
                    "{TOP}: generated by locus {} — do not edit.",
                    env!("CARGO_PKG_VERSION")
                ),
                format!(
                    "Model: {source}, {} units, {} features, parallel architecture.",
                    q.units.len(),
                    ir.inputs.len()
                ),
                format!(
                    "Latency {} cycles, one input per clock. Interface and formats: report.json.",
                    ir.latency()
                ),
            ];
            Ok(print(&emit(ir, TOP, header)))
        }
    }
}

/// The Verilog text of the core.
pub fn rtl_text(ir: &Ir, qm: &QuantModel, source: &str) -> String {
    let header = vec![
        format!(
            "{TOP}: generated by locus {} — do not edit.",
            env!("CARGO_PKG_VERSION")
        ),
        format!(
            "Model: {source}, {} trees, {} features used of {}.",
            qm.trees.len(),
            ir.inputs.len(),
            qm.features.len()
        ),
        format!(
            "Latency {} cycles, one input per clock. Interface and formats: report.json.",
            ir.latency()
        ),
    ];
    print(&emit(ir, TOP, header))
}

/// SHA-256 of text, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// One input field of `in_features`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputField {
    pub feature: usize,
    /// `value` (the code), `nan` (1 = missing) or `zero` (1 = NaN or zero).
    pub kind: InputKind,
    pub name: String,
    pub lsb: u32,
    pub width: u32,
    pub signed: bool,
    pub frac_bits: i32,
}

/// One output port.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputField {
    pub name: String,
    pub width: u32,
    pub signed: bool,
}

/// The core's ports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interface {
    pub top: String,
    pub in_features_width: u32,
    pub inputs: Vec<InputField>,
    pub outputs: Vec<OutputField>,
    /// The core has an `in_ready` output and takes `in_valid` only while it is high
    /// (the serial architecture; II > 1).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_ready: bool,
}

/// Interface description of an IR.
pub fn interface(ir: &Ir) -> Interface {
    let layout = input_layout(ir);
    Interface {
        top: TOP.into(),
        in_features_width: input_width(ir),
        inputs: ir
            .inputs
            .iter()
            .zip(layout)
            .map(|(p, (lsb, width))| InputField {
                feature: p.feature as usize,
                kind: p.kind,
                name: p.label.clone(),
                lsb,
                width,
                signed: p.ty.signed,
                frac_bits: p.frac_bits,
            })
            .collect(),
        outputs: ir
            .outputs
            .iter()
            .map(|o| {
                let t = ir.node(o.node).ty;
                OutputField {
                    name: o.name.clone(),
                    width: t.width,
                    signed: t.signed,
                }
            })
            .collect(),
        in_ready: false,
    }
}

/// Accuracy (classification) or RMSE (regression) against labels; `None` without labels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rmse: Option<f64>,
}

/// Float vs fixed metrics: the accuracy cost of quantisation, never a correctness gate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub rows: usize,
    pub float: Metric,
    pub fixed: Metric,
    /// Fraction of rows where the fixed prediction agrees with the float one
    /// (classification: same class; regression: within 1% of the float prediction's
    /// spread).
    pub agreement: f64,
    /// Rows whose class differs (classification).
    pub flipped: usize,
    /// Largest |fixed − float| prediction (regression), in output units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_abs_error: Option<f64>,
}

/// Formats chosen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Formats {
    pub input_bits: u32,
    pub leaf_bits: u32,
    pub inputs: Vec<FeatureFormat>,
    pub leaf: QFmt,
    pub bias: Vec<i64>,
}

/// A feature's format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureFormat {
    pub name: String,
    pub used: bool,
    /// Rank encoding: the code is the number of these thresholds the value has
    /// passed (`b <= x` for `<` models, `b < x` for `<=` models).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::fixed::bins_json"
    )]
    pub bins: Option<Vec<f64>>,
    #[serde(flatten)]
    pub fmt: QFmt,
}

/// How the widths were chosen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchReport {
    pub max_loss: f64,
    pub loss: f64,
    pub loss_kind: Loss,
    pub budget_met: bool,
    pub trials: Vec<Trial>,
}

/// `report.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub locus_version: String,
    pub source: String,
    pub model_file: String,
    pub data_file: String,
    pub task: Task,
    pub n_features: usize,
    pub n_classes: usize,
    /// Class names in class-index order, when the model has them (or `--classes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_names: Option<Vec<String>>,
    pub n_trees: usize,
    pub latency_cycles: u32,
    pub initiation_interval: u32,
    pub stage_budget: f64,
    pub interface: Interface,
    pub formats: Formats,
    pub search: SearchReport,
    pub metrics: Metrics,
    pub design: Census,
    pub rtl_file: String,
    pub rtl_sha256: String,
    /// RBF models: units (support vectors, centres, prototypes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_units: Option<usize>,
    /// RBF models: `parallel` (every unit, II = 1) or `serial`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// Serial architecture: distance lanes side by side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lanes: Option<u32>,
    /// RBF models compiled with `--arch auto`: how the architecture was chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture_choice: Option<String>,
    /// RBF models: kernel table index bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_bits: Option<u32>,
    /// With `--explain`: what the evidence outputs add to the design (this design's
    /// census minus the same design's without them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_cost: Option<Census>,
    /// RBF models: `plain` kernel tables (one entry per bucket) or `interpolated`
    /// (a line per bucket; see `fixed::kernel::interp_value`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_tables: Option<String>,
}

/// Everything a compile produces, in memory.
pub struct Compiled {
    pub model: AnyModel,
    pub quant: AnyQuant,
    pub ir: Ir,
    pub rtl: String,
    pub report: Report,
    pub vectors: Vec<Vector>,
}

/// A test vector: input codes per IR input port and the expected outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Vector {
    pub row: usize,
    pub inputs: Vec<i64>,
    pub outputs: Vec<i64>,
}

/// Input codes for the IR's ports from a row of all features' codes.
pub fn port_codes(ir: &Ir, e: &Encoded) -> Vec<i64> {
    ir.inputs
        .iter()
        .map(|p| {
            let f = p.feature as usize;
            match p.kind {
                InputKind::Value => e.codes[f],
                InputKind::Nan => i64::from(e.nan[f]),
                InputKind::Zero => i64::from(e.zero[f]),
            }
        })
        .collect()
}

/// Quantises the rows of `data` and computes the expected outputs with `eval()`.
pub fn vectors<Q: RowEncoder + ?Sized>(qm: &Q, ir: &Ir, data: &Dataset) -> Result<Vec<Vector>> {
    let inputs = data
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| Ok(port_codes(ir, &qm.encode(row, &data.file, r)?)))
        .collect::<Result<Vec<_>>>()?;
    // The test vectors of a large model are most of a compile's time: the batches go
    // to the machine's threads.
    let outputs = crate::par::map_chunks(&inputs, 256, |part| ir.eval_outputs_batch(part));
    Ok(inputs
        .into_iter()
        .zip(outputs)
        .enumerate()
        .map(|(row, (inputs, outputs))| Vector {
            row,
            inputs,
            outputs,
        })
        .collect())
}

/// Compiles a model of either family against calibration `data`.
pub fn compile(
    model: impl Into<AnyModel>,
    model_file: &str,
    data: &Dataset,
    opts: &CompileOptions,
) -> Result<Compiled> {
    let model = model.into();
    crate::limits::check(
        &model,
        model_file,
        data.rows.len(),
        &data.file,
        &opts.search,
    )?;
    if opts.arch == Arch::Serial && matches!(model, AnyModel::Trees(_)) {
        return Err(Error::input(
            "--arch serial",
            "",
            "tree ensembles are built in parallel only (II = 1); expected --arch parallel",
        ));
    }
    match model {
        AnyModel::Trees(m) => compile_trees(m, model_file, data, opts),
        AnyModel::Rbf(m) => compile_rbf(m, model_file, data, opts),
    }
}

/// Compiles an RBF model (parallel architecture).
pub fn compile_rbf(
    model: RbfModel,
    model_file: &str,
    data: &Dataset,
    opts: &CompileOptions,
) -> Result<Compiled> {
    let c = quant::rbf::choose(
        &model,
        &data.rows,
        data.labels.as_deref(),
        &opts.search,
        &data.file,
    )?;
    let mut qm = c.model;
    if opts.arch == Arch::Serial {
        if let Some(why) = crate::serial_rbf::unsupported(&qm) {
            return Err(Error::input("--arch serial", "", why));
        }
        if opts.explain {
            return Err(Error::input(
                "--arch serial",
                "",
                "the serial architecture has no evidence outputs yet; expected --arch parallel with --explain",
            ));
        }
        qm.serial = true;
    }
    let evidence_cost = if opts.explain {
        // What the evidence outputs add, against the same design without them.
        let without = build_any_ir(&AnyQuant::Rbf(qm.clone()), &opts.passes)?.census();
        qm.evidence = true;
        Some(without)
    } else {
        None
    };
    let ir = build_any_ir(&AnyQuant::Rbf(qm.clone()), &opts.passes)?;
    let choice = match &opts.arch {
        Arch::Auto => {
            let (serial, why) = auto_choice(&ir, &qm, opts.target.as_ref());
            qm.serial = serial;
            Some(why)
        }
        _ => None,
    };
    if qm.serial {
        // Lanes: as asked, or as many as the target's multipliers feed (one per lane
        // for the distance, one more for interpolated tables).
        let per_lane = 1 + u64::from(qm.interp);
        let auto = opts.target.as_ref().map_or(1, |t| {
            (t.multipliers / per_lane).clamp(1, u64::from(AUTO_LANES)) as u32
        });
        qm.lanes = opts
            .lanes
            .unwrap_or(auto)
            .clamp(1, qm.units.len().max(1) as u32);
    }
    let aq = AnyQuant::Rbf(qm.clone());
    crate::limits::check_design(&ir.census(), model_file)?;
    let evidence_cost = evidence_cost.map(|w| ir.census().minus(&w));
    let serial = if qm.serial {
        Some(serial_design(&ir, &qm, &model.source, &opts.passes)?)
    } else {
        None
    };
    let rtl = any_rtl_text(&ir, &aq, &model.source, &opts.passes)?;
    let vectors = vectors(&qm, &ir, data)?;
    let metrics = rbf_metrics(&model, &qm, data);
    let report = Report {
        locus_version: env!("CARGO_PKG_VERSION").into(),
        source: model.source.clone(),
        model_file: base_name(model_file),
        data_file: base_name(&data.file),
        task: model.task,
        n_features: model.n_features,
        n_classes: model.n_classes,
        class_names: model.class_names.clone(),
        n_trees: 0,
        latency_cycles: serial.as_ref().map_or(ir.latency(), |s| s.latency),
        initiation_interval: serial.as_ref().map_or(1, |s| s.ii),
        stage_budget: opts.passes.stage_budget,
        interface: Interface {
            in_ready: qm.serial,
            ..interface(&ir)
        },
        formats: Formats {
            input_bits: qm.input_bits,
            leaf_bits: qm.table_bits,
            inputs: qm
                .feature_names
                .iter()
                .map(|n| FeatureFormat {
                    name: n.clone(),
                    used: true,
                    bins: None,
                    fmt: qm.input_fmt,
                })
                .collect(),
            leaf: qm.table_fmt,
            bias: qm.bias.clone(),
        },
        search: SearchReport {
            max_loss: opts.search.max_loss,
            loss: c.loss,
            loss_kind: c.loss_kind,
            budget_met: c.budget_met,
            trials: c.trials,
        },
        metrics,
        design: serial.map_or_else(|| ir.census(), |s| s.census),
        rtl_file: format!("rtl/{TOP}.v"),
        rtl_sha256: sha256_hex(rtl.as_bytes()),
        n_units: Some(model.units.len()),
        architecture: Some(if qm.serial { "serial" } else { "parallel" }.into()),
        architecture_choice: choice,
        lanes: qm.serial.then_some(qm.lanes),
        index_bits: (model.kind != RbfKind::Prototype).then_some(qm.index_bits),
        evidence_cost,
        kernel_tables: (model.kind != RbfKind::Prototype)
            .then(|| if qm.interp { "interpolated" } else { "plain" }.into()),
    };
    Ok(Compiled {
        model: AnyModel::Rbf(model),
        quant: aq,
        ir,
        rtl,
        report,
        vectors,
    })
}

/// Float vs fixed metrics of an RBF model over `data`.
pub fn rbf_metrics(model: &RbfModel, q: &RbfQuant, data: &Dataset) -> Metrics {
    let n = data.rows.len();
    let mut fl = Vec::with_capacity(n);
    let mut fx = Vec::with_capacity(n);
    for row in &data.rows {
        let p = model.predict_row(row);
        let e = q.encode_row(row);
        let r = q.predict_codes(&e.codes);
        fl.push((p.class, p.outputs.first().copied().unwrap_or(0.0)));
        fx.push((
            r.class,
            q.real_scores(&r.scores).first().copied().unwrap_or(0.0),
        ));
    }
    summarize(model.task, &fl, &fx, data)
}

/// Metrics from (class, value) pairs of the float and fixed predictors.
fn summarize(task: Task, fl: &[(usize, f64)], fx: &[(usize, f64)], data: &Dataset) -> Metrics {
    let n = fl.len();
    let acc = |v: &[(usize, f64)]| {
        data.labels.as_ref().map(|y| {
            v.iter().zip(y).filter(|(c, l)| c.0 as f64 == **l).count() as f64 / n.max(1) as f64
        })
    };
    match task {
        Task::Classification => {
            let flipped = fl.iter().zip(fx).filter(|(a, b)| a.0 != b.0).count();
            Metrics {
                rows: n,
                float: Metric {
                    accuracy: acc(fl),
                    rmse: None,
                },
                fixed: Metric {
                    accuracy: acc(fx),
                    rmse: None,
                },
                agreement: 1.0 - flipped as f64 / n.max(1) as f64,
                flipped,
                max_abs_error: None,
            }
        }
        Task::Regression => {
            let a: Vec<f64> = fl.iter().map(|p| p.1).collect();
            let b: Vec<f64> = fx.iter().map(|p| p.1).collect();
            let mean = a.iter().sum::<f64>() / n.max(1) as f64;
            let spread =
                (a.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n.max(1) as f64).sqrt();
            let errs: Vec<f64> = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).collect();
            let agree = errs.iter().filter(|&&e| e <= 0.01 * spread).count();
            let rmse = |out: &[f64]| data.labels.as_ref().map(|y| quant::rmse(out, y));
            Metrics {
                rows: n,
                float: Metric {
                    accuracy: None,
                    rmse: rmse(&a),
                },
                fixed: Metric {
                    accuracy: None,
                    rmse: rmse(&b),
                },
                agreement: agree as f64 / n.max(1) as f64,
                flipped: 0,
                max_abs_error: Some(errs.iter().cloned().fold(0.0, f64::max)),
            }
        }
    }
}

/// Compiles a tree ensemble against calibration `data`.
pub fn compile_trees(
    model: Model,
    model_file: &str,
    data: &Dataset,
    opts: &CompileOptions,
) -> Result<Compiled> {
    let Choice {
        model: qm,
        loss,
        loss_kind,
        budget_met,
        trials,
        float,
        fixed,
    } = quant::choose(
        &model,
        &data.rows,
        data.labels.as_deref(),
        &opts.search,
        &data.file,
    )?;
    crate::limits::check_scores(&qm, model_file)?;
    let mut qm = qm;
    let evidence_cost = if opts.explain {
        // What the evidence outputs add, against the same design without them.
        let without = build_ir(&qm, &opts.passes)?.census();
        qm.evidence = true;
        Some(without)
    } else {
        None
    };
    let ir = build_ir(&qm, &opts.passes)?;
    crate::limits::check_design(&ir.census(), model_file)?;
    let evidence_cost = evidence_cost.map(|w| ir.census().minus(&w));
    // The Verilog prints on its own thread while the test vectors take the others.
    let (rtl, vectors) = std::thread::scope(|s| {
        let rtl = s.spawn(|| rtl_text(&ir, &qm, &model.source));
        let vectors = vectors(&qm, &ir, data);
        let rtl = rtl.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        (rtl, vectors)
    });
    let vectors = vectors?;
    let metrics = metrics_with(&model, &qm, data, Some((&float, &fixed)))?;
    let report = Report {
        locus_version: env!("CARGO_PKG_VERSION").into(),
        source: model.source.clone(),
        model_file: base_name(model_file),
        data_file: base_name(&data.file),
        task: model.task,
        n_features: model.n_features,
        n_classes: model.n_classes,
        class_names: model.class_names.clone(),
        n_trees: model.trees.len(),
        latency_cycles: ir.latency(),
        initiation_interval: 1,
        stage_budget: opts.passes.stage_budget,
        interface: interface(&ir),
        formats: Formats {
            input_bits: qm.input_bits,
            leaf_bits: qm.leaf_bits,
            inputs: qm
                .features
                .iter()
                .map(|f| FeatureFormat {
                    name: f.name.clone(),
                    used: f.used,
                    bins: f.bins.clone(),
                    fmt: f.fmt,
                })
                .collect(),
            leaf: qm.leaf_fmt,
            bias: qm.bias.clone(),
        },
        search: SearchReport {
            max_loss: opts.search.max_loss,
            loss,
            loss_kind,
            budget_met,
            trials,
        },
        metrics,
        design: ir.census(),
        rtl_file: format!("rtl/{TOP}.v"),
        rtl_sha256: sha256_hex(rtl.as_bytes()),
        n_units: None,
        architecture: None,
        architecture_choice: None,
        lanes: None,
        index_bits: None,
        evidence_cost,
        kernel_tables: None,
    };
    Ok(Compiled {
        model: AnyModel::Trees(model),
        quant: AnyQuant::Trees(qm),
        ir,
        rtl,
        report,
        vectors,
    })
}

fn base_name(p: &str) -> String {
    Path::new(p)
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.to_string())
}

/// Float and fixed metrics over `data`.
pub fn metrics(model: &Model, qm: &QuantModel, data: &Dataset) -> Result<Metrics> {
    metrics_with(model, qm, data, None)
}

/// A row's class and first output.
type ClassOutput = (usize, f64);

/// [`metrics`], with the float and fixed models' (class, first output) per row when
/// already computed (the width search's).
fn metrics_with(
    model: &Model,
    qm: &QuantModel,
    data: &Dataset,
    known: Option<(&[ClassOutput], &[ClassOutput])>,
) -> Result<Metrics> {
    let n = data.rows.len();
    if let Some((fl, fx)) = known.filter(|(fl, fx)| fl.len() == n && fx.len() == n) {
        return Ok(summarize(model.task, fl, fx, data));
    }
    let float = known.map(|k| k.0);
    let mut fl = Vec::with_capacity(n);
    let mut fx = Vec::with_capacity(n);
    let fixed: Vec<_> = crate::par::map(&data.rows, |row| {
        qm.encode_row(row).map(|e| {
            let q = qm.predict_codes(&e);
            (q.class, qm.outputs(&q.scores)[0])
        })
    });
    for (r, (row, fixed)) in data.rows.iter().zip(fixed).enumerate() {
        fl.push(match float.and_then(|f| f.get(r)) {
            Some(&p) => p,
            None => {
                let fp = model.predict_row(row);
                (fp.class, fp.outputs[0])
            }
        });
        fx.push(fixed.map_err(|e| quant::missing_error(qm, &data.file, r, e))?);
    }
    Ok(summarize(model.task, &fl, &fx, data))
}

/// `in_features` as hex, most significant digit first, from port codes.
pub fn pack_hex(ir: &Ir, inputs: &[i64]) -> String {
    let words = pack_words(ir, inputs);
    let width = input_width(ir);
    let digits = width.div_ceil(4) as usize;
    let mut s = String::with_capacity(digits);
    for d in (0..digits).rev() {
        let bit = d * 4;
        let nib = (words[bit / 32] >> (bit % 32)) & 0xf;
        s.push(char::from_digit(nib, 16).unwrap_or('0'));
    }
    s
}

/// `in_features` as little-endian 32-bit words.
pub fn pack_words(ir: &Ir, inputs: &[i64]) -> Vec<u32> {
    let mut words = vec![0u32; input_width(ir).div_ceil(32) as usize];
    pack_into(&input_layout(ir), inputs, &mut words);
    words
}

/// [`pack_words`] into `words` (as many as `in_features` needs), with the layout
/// ([`input_layout`]) computed once by the caller: the cosimulation's per-row path.
pub fn pack_into(layout: &[(u32, u32)], inputs: &[i64], words: &mut [u32]) {
    words.fill(0);
    for (&(lsb, w), &v) in layout.iter().zip(inputs) {
        let mut val = if w >= 64 {
            v as u64
        } else {
            (v as u64) & ((1u64 << w) - 1)
        };
        let (mut pos, mut left) = (lsb, w);
        while left > 0 {
            let off = pos % 32;
            let take = (32 - off).min(left);
            let part = val & ((1u64 << take) - 1);
            words[(pos / 32) as usize] |= (part as u32) << off;
            val = if take >= 64 { 0 } else { val >> take };
            pos += take;
            left -= take;
        }
    }
}

/// The vectors as CSV text: `row,in_features,<outputs...>`.
pub fn vectors_csv(ir: &Ir, vectors: &[Vector]) -> String {
    let mut s = String::from("row,in_features");
    for o in &ir.outputs {
        s.push(',');
        s.push_str(&o.name);
    }
    s.push('\n');
    for v in vectors {
        s.push_str(&format!("{},{}", v.row, pack_hex(ir, &v.inputs)));
        for o in &v.outputs {
            s.push_str(&format!(",{o}"));
        }
        s.push('\n');
    }
    s
}

/// Writes the compiled directory atomically: everything goes to a fresh sibling
/// directory first, which then replaces `dir` by rename, so an interrupted compile
/// never leaves a half-written `dir`.
pub fn write_dir(c: &Compiled, dir: &Path) -> Result<()> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            Error::input(
                dir.display(),
                "",
                "not a directory name; expected a path like out/iris",
            )
        })?;
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| Error::io(parent.display(), e))?;
    let tmp = parent.join(format!(".{name}.locus-tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    let write = |rel: &str, text: &str| -> Result<()> {
        let p = tmp.join(rel);
        if let Some(d) = p.parent() {
            fs::create_dir_all(d).map_err(|e| Error::io(d.display(), e))?;
        }
        fs::write(&p, text).map_err(|e| Error::io(p.display(), e))
    };
    let json = |v: &dyn erased::Json| v.to_json();
    let result = (|| -> Result<()> {
        write(&c.report.rtl_file, &c.rtl)?;
        write("model.json", &json(&c.model)?)?;
        write("quant.json", &json(&c.quant)?)?;
        write("report.json", &json(&c.report)?)?;
        write("ir.txt", &c.ir.to_text())?;
        write("vectors.csv", &vectors_csv(&c.ir, &c.vectors))?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let old = parent.join(format!(".{name}.locus-old-{}", std::process::id()));
    if dir.exists() {
        fs::rename(dir, &old).map_err(|e| Error::io(dir.display(), e))?;
    }
    fs::rename(&tmp, dir).map_err(|e| Error::io(dir.display(), e))?;
    let _ = fs::remove_dir_all(&old);
    Ok(())
}

mod erased {
    //! Pretty JSON with a trailing newline for any serialisable value.
    use crate::error::{Error, Result};

    pub trait Json {
        fn to_json(&self) -> Result<String>;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> Result<String> {
            serde_json::to_string_pretty(self)
                .map(|s| s + "\n")
                .map_err(|e| Error::Internal(format!("serialising JSON: {e}")))
        }
    }
}

/// A compiled directory read back: the quantised model, the rebuilt IR and its report.
pub struct Loaded {
    pub dir: PathBuf,
    pub model: AnyModel,
    pub quant: AnyQuant,
    pub ir: Ir,
    pub report: Report,
    pub rtl_path: PathBuf,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = fs::read_to_string(path).map_err(|e| Error::io(path.display(), e))?;
    serde_json::from_str(&text).map_err(|e| {
        Error::input(
            path.display(),
            format!("line {}, column {}", e.line(), e.column()),
            format!("{e}; expected the file `locus compile` wrote (recompile to fix)"),
        )
    })
}

/// Loads a compiled directory, rebuilding the IR and checking that the RTL on disk is
/// the RTL this locus generates for it.
pub fn load_dir(dir: &Path) -> Result<Loaded> {
    if !dir.join("report.json").is_file() {
        return Err(Error::input(
            dir.display(),
            "",
            "no report.json here; expected a directory written by `locus compile`",
        ));
    }
    let report: Report = read_json(&dir.join("report.json"))?;
    let quant: AnyQuant = read_json(&dir.join("quant.json"))?;
    let qfile = dir.join("quant.json").display().to_string();
    match &quant {
        AnyQuant::Trees(q) => quant::check::check(q, &qfile)?,
        AnyQuant::Rbf(q) => quant::check::check_rbf(q, &qfile)?,
    }
    // The float model goes through the importer's own checks.
    let model = crate::import::load_any(&dir.join("model.json"))?;
    if !(report.stage_budget.is_finite() && report.stage_budget > 0.0) {
        return Err(Error::input(
            dir.join("report.json").display(),
            "stage_budget",
            format!("{}; expected a positive number", report.stage_budget),
        ));
    }
    let passes = PassOptions {
        stage_budget: report.stage_budget,
    };
    let ir = build_any_ir(&quant, &passes)?;
    let rtl_path = dir.join(&report.rtl_file);
    let on_disk = fs::read(&rtl_path).map_err(|e| Error::io(rtl_path.display(), e))?;
    if sha256_hex(&on_disk) != report.rtl_sha256 {
        return Err(Error::input(
            rtl_path.display(),
            "",
            "RTL does not match the SHA-256 recorded in report.json (edited or stale); expected the file `locus compile` wrote — recompile",
        ));
    }
    let regenerated = any_rtl_text(&ir, &quant, model.source(), &passes)?;
    if sha256_hex(regenerated.as_bytes()) != report.rtl_sha256 {
        return Err(Error::input(
            dir.display(),
            "",
            "quant.json does not give the RTL recorded in report.json (edited, or written by a different locus version); expected a directory compiled by this version — recompile",
        ));
    }
    Ok(Loaded {
        dir: dir.to_path_buf(),
        model,
        quant,
        ir,
        report,
        rtl_path,
    })
}

/// Port codes from `in_features` hex (as `vectors.csv` holds it); `None` if malformed.
pub fn unpack_hex(ir: &Ir, hex: &str) -> Option<Vec<i64>> {
    let width = input_width(ir);
    if hex.len() != width.div_ceil(4) as usize {
        return None;
    }
    let mut bits = vec![0u8; hex.len() * 4];
    for (i, ch) in hex.chars().rev().enumerate() {
        let d = ch.to_digit(16)?;
        for b in 0..4 {
            bits[i * 4 + b] = ((d >> b) & 1) as u8;
        }
    }
    Some(
        input_layout(ir)
            .into_iter()
            .zip(&ir.inputs)
            .map(|((lsb, w), p)| {
                let mut v = 0i64;
                for b in 0..w {
                    v |= i64::from(bits[(lsb + b) as usize]) << b;
                }
                crate::fixed::wrap(v, w, p.ty.signed)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::pack_into;
    use crate::testing::Rng;

    /// `pack_into` places every bit where a bit-by-bit packing does, for random
    /// layouts crossing word boundaries and negative (two's-complement) codes.
    #[test]
    fn pack_into_matches_bitwise_packing() {
        let mut rng = Rng(3);
        for _ in 0..500 {
            let n = 1 + rng.below(12) as usize;
            let mut layout = Vec::new();
            let mut lsb = 0;
            for _ in 0..n {
                let w = 1 + rng.below(62) as u32;
                layout.push((lsb, w));
                lsb += w;
            }
            let inputs: Vec<i64> = (0..n)
                .map(|_| rng.next_u64() as i64 >> rng.below(63))
                .collect();
            let mut want = vec![0u32; lsb.div_ceil(32) as usize];
            for (&(l, w), &v) in layout.iter().zip(&inputs) {
                for b in 0..w {
                    if (v >> b) & 1 == 1 {
                        let pos = (l + b) as usize;
                        want[pos / 32] |= 1 << (pos % 32);
                    }
                }
            }
            let mut got = vec![u32::MAX; want.len()];
            pack_into(&layout, &inputs, &mut got);
            assert_eq!(got, want, "layout {layout:?}, inputs {inputs:?}");
        }
    }
}
