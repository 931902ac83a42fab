//! What to build: the RTL files, the top module and its ports, and how to build it.

use std::path::PathBuf;

use crate::error::SimError;

/// Direction of a top-level port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dir {
    /// Driven by the harness.
    In,
    /// Driven by the design.
    Out,
}

/// A top-level port of the design: name as in the RTL, width in bits (1 or more).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Port {
    /// Port name exactly as in the Verilog (no escaped identifiers).
    pub name: String,
    /// Width in bits.
    pub width: u32,
    /// Direction.
    pub dir: Dir,
}

impl Port {
    /// An input port.
    pub fn input(name: impl Into<String>, width: u32) -> Self {
        Port {
            name: name.into(),
            width,
            dir: Dir::In,
        }
    }

    /// An output port.
    pub fn output(name: impl Into<String>, width: u32) -> Self {
        Port {
            name: name.into(),
            width,
            dir: Dir::Out,
        }
    }

    /// Number of little-endian 32-bit words that hold a value of this port.
    pub fn words(&self) -> usize {
        self.width.div_ceil(32) as usize
    }
}

/// A design to simulate.
///
/// `ports` must list every top-level port of `top` with its exact width and
/// direction; [`crate::build`] checks this against what Verilator generates. All
/// source files must be listed in `files` (they are what the cache key hashes;
/// `` `include`` of unlisted files is not supported).
#[derive(Debug, Clone)]
pub struct Design {
    /// Verilog source files, in the order Verilator should read them.
    pub files: Vec<PathBuf>,
    /// Name of the top module.
    pub top: String,
    /// Every top-level port.
    pub ports: Vec<Port>,
    /// The 1-bit input that [`crate::Instance::tick`] toggles, if the design is clocked.
    pub clock: Option<String>,
}

impl Design {
    /// Checks the description itself (not the RTL): files present, port names
    /// unique and plain identifiers, widths non-zero, clock a 1-bit input.
    pub(crate) fn validate(&self) -> Result<(), SimError> {
        let bad = |message: String| SimError::InvalidDesign {
            top: self.top.clone(),
            message,
        };
        if !is_identifier(&self.top) {
            return Err(bad(format!(
                "top module name `{}` is not a plain Verilog identifier",
                self.top
            )));
        }
        if self.files.is_empty() {
            return Err(bad("no source files given".into()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for port in &self.ports {
            if !is_identifier(&port.name) {
                return Err(bad(format!(
                    "port name `{}` is not a plain Verilog identifier",
                    port.name
                )));
            }
            if port.width == 0 {
                return Err(bad(format!("port `{}` has width 0", port.name)));
            }
            if !seen.insert(port.name.as_str()) {
                return Err(bad(format!("port `{}` is listed twice", port.name)));
            }
        }
        if let Some(clock) = &self.clock {
            match self.ports.iter().find(|p| &p.name == clock) {
                Some(p) if p.dir == Dir::In && p.width == 1 => {}
                Some(p) => {
                    return Err(bad(format!(
                        "clock `{clock}` must be a 1-bit input, not a {}-bit {}",
                        p.width,
                        if p.dir == Dir::In { "input" } else { "output" }
                    )))
                }
                None => {
                    return Err(bad(format!(
                        "clock `{clock}` is not among the listed ports"
                    )))
                }
            }
        }
        Ok(())
    }
}

/// A simple Verilog identifier, `[A-Za-z_][A-Za-z0-9_$]*` (escaped identifiers are
/// not supported; the shim finds the C++ member Verilator made of each name).
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// g++ optimisation level for the design's hot ("fast") C++ files.
///
/// Run-once ("slow") files are always compiled at `-O0`, as Verilator's own makefiles
/// do; the Verilator runtime at `-O2`. Measured trade-offs are in the crate docs: in
/// short, `O1` builds almost as fast as `O0` and simulates ~3× faster; `Os`
/// simulates fastest but can take ~5× longer to build than `O1` when Verilator
/// emits one huge function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OptLevel {
    /// `-O0`: builds 15–40% faster than `-O1` on large designs, simulates ~3× slower.
    O0,
    /// `-O1`: the default; close to the fastest build on every measured shape.
    #[default]
    O1,
    /// `-O2`: slower to build than `-O1`, and simulates slower than `Os`.
    O2,
    /// `-Os` (Verilator's own default): the fastest simulation, ~1.3–1.45× `-O1`;
    /// pick it for long runs.
    Os,
}

impl OptLevel {
    /// The g++ flag.
    pub fn flag(self) -> &'static str {
        match self {
            OptLevel::O0 => "-O0",
            OptLevel::O1 => "-O1",
            OptLevel::O2 => "-O2",
            OptLevel::Os => "-Os",
        }
    }
}

/// How to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Build with `--trace` so [`crate::Instance::trace_open`] can write VCD (slower).
    pub trace: bool,
    /// Where built libraries and the compiled Verilator runtime are kept.
    pub cache_dir: PathBuf,
    /// g++ optimisation level for the design's hot code.
    pub opt: OptLevel,
    /// How many g++ processes may run at once (at least 1).
    pub jobs: usize,
}

impl BuildOptions {
    /// Default options (no trace, [`OptLevel::default`], 2 jobs) caching in `cache_dir`.
    pub fn new(cache_dir: impl Into<PathBuf>) -> Self {
        BuildOptions {
            trace: false,
            cache_dir: cache_dir.into(),
            opt: OptLevel::default(),
            jobs: 2,
        }
    }
}

impl Default for BuildOptions {
    /// Caches in `$LOCUS_SIM_CACHE`, else `$XDG_CACHE_HOME/locus/sim`, else
    /// `$HOME/.cache/locus/sim`, else `<temp dir>/locus-sim`.
    fn default() -> Self {
        BuildOptions::new(default_cache_dir())
    }
}

fn default_cache_dir() -> PathBuf {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(dir) = env("LOCUS_SIM_CACHE") {
        PathBuf::from(dir)
    } else if let Some(dir) = env("XDG_CACHE_HOME") {
        PathBuf::from(dir).join("locus").join("sim")
    } else if let Some(home) = env("HOME") {
        PathBuf::from(home).join(".cache").join("locus").join("sim")
    } else {
        std::env::temp_dir().join("locus-sim")
    }
}
