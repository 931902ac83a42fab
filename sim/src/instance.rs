//! A loaded simulation library and the model instances made from it: set ports, evaluate, tick, trace.

use std::ffi::{c_char, c_int, c_void, CString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::Arc;

use crate::build::BuildStats;
use crate::design::{Design, Dir, Port};
use crate::error::SimError;
use crate::shim::{Storage, ABI_VERSION};

type AbiFn = unsafe extern "C" fn() -> u32;
type NewFn = unsafe extern "C" fn() -> *mut c_void;
type HandleFn = unsafe extern "C" fn(*mut c_void);
type PortFn = unsafe extern "C" fn(*mut c_void, u32) -> *mut c_void;
type TraceOpenFn = unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int;
type TimeFn = unsafe extern "C" fn(*mut c_void) -> u64;
type FinishedFn = unsafe extern "C" fn(*mut c_void) -> c_int;

/// The shim's functions, resolved once at load time. Valid while `Shared::_lib` lives.
struct Api {
    new: NewFn,
    free: HandleFn,
    port: PortFn,
    eval: HandleFn,
    step: HandleFn,
    tick: HandleFn,
    trace_open: TraceOpenFn,
    trace_flush: HandleFn,
    time: TimeFn,
    finished: FinishedFn,
}

struct Shared {
    api: Api,
    ports: Vec<Port>,
    clock: Option<usize>,
    trace: bool,
    path: PathBuf,
    stats: BuildStats,
    // Last field: dropped after everything that might still point into it.
    _lib: libloading::Library,
}

/// A built design loaded into this process; cheap to clone, and shareable between
/// threads (each thread makes its own [`Instance`]s).
#[derive(Clone)]
pub struct Library {
    shared: Arc<Shared>,
}

/// Names a port of one [`Library`] (its position in [`Design::ports`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PortId(usize);

impl PortId {
    /// The port's position in [`Design::ports`].
    pub fn index(self) -> usize {
        self.0
    }
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library")
            .field("path", &self.shared.path)
            .field("ports", &self.shared.ports)
            .field("trace", &self.shared.trace)
            .finish()
    }
}

impl Library {
    pub(crate) fn load(
        path: &Path,
        design: &Design,
        trace: bool,
        stats: BuildStats,
    ) -> Result<Library, SimError> {
        let load_err = |message: String| SimError::Load {
            path: path.to_path_buf(),
            message,
        };
        // SAFETY: the library is one this crate built from its own shim; loading runs
        // only the static constructors of the Verilator runtime and the model.
        let lib: libloading::Library = unsafe {
            libloading::os::unix::Library::open(
                Some(path),
                libloading::os::unix::RTLD_NOW | libloading::os::unix::RTLD_LOCAL,
            )
        }
        .map_err(|e| load_err(e.to_string()))?
        .into();
        macro_rules! sym {
            ($name:literal, $ty:ty) => {
                // SAFETY: the shim defines this symbol with exactly this C signature
                // (see `shim::generate`); the ABI version check below guards drift.
                *unsafe { lib.get::<$ty>(concat!($name, "\0").as_bytes()) }
                    .map_err(|e| load_err(e.to_string()))?
            };
        }
        let abi: AbiFn = sym!("locus_sim_abi", AbiFn);
        // SAFETY: a plain function with no arguments.
        let version = unsafe { abi() };
        if version != ABI_VERSION {
            return Err(load_err(format!(
                "shim ABI version {version}, expected {ABI_VERSION}; delete the cache directory"
            )));
        }
        let api = Api {
            new: sym!("locus_sim_new", NewFn),
            free: sym!("locus_sim_free", HandleFn),
            port: sym!("locus_sim_port", PortFn),
            eval: sym!("locus_sim_eval", HandleFn),
            step: sym!("locus_sim_step", HandleFn),
            tick: sym!("locus_sim_tick", HandleFn),
            trace_open: sym!("locus_sim_trace_open", TraceOpenFn),
            trace_flush: sym!("locus_sim_trace_flush", HandleFn),
            time: sym!("locus_sim_time", TimeFn),
            finished: sym!("locus_sim_finished", FinishedFn),
        };
        let clock = design
            .clock
            .as_ref()
            .and_then(|c| design.ports.iter().position(|p| &p.name == c));
        Ok(Library {
            shared: Arc::new(Shared {
                api,
                ports: design.ports.clone(),
                clock,
                trace,
                path: path.to_path_buf(),
                stats,
                _lib: lib,
            }),
        })
    }

    /// The shared library file (in the cache directory).
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// The ports, in [`Design::ports`] order.
    pub fn ports(&self) -> &[Port] {
        &self.shared.ports
    }

    /// Looks a port up by name.
    pub fn port(&self, name: &str) -> Option<PortId> {
        self.shared
            .ports
            .iter()
            .position(|p| p.name == name)
            .map(PortId)
    }

    /// What the [`crate::build`] call that made this library did.
    pub fn stats(&self) -> BuildStats {
        self.shared.stats
    }

    /// Whether the library was built with [`crate::BuildOptions::trace`].
    pub fn traced(&self) -> bool {
        self.shared.trace
    }

    /// A fresh model in its own Verilator context, all state at Verilator's initial
    /// values (with `--x-initial fast`: zero), simulation time 0.
    pub fn instantiate(&self) -> Result<Instance, SimError> {
        let api = &self.shared.api;
        // SAFETY: `new` has no preconditions; it returns null on failure.
        let handle = NonNull::new(unsafe { (api.new)() }).ok_or_else(|| SimError::Instantiate {
            path: self.shared.path.clone(),
        })?;
        let ptrs = (0..self.shared.ports.len())
            .map(|i| {
                // SAFETY: `handle` is live and `i` is a valid port index, so the shim
                // returns the address of that port's storage inside the model.
                let p = unsafe { (api.port)(handle.as_ptr(), i as u32) };
                assert!(!p.is_null(), "shim returned no storage for port {i}");
                p.cast::<u8>()
            })
            .collect();
        Ok(Instance {
            shared: Arc::clone(&self.shared),
            handle,
            ptrs,
            tracing: false,
        })
    }
}

/// One simulated model. Not `Send` or `Sync`: drive each from the thread that made it.
///
/// Values are little-endian 32-bit words, `ceil(width / 32)` of them, bit 0 of word
/// 0 being the port's least significant bit; bits above the width are ignored when
/// setting and zero when getting.
pub struct Instance {
    shared: Arc<Shared>,
    handle: NonNull<c_void>,
    /// Address of each port's storage (`u8`/`u16`/`u32`/`u64` or `u32` array by width).
    ptrs: Vec<*mut u8>,
    tracing: bool,
}

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instance")
            .field("library", &self.shared.path)
            .field("time", &self.time())
            .field("tracing", &self.tracing)
            .finish()
    }
}

/// Mask of the valid bits of the last word of a `width`-bit value.
fn top_mask(width: u32) -> u32 {
    match width % 32 {
        0 => u32::MAX,
        r => (1u32 << r) - 1,
    }
}

impl Instance {
    /// Looks a port up by name.
    pub fn port(&self, name: &str) -> Option<PortId> {
        self.shared
            .ports
            .iter()
            .position(|p| p.name == name)
            .map(PortId)
    }

    /// The description of a port.
    ///
    /// # Panics
    /// If `p` does not belong to this instance's library.
    pub fn port_info(&self, p: PortId) -> &Port {
        &self.shared.ports[p.0]
    }

    /// Drives input `p` with `words` (exactly `ceil(width / 32)` of them, little-endian);
    /// bits above the width are masked off. Takes effect at the next `eval`/`tick`.
    ///
    /// # Panics
    /// If `p` is an output, `words` has the wrong length, or `p` is foreign.
    pub fn set(&mut self, p: PortId, words: &[u32]) {
        let port = &self.shared.ports[p.0];
        assert!(
            port.dir == Dir::In,
            "cannot set output port `{}`",
            port.name
        );
        assert_eq!(
            words.len(),
            port.words(),
            "port `{}` is {} bits: expected {} words, got {}",
            port.name,
            port.width,
            port.words(),
            words.len()
        );
        let mask = top_mask(port.width);
        let ptr = self.ptrs[p.0];
        // SAFETY: `ptr` points at this port's storage inside the live model, whose type
        // is `Storage::for_width(width)` (checked by `static_assert` in the shim); the
        // `&mut self` receiver rules out a concurrent eval.
        unsafe {
            match Storage::for_width(port.width) {
                Storage::U8 => ptr.write((words[0] & mask) as u8),
                Storage::U16 => ptr.cast::<u16>().write((words[0] & mask) as u16),
                Storage::U32 => ptr.cast::<u32>().write(words[0] & mask),
                Storage::U64 => ptr
                    .cast::<u64>()
                    .write(u64::from(words[0]) | u64::from(words[1] & mask) << 32),
                Storage::Wide(n) => {
                    let dst = ptr.cast::<u32>();
                    for (i, &w) in words.iter().enumerate() {
                        dst.add(i).write(if i + 1 == n { w & mask } else { w });
                    }
                }
            }
        }
    }

    /// Reads port `p` (input or output) into `out` (exactly `ceil(width / 32)` words).
    ///
    /// # Panics
    /// If `out` has the wrong length or `p` is foreign.
    pub fn get(&self, p: PortId, out: &mut [u32]) {
        let port = &self.shared.ports[p.0];
        assert_eq!(
            out.len(),
            port.words(),
            "port `{}` is {} bits: expected {} words, got {}",
            port.name,
            port.width,
            port.words(),
            out.len()
        );
        let mask = top_mask(port.width);
        let ptr = self.ptrs[p.0];
        // SAFETY: as in `set`; reading needs only that no eval runs, which `&self` ensures.
        unsafe {
            match Storage::for_width(port.width) {
                Storage::U8 => out[0] = u32::from(ptr.read()) & mask,
                Storage::U16 => out[0] = u32::from(ptr.cast::<u16>().read()) & mask,
                Storage::U32 => out[0] = ptr.cast::<u32>().read() & mask,
                Storage::U64 => {
                    let v = ptr.cast::<u64>().read();
                    out[0] = v as u32;
                    out[1] = (v >> 32) as u32 & mask;
                }
                Storage::Wide(n) => {
                    let src = ptr.cast::<u32>();
                    for (i, o) in out.iter_mut().enumerate() {
                        let w = src.add(i).read();
                        *o = if i + 1 == n { w & mask } else { w };
                    }
                }
            }
        }
    }

    /// Drives an input of at most 64 bits; bits above the width are masked off.
    ///
    /// # Panics
    /// If `p` is an output, wider than 64 bits, or foreign.
    pub fn set_u64(&mut self, p: PortId, value: u64) {
        let words = self.narrow_words(p);
        self.set(p, &[value as u32, (value >> 32) as u32][..words]);
    }

    /// Reads a port of at most 64 bits.
    ///
    /// # Panics
    /// If `p` is wider than 64 bits or foreign.
    pub fn get_u64(&self, p: PortId) -> u64 {
        let mut w = [0u32; 2];
        let words = self.narrow_words(p);
        self.get(p, &mut w[..words]);
        u64::from(w[0]) | u64::from(w[1]) << 32
    }

    fn narrow_words(&self, p: PortId) -> usize {
        let port = &self.shared.ports[p.0];
        assert!(
            port.width <= 64,
            "port `{}` is {} bits; use set/get with {} words",
            port.name,
            port.width,
            port.words()
        );
        port.words()
    }

    /// Evaluates the model with the current inputs (no trace sample, time unchanged).
    pub fn eval(&mut self) {
        // SAFETY: live handle, exclusive access.
        unsafe { (self.shared.api.eval)(self.handle.as_ptr()) }
    }

    /// Evaluates, records a trace sample, and advances time by 1: one step of a
    /// design without a clock.
    pub fn step(&mut self) {
        // SAFETY: live handle, exclusive access.
        unsafe { (self.shared.api.step)(self.handle.as_ptr()) }
    }

    /// One clock cycle: clock 0, eval, trace sample, time + 1; clock 1 (the posedge),
    /// eval, trace sample, time + 1. Inputs set before `tick` are seen by the posedge.
    ///
    /// # Panics
    /// If the design has no clock.
    pub fn tick(&mut self) {
        assert!(
            self.shared.clock.is_some(),
            "tick() on a design without a clock; set Design::clock or use step()"
        );
        // SAFETY: live handle, exclusive access.
        unsafe { (self.shared.api.tick)(self.handle.as_ptr()) }
    }

    /// Simulation time (each `tick` advances it by 2, each `step` by 1).
    pub fn time(&self) -> u64 {
        // SAFETY: live handle; reads one integer.
        unsafe { (self.shared.api.time)(self.handle.as_ptr()) }
    }

    /// Whether the design executed `$finish`.
    pub fn finished(&self) -> bool {
        // SAFETY: live handle; reads one flag.
        unsafe { (self.shared.api.finished)(self.handle.as_ptr()) != 0 }
    }

    /// Starts writing a VCD of every signal to `path`; samples are taken by `tick`
    /// and `step`. Only for libraries built with [`crate::BuildOptions::trace`], and
    /// once per instance. The file is complete when the instance is dropped
    /// ([`Instance::trace_flush`] writes out what is buffered so far).
    pub fn trace_open(&mut self, path: &Path) -> Result<(), SimError> {
        if !self.shared.trace {
            return Err(SimError::Trace(format!(
                "{} was built without tracing; set BuildOptions::trace",
                self.shared.path.display()
            )));
        }
        if self.tracing {
            return Err(SimError::Trace(
                "a trace is already open for this instance".into(),
            ));
        }
        // Create the file here first so an unwritable path is a clear I/O error.
        std::fs::File::create(path)
            .map_err(|e| SimError::io(format!("cannot create VCD file {}", path.display()), e))?;
        let c_path = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| SimError::Trace(format!("path {} contains a NUL byte", path.display())))?;
        // SAFETY: live handle, exclusive access; `c_path` outlives the call.
        let rc = unsafe { (self.shared.api.trace_open)(self.handle.as_ptr(), c_path.as_ptr()) };
        match rc {
            0 => {
                self.tracing = true;
                Ok(())
            }
            1 => Err(SimError::Trace("library was built without tracing".into())),
            2 => Err(SimError::Trace(
                "a trace is already open for this instance".into(),
            )),
            _ => {
                self.tracing = true; // the model is bound to the failed writer
                Err(SimError::Trace(format!(
                    "Verilator could not open {}",
                    path.display()
                )))
            }
        }
    }

    /// Writes buffered trace data to the VCD file (no-op without a trace).
    pub fn trace_flush(&mut self) {
        // SAFETY: live handle, exclusive access.
        unsafe { (self.shared.api.trace_flush)(self.handle.as_ptr()) }
    }
}

impl Drop for Instance {
    /// Runs `final` blocks, closes the trace (completing the VCD), frees the model.
    fn drop(&mut self) {
        // SAFETY: the handle came from `new` and is freed exactly once.
        unsafe { (self.shared.api.free)(self.handle.as_ptr()) }
    }
}
