//! `locus synth`: board top + constraints → yosys → carry fix-up → nextpnr (fit check, then place and route) → icepack/ecppack → `synth.json`.
//!
//! Everything is written under `DIR/build/<target>/` and every tool runs there with
//! relative paths (YoWASP tools cannot see the host's `/tmp`). Area comes from
//! `yosys stat -json`, packed utilisation and Fmax from `nextpnr --report`; nothing is
//! scraped from tool output. A design that does not fit stops after nextpnr's pack
//! step with the numbers (exit 2); missed timing is reported and still exits 0.

pub mod constraints;
pub mod netlist;
pub mod report;
pub mod tools;

use crate::boards::{Board, Catalog, Family, FamilyName, PllInput, Target};
use crate::UserError;
use anyhow::{anyhow, Context, Result};
use hdl_gen::board_top::{emit_top, write_rtl, TopOptions, BOARD_TOP, RTL_FILES};
use hdl_gen::compile::load_dir;
use hdl_gen::pll::{self, Ice40Primitive, Pll};
use hdl_gen::serial_top::{emit_serial_top, SERIAL_TOP};
use hdl_gen::vlog::print;
use report::{cell_counts, count, PnrReport, Use};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use tools::{resolve, Step};

/// What the user asked `locus synth` for.
#[derive(Clone, Debug, Default)]
pub struct SynthOptions {
    pub board: Option<String>,
    pub device: Option<String>,
    /// Target clock in MHz (default: the board oscillator or the device's nominal clock).
    pub freq_mhz: Option<f64>,
    /// Yosys program overriding the family's choice.
    pub yosys: Option<String>,
    /// Stop place and route after this long (benchmarks); `None`: no limit.
    pub pnr_limit: Option<std::time::Duration>,
    /// Stop after place and route, without a bitstream (benchmarks).
    pub no_bitstream: bool,
}

/// The core clock and where it comes from.
#[derive(Clone, Debug, Serialize)]
pub struct ClockReport {
    /// The board oscillator (boards) or `null` (devices).
    pub oscillator_hz: Option<u64>,
    /// What `--freq` asked for, if given.
    pub requested_hz: Option<u64>,
    /// The core clock: the oscillator, the PLL output, or the device target.
    pub core_hz: u64,
    pub pll: Option<PllReport>,
}

/// PLL settings as emitted.
#[derive(Clone, Debug, Serialize)]
pub struct PllReport {
    pub primitive: String,
    pub dividers: BTreeMap<String, u32>,
}

/// `DIR/synth.json`.
#[derive(Clone, Debug, Serialize)]
pub struct SynthReport {
    pub locus_version: String,
    /// Board or device name.
    pub target: String,
    /// "board" or "device".
    pub kind: String,
    pub board: Option<String>,
    pub family: String,
    pub device: String,
    pub package: String,
    pub top: String,
    /// False if nextpnr's pack step found more cells than the device has.
    pub fits: bool,
    /// LUT4s, flip-flops, carry cells, block RAMs, DSPs (from `yosys stat -json`).
    pub luts: u64,
    pub ffs: u64,
    pub carry: u64,
    pub brams: u64,
    pub dsps: u64,
    /// Carry outs nothing read, disconnected before nextpnr ([`netlist`]).
    pub carry_outs_disconnected: usize,
    /// Carry ins of chains that feed themselves, disconnected before nextpnr.
    pub carry_ins_disconnected: usize,
    /// Packed logic cells (iCE40: LUT + carry + FF sites), from nextpnr.
    pub logic_cells: Option<u64>,
    /// Fraction of the device per resource.
    pub utilisation: BTreeMap<String, f64>,
    /// nextpnr's packed utilisation per bel type.
    pub bels: BTreeMap<String, Use>,
    /// The slowest clock's achieved Fmax (MHz); `null` if not placed or no clocked paths.
    pub fmax_mhz: Option<f64>,
    pub target_mhz: f64,
    pub timing_met: Option<bool>,
    /// The placement seed, when not nextpnr's default (a retried benchmark build).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pnr_seed: Option<u32>,
    pub clock: ClockReport,
    /// The bitstream, relative to DIR.
    pub bitstream: Option<String>,
    pub tools: BTreeMap<String, String>,
    pub step_seconds: BTreeMap<String, f64>,
    /// Every yosys cell type and count.
    pub cells: BTreeMap<String, u64>,
}

fn target(c: &Catalog, o: &SynthOptions) -> Result<Target, UserError> {
    match (&o.board, &o.device) {
        (Some(b), None) => Ok(Target::Board(Box::new(c.board(b)?))),
        (None, Some(d)) => Ok(Target::Device {
            name: d.clone(),
            device: c.device(d)?,
        }),
        _ => Err(UserError(
            "give exactly one of --board NAME or --device NAME (`locus boards` lists both)".into(),
        )),
    }
}

/// Fills `{name}` placeholders; any left over is an error naming families.toml.
fn fill(template: &str, vars: &BTreeMap<&str, String>, key: &str) -> Result<String, UserError> {
    let mut s = template.to_string();
    for (k, v) in vars {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    if let (Some(a), Some(b)) = (s.find('{'), s.rfind('}')) {
        if a < b {
            return Err(UserError(format!(
                "boards/families.toml: {key}: unknown placeholder in {template:?}; known: {}",
                vars.keys()
                    .map(|k| format!("{{{k}}}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )));
        }
    }
    Ok(s)
}

fn fill_all(
    templates: &[String],
    vars: &BTreeMap<&str, String>,
    key: &str,
) -> Result<Vec<String>, UserError> {
    templates.iter().map(|t| fill(t, vars, key)).collect()
}

fn mhz_arg(hz: u64) -> String {
    format!("{}", hz as f64 / 1e6)
}

/// The PLL for a board when `core_hz` differs from its oscillator.
fn board_pll(b: &Board, core_hz: u64) -> Result<Option<Pll>, UserError> {
    if core_hz == b.clock.hz {
        return Ok(None);
    }
    let p = match b.family {
        FamilyName::Ice40 => {
            let prim = match b.clock.pll {
                Some(PllInput::Core) => Ice40Primitive::Core,
                _ => Ice40Primitive::Pad,
            };
            pll::ice40(b.clock.hz, core_hz, prim).map(Pll::Ice40)
        }
        FamilyName::Ecp5 => pll::ecp5(b.clock.hz, core_hz).map(Pll::Ecp5),
    };
    p.map(Some).map_err(|e| {
        UserError(format!(
            "--freq {}: {e} (the {} oscillator is {} MHz)",
            core_hz as f64 / 1e6,
            b.name,
            b.clock.hz as f64 / 1e6
        ))
    })
}

fn pll_report(p: &Pll) -> PllReport {
    let (primitive, d): (&str, Vec<(&str, u32)>) = match p {
        Pll::Ice40(q) => (
            match q.primitive {
                Ice40Primitive::Pad => "SB_PLL40_PAD",
                Ice40Primitive::Core => "SB_PLL40_CORE",
            },
            vec![
                ("DIVR", q.divr),
                ("DIVF", q.divf),
                ("DIVQ", q.divq),
                ("FILTER_RANGE", q.filter_range),
            ],
        ),
        Pll::Ecp5(q) => (
            "EHXPLLL",
            vec![
                ("CLKI_DIV", q.clki_div),
                ("CLKFB_DIV", q.clkfb_div),
                ("CLKOP_DIV", q.clkop_div),
                ("CLKOP_CPHASE", q.clkop_cphase),
            ],
        ),
    };
    PllReport {
        primitive: primitive.into(),
        dividers: d.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    }
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn rel(dir: &Path, p: &Path) -> String {
    p.strip_prefix(dir)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

fn pct(used: u64, avail: u64) -> String {
    if avail == 0 {
        "n/a".into()
    } else {
        format!("{:.1}%", 100.0 * used as f64 / avail as f64)
    }
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// Writes the sources, constraints and yosys script into `bdir`; returns (top, constraint file).
fn write_sources(
    bdir: &Path,
    t: &Target,
    core: &Core,
    fam: &Family,
    top_opts: Option<&TopOptions>,
    synth_flags: &str,
) -> Result<(String, Option<String>)> {
    let iface = core.iface;
    let mut files = vec!["locus_core.v".to_string()];
    std::fs::copy(core.rtl, bdir.join("locus_core.v"))
        .with_context(|| format!("copying {}", core.rtl.display()))?;
    let version = env!("CARGO_PKG_VERSION");
    let (top, constraint_file) = match (t, top_opts) {
        (Target::Board(b), Some(opts)) => {
            // The hand-written primitives, embedded in the binary (hdl-gen RTL_SOURCES).
            write_rtl(bdir)
                .with_context(|| format!("writing the rtl/ primitives into {}", bdir.display()))?;
            files.extend(RTL_FILES.iter().map(|f| f.to_string()));
            let clock = match &opts.pll {
                Some(p) => format!(
                    "Core clock {} Hz from the {} Hz oscillator through a PLL.",
                    p.out_hz(),
                    p.in_hz()
                ),
                None => format!(
                    "Core clock {} Hz straight from the oscillator.",
                    opts.clk_hz
                ),
            };
            let header = vec![
                format!(
                    "{BOARD_TOP}: generated by locus {version} for board {} ({}) — do not edit.",
                    b.name, b.description
                ),
                clock,
                format!(
                    "UART {} baud; pins in {}.{}.",
                    opts.baud,
                    b.name,
                    fam.constraints.extension()
                ),
            ];
            let m = emit_top(iface, opts, header);
            write(&bdir.join(format!("{BOARD_TOP}.v")), &print(&m))?;
            files.push(format!("{BOARD_TOP}.v"));
            let cf = format!("{}.{}", b.name, fam.constraints.extension());
            write(
                &bdir.join(&cf),
                &constraints::constraints(b, fam.constraints),
            )?;
            (BOARD_TOP.to_string(), Some(cf))
        }
        _ => {
            let header = vec![
                format!(
                    "{SERIAL_TOP}: generated by locus {version} for bare device {} — do not edit.",
                    t.name()
                ),
                "Serial-load wrapper for area and timing figures; pins are placed by nextpnr."
                    .into(),
            ];
            write(
                &bdir.join(format!("{SERIAL_TOP}.v")),
                &print(&emit_serial_top(iface, header)),
            )?;
            files.push(format!("{SERIAL_TOP}.v"));
            (SERIAL_TOP.to_string(), None)
        }
    };
    // The family's own yosys inputs (techmaps from boards/), read by its commands.
    for (name, text) in &fam.synth_sources {
        write(&bdir.join(name), text)?;
    }
    let vars: BTreeMap<&str, String> = [
        ("top", top.clone()),
        ("synth_flags", synth_flags.to_string()),
    ]
    .into_iter()
    .collect();
    let mut ys = format!(
        "# locus: synthesis of {top} for {}, generated — do not edit\n",
        t.name()
    );
    for f in &files {
        ys.push_str(&format!("read_verilog {f}\n"));
    }
    for cmd in fill_all(&fam.synth, &vars, &format!("{}.synth", t.family()))? {
        ys.push_str(&cmd.split_whitespace().collect::<Vec<_>>().join(" "));
        ys.push('\n');
    }
    ys.push_str("tee -q -o stat.json stat -json\nwrite_json netlist.json\n");
    write(&bdir.join("synth.ys"), &ys)?;
    Ok((top, constraint_file))
}

/// Runs the whole flow for a compiled directory.
pub fn synth(dir: &Path, o: &SynthOptions) -> Result<ExitCode> {
    let catalog = Catalog::load()?;
    let t = target(&catalog, o)?;
    let fam = catalog.family(t.family()).clone();
    let l = load_dir(dir)?;
    if let Some(&ffs) = fam.flip_flops.get(t.device()) {
        let need = l.report.design.register_bits;
        if need > ffs {
            return Err(UserError(format!(
                "{}: the core alone has {need} register bits (report.json design.register_bits), \
                 more than the {ffs} flip-flops of {} ({} {}); nothing was synthesised. Choose a \
                 larger device (`locus boards`) or a smaller model.",
                dir.display(),
                t.name(),
                t.family(),
                t.device()
            ))
            .into());
        }
    }

    let requested_hz = match o.freq_mhz {
        Some(m) if !(m.is_finite() && m > 0.0) => {
            return Err(
                UserError(format!("--freq {m}: expected a positive frequency in MHz")).into(),
            )
        }
        Some(m) => Some((m * 1e6).round() as u64),
        None => None,
    };
    let core_hz = requested_hz.unwrap_or(t.default_hz());
    let (top_opts, pll) = match &t {
        Target::Board(b) => {
            let pll = board_pll(b, core_hz)?;
            let opts = TopOptions {
                clk_hz: pll.map_or(b.clock.hz, |p| p.out_hz()),
                baud: b.baud,
                reset_active_low: b.reset.as_ref().is_some_and(|r| r.active_low),
                reset_pin: b.reset.is_some(),
                leds_active_low: b.leds.active_low,
                pll,
                tie_high: b.tie_high.iter().map(|p| p.name.clone()).collect(),
            };
            (Some(opts), pll)
        }
        Target::Device { .. } => (None, None),
    };
    let core_hz = top_opts.as_ref().map_or(core_hz, |x| x.clk_hz);
    let core = Core {
        rtl: &l.rtl_path,
        iface: &l.report.interface,
    };
    let clock = Clock {
        core_hz,
        requested_hz,
        pll,
    };
    let rep = match run_flow(dir, &t, &fam, &core, top_opts.as_ref(), &clock, o)? {
        Outcome::Built(rep) => rep,
        Outcome::DoesNotFit(_, what) => {
            let smaller = match l.report.n_units {
                Some(_) => "fewer units or support vectors, a larger --max-loss",
                None => "fewer or shallower trees, a larger --max-loss",
            };
            let serial = if l.report.architecture.as_deref() == Some("parallel") {
                format!(
                    ", the serial architecture (`locus compile --arch serial`, or `--target {}`),",
                    t.name()
                )
            } else {
                String::new()
            };
            eprintln!(
                "error: the design does not fit {} ({} {} {}): {}. Choose a larger device \
                 (`locus boards`){serial} or a smaller model ({smaller}). Numbers in {}.",
                t.name(),
                t.family(),
                t.device(),
                t.package(),
                what.join(", "),
                dir.join("synth.json").display()
            );
            return Ok(ExitCode::from(2));
        }
    };
    print_summary(dir, &rep, &fam);
    Ok(ExitCode::SUCCESS)
}

/// The core a build wraps: its RTL file and its port interface.
pub struct Core<'a> {
    pub rtl: &'a Path,
    pub iface: &'a hdl_gen::compile::Interface,
}

/// The core clock of a build.
struct Clock {
    core_hz: u64,
    requested_hz: Option<u64>,
    pll: Option<Pll>,
}

/// How a build ended: placed, routed and packed, or stopped by the fit check
/// (with each overflowing resource in words).
enum Outcome {
    Built(SynthReport),
    DoesNotFit(SynthReport, Vec<String>),
}

/// Builds `core` bare on `device` (the serial-load wrapper, no board pins) at
/// `freq_mhz`, under `dir/build/<device>/`, through the same flow as `locus synth
/// --device` but for the bitstream; `dir/synth.json` is written. For benchmarks
/// that wrap cores locus did not compile: the returned report says whether it fit.
/// Place and route stops (an error) after `pnr_limit` of processor time, synthesis
/// after three times that.
pub fn synth_bare(
    dir: &Path,
    device: &str,
    core: &Core,
    freq_mhz: f64,
    pnr_limit: std::time::Duration,
) -> Result<SynthReport> {
    let catalog = Catalog::load()?;
    let o = SynthOptions {
        device: Some(device.into()),
        freq_mhz: Some(freq_mhz),
        pnr_limit: Some(pnr_limit),
        no_bitstream: true,
        ..SynthOptions::default()
    };
    let t = target(&catalog, &o)?;
    let fam = catalog.family(t.family()).clone();
    let hz = (freq_mhz * 1e6).round() as u64;
    let clock = Clock {
        core_hz: hz,
        requested_hz: Some(hz),
        pll: None,
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(match run_flow(dir, &t, &fam, core, None, &clock, &o)? {
        Outcome::Built(r) | Outcome::DoesNotFit(r, _) => r,
    })
}

/// yosys → nextpnr fit check → place and route → packer for `core` on `t`, writing
/// under `dir/build/<target>/` and the report to `dir/synth.json`.
fn run_flow(
    dir: &Path,
    t: &Target,
    fam: &Family,
    core: &Core,
    top_opts: Option<&TopOptions>,
    clock: &Clock,
    o: &SynthOptions,
) -> Result<Outcome> {
    let total = std::time::Instant::now();
    let Clock {
        core_hz,
        requested_hz,
        pll,
    } = *clock;

    // Resolve every tool before writing anything, so a missing one fails fast.
    let yosys_name = o.yosys.clone().unwrap_or_else(|| fam.yosys.clone());
    let yosys = resolve(&yosys_name)?;
    let nextpnr = resolve(&fam.nextpnr)?;
    let packer = resolve(&fam.packer)?;

    let bdir = dir.join("build").join(t.name());
    std::fs::create_dir_all(&bdir).with_context(|| format!("creating {}", bdir.display()))?;
    // A failed run must not leave an earlier bitstream or report looking current.
    for stale in [
        bdir.join(format!("{BOARD_TOP}.{}", fam.bitstream)),
        bdir.join(format!("{SERIAL_TOP}.{}", fam.bitstream)),
        bdir.join("synth.json"),
        dir.join("synth.json"),
    ] {
        let _ = std::fs::remove_file(stale);
    }
    let synth_flags = fam.synth_flags.get(t.device()).cloned().unwrap_or_default();
    let (top, constraint_file) = write_sources(&bdir, t, core, fam, top_opts, &synth_flags)?;

    let mut tool_versions = BTreeMap::new();
    tool_versions.insert("yosys".to_string(), tools::version(&yosys, &["-V"]));
    tool_versions.insert(
        "nextpnr".to_string(),
        tools::version(&nextpnr, &["--version"]),
    );
    let packer_version = if fam.packer == "icepack" {
        tools::debian_version("fpga-icestorm")
            .map(|v| format!("icepack (fpga-icestorm {v})"))
            .unwrap_or_else(|| "icepack (version unknown)".into())
    } else {
        tools::version(&packer, &["--version"])
    };
    tool_versions.insert("packer".to_string(), packer_version);

    let bitstream = format!("{top}.{}", fam.bitstream);
    // The family's own yosys inputs (techmaps from boards/), read by its commands.
    for (name, text) in &fam.synth_sources {
        write(&bdir.join(name), text)?;
    }
    let vars: BTreeMap<&str, String> = [
        ("top", top.clone()),
        ("device", t.device().to_string()),
        ("package", t.package().to_string()),
        (
            "speed",
            t.speed().map(|s| s.to_string()).unwrap_or_default(),
        ),
        ("netlist", "netlist.json".to_string()),
        ("placed", fam.placed.clone()),
        ("bitstream", bitstream.clone()),
        ("freq_mhz", mhz_arg(core_hz)),
    ]
    .into_iter()
    .collect();
    let fam_key = t.family().as_str();
    let mut pnr_args = fill_all(&fam.nextpnr_args, &vars, &format!("{fam_key}.nextpnr_args"))?;
    if let Some(cf) = &constraint_file {
        pnr_args.extend([fam.constraints_flag.clone(), cf.clone()]);
    }
    let mut seconds = BTreeMap::new();

    // 1. Synthesis.
    let ran = tools::run(
        &bdir,
        &Step {
            label: format!("yosys: synthesising {top} for {}", t.name()),
            exe: &yosys,
            args: vec![
                "-q".into(),
                "-l".into(),
                "yosys.log".into(),
                "-s".into(),
                "synth.ys".into(),
            ],
            outputs: vec!["netlist.json".into(), "stat.json".into()],
            log: Some("yosys.log".into()),
            // Benchmarks: a design far too large for any device is not synthesised
            // for hours; synthesis gets three times place and route's limit.
            limit: o.pnr_limit.map(|l| l * 3),
        },
    )?;
    seconds.insert("yosys".to_string(), ran.seconds);
    if !ran.ok {
        return Err(anyhow!(
            "yosys failed on {} (log: {}):\n{}",
            t.name(),
            bdir.join("yosys.log").display(),
            ran.tail
        ));
    }
    let cells = cell_counts(&bdir.join("stat.json"))?;
    let n = |r: &str| count(&cells, fam.cells.get(r).map(Vec::as_slice).unwrap_or(&[]));
    // Carry outs nothing reads, and the carry ins of chains that feed themselves,
    // would each cost nextpnr-ecp5 a feed cell.
    let carry_outs_disconnected = netlist::drop_unread_carry_outs(&bdir.join("netlist.json"))?;
    let carry_ins_disconnected = netlist::cut_head_carry_ins(&bdir.join("netlist.json"))?;

    // 2. Does it fit? nextpnr packs only and reports the packed utilisation.
    let mut args = pnr_args.clone();
    args.extend(
        [
            "--pack-only",
            "--report",
            "pack.json",
            "-q",
            "-l",
            "pack.log",
        ]
        .map(String::from),
    );
    let ran = tools::run(
        &bdir,
        &Step {
            label: format!("nextpnr: packing for {} {}", t.family(), t.device()),
            exe: &nextpnr,
            args,
            outputs: vec!["pack.json".into()],
            log: Some("pack.log".into()),
            limit: None,
        },
    )?;
    seconds.insert("fit_check".to_string(), ran.seconds);
    if !ran.ok {
        return Err(anyhow!(
            "nextpnr could not pack the design for {} (log: {}):\n{}",
            t.name(),
            bdir.join("pack.log").display(),
            ran.tail
        ));
    }
    let packed = PnrReport::read(&bdir.join("pack.json"))?;
    let mut rep = SynthReport {
        locus_version: env!("CARGO_PKG_VERSION").into(),
        target: t.name().into(),
        kind: match t {
            Target::Board(_) => "board".into(),
            Target::Device { .. } => "device".into(),
        },
        board: match &t {
            Target::Board(b) => Some(b.name.clone()),
            Target::Device { .. } => None,
        },
        family: t.family().to_string(),
        device: t.device().into(),
        package: t.package().into(),
        top: top.clone(),
        fits: packed.overflows().is_empty(),
        luts: n("luts"),
        ffs: n("ffs"),
        carry: n("carry"),
        brams: n("brams"),
        dsps: n("dsps"),
        carry_outs_disconnected,
        carry_ins_disconnected,
        logic_cells: None,
        utilisation: BTreeMap::new(),
        bels: BTreeMap::new(),
        fmax_mhz: None,
        target_mhz: core_hz as f64 / 1e6,
        timing_met: None,
        pnr_seed: None,
        clock: ClockReport {
            oscillator_hz: match &t {
                Target::Board(b) => Some(b.clock.hz),
                Target::Device { .. } => None,
            },
            requested_hz,
            core_hz,
            pll: pll.as_ref().map(pll_report),
        },
        bitstream: None,
        tools: tool_versions,
        step_seconds: BTreeMap::new(),
        cells: cells.clone(),
    };
    fill_utilisation(&mut rep, fam, &packed);
    if !rep.fits {
        let what: Vec<String> = packed
            .overflows()
            .iter()
            .map(|(bel, u)| {
                format!(
                    "{bel} {} used of {} ({})",
                    u.used,
                    u.available,
                    pct(u.used, u.available)
                )
            })
            .collect();
        rep.step_seconds = finish_seconds(seconds, total);
        write_reports(dir, &bdir, &rep)?;
        return Ok(Outcome::DoesNotFit(rep, what));
    }

    // 3. Place and route. With a time limit (benchmarks), a run that does not finish
    //    is retried with other placement seeds: nextpnr-ice40 0.4's router can cycle
    //    without end on one placement and route another in seconds (FIELD-NOTES).
    let seeds: &[Option<u32>] = if o.pnr_limit.is_some() {
        &[None, Some(2), Some(3)]
    } else {
        &[None]
    };
    let mut ran = None;
    for seed in seeds {
        let mut args = pnr_args.clone();
        args.extend([fam.placed_flag.clone(), fam.placed.clone()]);
        args.extend(["--report", "report.json", "-q", "-l", "nextpnr.log"].map(String::from));
        if let Some(s) = seed {
            args.extend(["--seed".to_string(), s.to_string()]);
        }
        let r = tools::run(
            &bdir,
            &Step {
                label: format!("nextpnr: placing and routing at {} MHz", mhz_arg(core_hz)),
                exe: &nextpnr,
                args,
                outputs: vec![fam.placed.clone(), "report.json".into()],
                log: Some("nextpnr.log".into()),
                limit: o.pnr_limit,
            },
        )?;
        *seconds.entry("nextpnr".to_string()).or_insert(0.0) += r.seconds;
        rep.pnr_seed = *seed;
        let done = r.ok;
        ran = Some(r);
        if done {
            break;
        }
    }
    let ran = ran.expect("at least one seed");
    if !ran.ok {
        return Err(anyhow!(
            "nextpnr failed to place and route {} (log: {}):\n{}",
            t.name(),
            bdir.join("nextpnr.log").display(),
            ran.tail
        ));
    }
    let routed = PnrReport::read(&bdir.join("report.json"))?;
    fill_utilisation(&mut rep, fam, &routed);
    rep.fmax_mhz = routed.fmax_mhz().map(|f| (f * 100.0).round() / 100.0);
    rep.timing_met = Some(routed.fmax_mhz().is_none_or(|f| f >= rep.target_mhz));

    // 4. Bitstream.
    if o.no_bitstream {
        rep.step_seconds = finish_seconds(seconds, total);
        write_reports(dir, &bdir, &rep)?;
        return Ok(Outcome::Built(rep));
    }
    let packer_label = Path::new(&fam.packer)
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .trim_start_matches(tools::YOWASP_PREFIX)
                .to_string()
        })
        .unwrap_or_default();
    let ran = tools::run(
        &bdir,
        &Step {
            label: format!("{packer_label}: writing {bitstream}"),
            exe: &packer,
            args: fill_all(&fam.packer_args, &vars, &format!("{fam_key}.packer_args"))?,
            outputs: vec![bitstream.clone()],
            log: None,
            limit: None,
        },
    )?;
    seconds.insert("packer".to_string(), ran.seconds);
    if !ran.ok {
        return Err(anyhow!(
            "{} failed on {}:\n{}",
            fam.packer,
            t.name(),
            ran.tail
        ));
    }
    rep.bitstream = Some(rel(dir, &bdir.join(&bitstream)));
    rep.step_seconds = finish_seconds(seconds, total);
    write_reports(dir, &bdir, &rep)?;
    Ok(Outcome::Built(rep))
}

/// Step names in `step_seconds`, in running order.
const STEPS: &[&str] = &["yosys", "fit_check", "nextpnr", "packer", "total"];

fn finish_seconds(
    mut s: BTreeMap<String, f64>,
    total: std::time::Instant,
) -> BTreeMap<String, f64> {
    s.insert("total".into(), total.elapsed().as_secs_f64());
    s.into_iter()
        .map(|(k, v)| (k, (v * 100.0).round() / 100.0))
        .collect()
}

fn fill_utilisation(rep: &mut SynthReport, fam: &Family, r: &PnrReport) {
    rep.bels = r
        .utilization
        .iter()
        .filter(|(_, u)| u.used > 0)
        .map(|(k, u)| (k.clone(), *u))
        .collect();
    let avail = |res: &str| {
        fam.bels
            .get(res)
            .and_then(|bel| r.utilization.get(bel))
            .map(|u| u.available)
    };
    let used_bel = |res: &str| {
        fam.bels
            .get(res)
            .and_then(|bel| r.utilization.get(bel))
            .map(|u| u.used)
    };
    rep.utilisation.clear();
    for (res, n) in [
        ("luts", rep.luts),
        ("ffs", rep.ffs),
        ("brams", rep.brams),
        ("dsps", rep.dsps),
    ] {
        if let Some(a) = avail(res).filter(|a| *a > 0) {
            rep.utilisation
                .insert(res.into(), round4(n as f64 / a as f64));
        }
    }
    for res in ["logic_cells", "io"] {
        if let (Some(u), Some(a)) = (used_bel(res), avail(res).filter(|a| *a > 0)) {
            rep.utilisation
                .insert(res.into(), round4(u as f64 / a as f64));
        }
    }
    rep.logic_cells = used_bel("logic_cells");
}

fn write_reports(dir: &Path, bdir: &Path, rep: &SynthReport) -> Result<()> {
    let text = serde_json::to_string_pretty(rep)? + "\n";
    write(&bdir.join("synth.json"), &text)?;
    write(&dir.join("synth.json"), &text)
}

fn print_summary(dir: &Path, r: &SynthReport, fam: &Family) {
    let clock = match (&r.clock.pll, r.clock.oscillator_hz) {
        (Some(p), Some(osc)) => format!("{} from {} MHz", p.primitive, osc as f64 / 1e6),
        (None, Some(_)) => "oscillator".into(),
        _ => "device target".into(),
    };
    println!(
        "{}: {} {} {}, {} at {} MHz ({clock})",
        r.target, r.family, r.device, r.package, r.top, r.target_mhz
    );
    // The family's main logic resource: iCE40 logic cells, ECP5 LUT sites.
    let main = ["logic_cells", "luts"]
        .iter()
        .find_map(|res| fam.bels.get(*res))
        .and_then(|bel| r.bels.get(bel).map(|u| (bel, u)))
        .map(|(bel, u)| {
            format!(
                "{}/{} {bel} ({}): ",
                u.used,
                u.available,
                pct(u.used, u.available)
            )
        })
        .unwrap_or_default();
    println!(
        "  area     {main}{} LUT4, {} FF, {} carry, {} BRAM, {} DSP",
        r.luts, r.ffs, r.carry, r.brams, r.dsps
    );
    match (r.fmax_mhz, r.timing_met) {
        (Some(f), Some(true)) => println!(
            "  timing   Fmax {f:.2} MHz, target {} MHz: met",
            r.target_mhz
        ),
        (Some(f), _) => {
            println!(
                "  timing   Fmax {f:.2} MHz, target {} MHz: NOT met",
                r.target_mhz
            );
            eprintln!(
                "warning: timing not met on {}: Fmax {f:.2} MHz < {} MHz. The bitstream was written but may \
                 misbehave; recompile with a smaller --stage-budget (more pipelining) or ask for a lower --freq.",
                r.target, r.target_mhz
            );
        }
        _ => println!("  timing   no clocked paths"),
    }
    let steps: Vec<String> = STEPS
        .iter()
        .filter_map(|k| r.step_seconds.get(*k).map(|v| format!("{k} {v:.1} s")))
        .collect();
    println!("  time     {}", steps.join(", "));
    if let Some(b) = &r.bitstream {
        println!(
            "  wrote    {}, {}",
            dir.join(b).display(),
            dir.join("synth.json").display()
        );
    }
}
