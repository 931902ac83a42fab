//! The `locus` command line: a thin layer over hdl-gen (compile, predict) and sim (cosimulation).
//!
//! Exit codes: 0 success, 1 a failure found (cosimulation mismatch) or an internal
//! error, 2 a user error (bad input, unsupported model, missing tool).

use anyhow::Result;
use clap::{Parser, Subcommand};
use hdl_gen::compile::{compile, write_dir, Arch, CompileOptions};
use hdl_gen::passes::PassOptions;
use hdl_gen::quant::SearchOptions;
use std::path::PathBuf;
use std::process::ExitCode;

use locus::{boards, cosim, flash, flow, predict, UserError};

#[derive(Parser)]
#[command(
    name = "locus",
    version,
    about = "Compile trained tree ensembles and RBF models into bit-exact, cosimulated FPGA logic"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Quantise a model against calibration data and emit Verilog, test vectors and a report.
    Compile {
        /// Model file: XGBoost JSON (save_model("m.json")), LightGBM text (save_model), ONNX (skl2onnx, onnxmltools) or a locus model.json.
        model: PathBuf,
        /// Calibration CSV: header row, feature columns, optional `label` column.
        #[arg(long)]
        data: PathBuf,
        /// Output directory (replaced atomically).
        #[arg(short, long)]
        out: PathBuf,
        /// Largest accepted quantisation loss on the calibration data: percent of rows
        /// whose class changes (classification), or percent RMSE increase (regression).
        #[arg(long, default_value_t = 0.5)]
        max_loss: f64,
        /// Input code width in bits (skips the search for it).
        #[arg(long)]
        input_bits: Option<u32>,
        /// Leaf value width in bits (skips the search for it).
        #[arg(long)]
        leaf_bits: Option<u32>,
        /// Logic depth allowed per pipeline stage, in LUT levels (smaller: more stages, higher Fmax).
        #[arg(long, default_value_t = PassOptions::default().stage_budget)]
        stage_budget: f64,
        /// Clock the core should reach: sets the stage budget from the target family's
        /// measured delay per LUT level (`--target`'s family; iCE40 without one).
        #[arg(long, conflicts_with = "stage_budget")]
        target_mhz: Option<f64>,
        /// How features enter the core: `rank` (exact input binning: the value's rank
        /// among the model's thresholds on that feature — exact for every value and
        /// usually far narrower; the host encodes, see report.json
        /// `formats.inputs[].bins`) or `fixed` (the value in a fixed-point format chosen
        /// from the data, for inputs that arrive as numbers). `--input-bits` implies `fixed`.
        #[arg(long, value_parser = ["rank", "fixed"])]
        input_encoding: Option<String>,
        /// Class names in class-index order, e.g. `--classes setosa,versicolor,virginica`
        /// (replaces the model's own); `label` cells may then be names.
        #[arg(long, value_delimiter = ',')]
        classes: Option<Vec<String>>,
        /// Also output each decision's evidence: the leaf every tree reached (ports
        /// `ev_leaf_<t>`), checked by `locus sim` and read by `locus explain`.
        #[arg(long)]
        explain: bool,
        /// RBF models: `parallel` (one unit per centre, II = 1), `serial` (one
        /// time-shared distance lane, centres and kernel tables in block RAM, II ≈
        /// units × features) or `auto`: parallel when its estimated size fits the
        /// `--target` (or the largest supported device), serial otherwise.
        #[arg(long, default_value = "auto", value_parser = ["auto", "parallel", "serial"])]
        arch: String,
        /// Board or bare device the core is meant for (`locus boards`): `--arch auto`
        /// chooses the architecture, and a serial core as many lanes, to fit it.
        #[arg(long)]
        target: Option<String>,
        /// Serial architecture: distance lanes side by side (II ≈ units / lanes ×
        /// features); default: as many as the target's multipliers feed, at most 8 (1
        /// without --target).
        #[arg(long)]
        lanes: Option<u32>,
    },
    /// Train an RBF network or a nearest-prototype model from a CSV (k-means++ centres), writing the native JSON (docs/rbf-format.md).
    Train {
        /// `rbf` (RBF network) or `prototype` (nearest prototype).
        #[arg(value_parser = ["rbf", "prototype"])]
        kind: String,
        /// Training CSV: header row, feature columns and a `label` column.
        #[arg(long)]
        data: PathBuf,
        /// Output model file.
        #[arg(short, long)]
        out: PathBuf,
        /// Centres per class (classification) or overall (regression).
        #[arg(long)]
        centres: Option<usize>,
        /// Seed of the k-means++ initialisation.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Distance: `euclidean` (squared) or `manhattan`.
        #[arg(long, default_value = "euclidean", value_parser = ["euclidean", "manhattan"])]
        metric: String,
        /// Regression on the `label` value (RBF networks only).
        #[arg(long)]
        regression: bool,
    },
    /// Cosimulate the compiled RTL under Verilator against the IR's eval(), cycle for cycle.
    Sim {
        /// A directory written by `locus compile`.
        dir: PathBuf,
        /// Rows to simulate (default: the rows given at compile time, DIR/vectors.csv).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Write a VCD waveform of the whole run to this file.
        #[arg(long)]
        vcd: Option<PathBuf>,
    },
    /// Print one prediction per row: the fixed-point reference (what the hardware computes) or, with --float, the float model.
    Predict {
        /// A directory written by `locus compile`.
        dir: PathBuf,
        #[arg(long)]
        data: PathBuf,
        /// Use the float model instead of the fixed-point reference.
        #[arg(long)]
        float: bool,
    },
    /// Explain each decision in words: the class and margin, and the conditions on the
    /// trees' paths (from the hardware's evidence), in the input's units.
    Explain {
        /// A directory written by `locus compile`.
        dir: PathBuf,
        #[arg(long)]
        data: PathBuf,
        /// Only this data row (0 is the first row after the header).
        #[arg(long)]
        row: Option<usize>,
        /// The same, as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write DIR/report.html: model, accuracy, accuracy against width, hardware figures, node catalogue, plots.
    Report {
        /// A directory written by `locus compile`.
        dir: PathBuf,
    },
    /// List the boards and bare devices `locus synth` builds for.
    Boards,
    /// Build a bitstream: board top, yosys, nextpnr, icepack/ecppack; writes DIR/synth.json.
    Synth {
        /// A directory written by `locus compile`.
        dir: PathBuf,
        /// Board name (`locus boards`) or a board .toml file.
        #[arg(long, required_unless_present = "device", conflicts_with = "device")]
        board: Option<String>,
        /// Bare device (core in a serial-load wrapper, pins placed freely).
        #[arg(long)]
        device: Option<String>,
        /// Core clock in MHz (default: the board oscillator; other values add a PLL).
        #[arg(long)]
        freq: Option<f64>,
        /// Yosys program to use instead of the family's (boards/families.toml).
        #[arg(long)]
        yosys: Option<String>,
    },
    /// Program a board with the bitstream `locus synth` built (openFPGALoader).
    Flash {
        /// A directory built with `locus synth DIR --board B`.
        dir: PathBuf,
        #[arg(long)]
        board: String,
        /// Print the openFPGALoader command without running it.
        #[arg(long)]
        dry_run: bool,
    },
    /// Send rows over the framed UART protocol (docs/protocol.md) to a flashed board, or to the Verilated board top with --sim, and check every answer.
    Run {
        /// A directory written by `locus compile`.
        dir: PathBuf,
        /// Simulate the board top (UART bit level included) instead of using a board.
        #[arg(long, required_unless_present = "port", conflicts_with = "port")]
        sim: bool,
        /// Serial port of the board, e.g. /dev/ttyUSB1.
        #[arg(long)]
        port: Option<PathBuf>,
        /// Rows to send: CSV with a header row and the model's feature columns.
        #[arg(long)]
        data: PathBuf,
        /// UART rate (must match the bitstream; --sim clocks the top at 16 × baud).
        #[arg(long, default_value_t = 115200)]
        baud: u32,
        /// Requests in flight, 1 to 4 (the board's result FIFO depth).
        #[arg(long, default_value_t = 4)]
        window: usize,
        /// Print each decision in words from the evidence the board returns (a
        /// directory compiled with --explain).
        #[arg(long)]
        explain: bool,
    },
}

fn main() -> ExitCode {
    // Like other Unix tools, stop quietly when the reader of stdout goes away
    // (`locus predict … | head`) instead of panicking on a broken pipe.
    // SAFETY: setting a signal disposition to its default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let user = is_user_error(&e);
            eprintln!("error: {e:#}");
            ExitCode::from(if user { 2 } else { 1 })
        }
    }
}

/// User errors exit 2: bad input to hdl-gen, or a missing or misused tool.
fn is_user_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<hdl_gen::Error>()
            .is_some_and(|h| h.is_user_error())
            || matches!(
                c.downcast_ref::<sim::SimError>(),
                Some(sim::SimError::ToolMissing { .. })
            )
            || c.downcast_ref::<UserError>().is_some()
    })
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Compile {
            model,
            data,
            out,
            max_loss,
            input_bits,
            leaf_bits,
            stage_budget,
            target_mhz,
            input_encoding,
            classes,
            explain,
            arch,
            target,
            lanes,
        } => {
            if !(max_loss.is_finite() && max_loss >= 0.0) {
                return Err(UserError(format!(
                    "--max-loss {max_loss}: expected a non-negative number"
                ))
                .into());
            }
            if input_encoding.as_deref() == Some("rank") && input_bits.is_some() {
                return Err(UserError(
                    "--input-bits sets a fixed-point width, but --input-encoding is rank; expected one of them"
                        .into(),
                )
                .into());
            }
            if let Some(k) = lanes {
                if !(1..=hdl_gen::compile::MAX_LANES).contains(&k) {
                    return Err(UserError(format!(
                        "--lanes {k}: expected 1 to {}",
                        hdl_gen::compile::MAX_LANES
                    ))
                    .into());
                }
                if arch == "parallel" {
                    return Err(UserError(
                        "--lanes sets the serial architecture's lanes, but --arch is parallel; expected one of them"
                            .into(),
                    )
                    .into());
                }
            }
            let (stage_budget, pipelining) = match target_mhz {
                Some(mhz) => {
                    let (b, why) = boards::stage_budget_for(mhz, target.as_deref())?;
                    (b, Some(why))
                }
                None => (stage_budget, None),
            };
            if !(stage_budget.is_finite() && stage_budget > 0.0) {
                return Err(UserError(format!(
                    "--stage-budget {stage_budget}: expected a positive number"
                ))
                .into());
            }
            let mut m = hdl_gen::import::load_any(&model)?;
            if let Some(names) = classes {
                m.set_class_names(names.iter().map(|n| n.trim().to_string()).collect())
                    .map_err(|e| UserError(format!("--classes: {e}")))?;
            }
            let d = hdl_gen::data::read_for_model(&data, &m)?;
            let opts = CompileOptions {
                search: SearchOptions {
                    max_loss,
                    input_bits,
                    leaf_bits,
                    rank: match input_encoding.as_deref() {
                        Some(e) => e == "rank",
                        None => input_bits.is_none(),
                    },
                },
                passes: PassOptions { stage_budget },
                explain,
                arch: match arch.as_str() {
                    "serial" => Arch::Serial,
                    "parallel" => Arch::Parallel,
                    _ => Arch::Auto,
                },
                target: target.as_deref().map(boards::capacity).transpose()?,
                lanes,
            };
            let c = compile(m, &model.display().to_string(), &d, &opts)?;
            write_dir(&c, &out)?;
            print_summary(&c, &out);
            if let Some(why) = pipelining {
                println!("  pipeline {why}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Train {
            kind,
            data,
            out,
            centres,
            seed,
            metric,
            regression,
        } => {
            let opts = locus::train::options(&kind, centres, seed, &metric, regression);
            println!("{}", locus::train::run(&data, &out, &opts)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Sim { dir, data, vcd } => cosim::run(&dir, data.as_deref(), vcd.as_deref()),
        Command::Explain {
            dir,
            data,
            row,
            json,
        } => {
            locus::explain::run(&dir, &data, row, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { dir } => {
            let path = locus::report::run(&dir)?;
            println!("wrote {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Predict { dir, data, float } => {
            predict::run(&dir, &data, float).map(|_| ExitCode::SUCCESS)
        }
        Command::Boards => {
            print!("{}", boards::table(&boards::Catalog::load()?));
            Ok(ExitCode::SUCCESS)
        }
        Command::Synth {
            dir,
            board,
            device,
            freq,
            yosys,
        } => flow::synth(
            &dir,
            &flow::SynthOptions {
                board,
                device,
                freq_mhz: freq,
                yosys,
                pnr_limit: None,
                no_bitstream: false,
            },
        ),
        Command::Flash {
            dir,
            board,
            dry_run,
        } => flash::run(&dir, &board, dry_run),
        Command::Run {
            dir,
            sim,
            port,
            data,
            baud,
            window,
            explain,
        } => locus::run::run(
            &dir,
            &data,
            &locus::run::RunOptions {
                mode: match port {
                    Some(p) if !sim => locus::run::Mode::Port(p),
                    _ => locus::run::Mode::Sim,
                },
                baud,
                window,
                explain,
            },
        ),
    }
}

fn print_summary(c: &hdl_gen::compile::Compiled, out: &std::path::Path) {
    let r = &c.report;
    let task = match r.task {
        hdl_gen::model::Task::Classification => format!("classification, {} classes", r.n_classes),
        hdl_gen::model::Task::Regression => "regression".to_string(),
    };
    let size = match r.n_units {
        Some(u) => format!(
            "{u} units, {} architecture{}{}",
            r.architecture.as_deref().unwrap_or("parallel"),
            match r.lanes {
                Some(k) if k > 1 => format!(" ({k} lanes)"),
                _ => String::new(),
            },
            match r.kernel_tables.as_deref() {
                Some("interpolated") => ", interpolated kernel tables",
                _ => "",
            }
        ),
        None => format!("{} trees", r.n_trees),
    };
    println!(
        "{} ({}): {task}, {} features ({} used), {size}",
        r.model_file,
        r.source,
        r.n_features,
        r.interface
            .inputs
            .iter()
            .filter(|i| i.kind == hdl_gen::ir::InputKind::Value)
            .count(),
    );
    if let Some(why) = &r.architecture_choice {
        println!("  arch     {}", why.trim_start_matches("auto: "));
    }
    let s = &r.search;
    println!(
        "  widths   inputs {} bits, leaves {} bits: loss {:.2} of {:.2} allowed ({}){}",
        r.formats.input_bits,
        r.formats.leaf_bits,
        s.loss,
        s.max_loss,
        match s.loss_kind {
            hdl_gen::quant::Loss::FlippedRows => "% rows flipped",
            hdl_gen::quant::Loss::RmseIncrease => "% RMSE increase",
            hdl_gen::quant::Loss::RmseVsFloat => "% RMSE vs float",
        },
        if s.budget_met {
            ""
        } else {
            " — budget NOT met even at the widest formats"
        }
    );
    let d = &r.design;
    let rbf = if d.multipliers + d.luts > 0 {
        format!(
            "{} multipliers, {} kernel ROMs ({} bits), ",
            d.multipliers, d.luts, d.lut_bits
        )
    } else {
        String::new()
    };
    println!(
        "  design   {rbf}{} comparators, {} muxes, {} adders, {} register bits; latency {} cycles, II {}",
        d.comparators, d.muxes, d.adders, d.register_bits, r.latency_cycles, r.initiation_interval
    );
    if let Some(e) = &r.evidence_cost {
        let what = if r.n_units.is_some() {
            "ev_unit, ev_dist (the most active unit and its distance)".to_string()
        } else {
            format!(
                "ev_leaf_0..{} (the leaf each tree reached)",
                r.n_trees.saturating_sub(1)
            )
        };
        println!(
            "  evidence {what}: +{} muxes, +{} register bits",
            e.muxes, e.register_bits
        );
    }
    let m = &r.metrics;
    match (
        m.float.accuracy,
        m.fixed.accuracy,
        m.float.rmse,
        m.fixed.rmse,
    ) {
        (Some(a), Some(b), _, _) => println!(
            "  accuracy float {:.4}, fixed {:.4}; agreement {:.2}% of {} rows",
            a,
            b,
            100.0 * m.agreement,
            m.rows
        ),
        (_, _, Some(a), Some(b)) => println!(
            "  rmse     float {}, fixed {}; agreement {:.2}% of {} rows",
            significant(a),
            significant(b),
            100.0 * m.agreement,
            m.rows
        ),
        _ => println!(
            "  agreement {:.2}% of {} rows (no label column)",
            100.0 * m.agreement,
            m.rows
        ),
    }
    println!("  wrote    {}/ (rtl/locus_core.v, report.json, vectors.csv, quant.json, model.json, ir.txt)", out.display());
}

/// `x` with six significant digits, in scientific notation when far from 1.
fn significant(x: f64) -> String {
    if x == 0.0 || (1e-3..1e9).contains(&x.abs()) {
        let decimals = (5 - x.abs().log10().floor() as i32).clamp(0, 8) as usize;
        format!("{x:.decimals$}")
    } else {
        format!("{x:.5e}")
    }
}
