//! Verilate, compile and link a design into a content-addressed shared library, reusing cached builds.
//!
//! Why the library is named by a hash of its inputs: `dlopen` of a path that is
//! already loaded returns the old code, so a rebuilt library must never reuse a
//! path. The key covers every input that can change the library: each RTL file's
//! contents, the top module, the port list and clock, the trace flag and
//! optimisation level, the Verilator and g++ versions, and the full source of this
//! file and of the shim generator (so a change of flags or shim rebuilds).
//!
//! Why a crash never leaves a library that looks valid: everything is built in a
//! private temporary directory inside the cache and only the finished library is
//! `rename`d into place, which is atomic within one file system.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use sha2::{Digest, Sha256};

use crate::design::{BuildOptions, Design, Dir};
use crate::error::{tail, SimError};
use crate::instance::Library;
use crate::shim;
use crate::tools::{self, Verilator};

/// Verilator flags for every build (plus `--trace` when tracing).
///
/// Warnings Verilator enables by default stay fatal here, so a build never silently
/// accepts RTL Verilator complains about; [`crate::lint`] adds `-Wall`.
const VERILATOR_FLAGS: &[&str] = &[
    "--cc",
    "-O3",
    "--x-assign",
    "fast",
    "--x-initial",
    "fast",
    "--noassert",
    "--no-timing",
    "--output-split",
    "20000",
    "--output-split-cfuncs",
    "2000",
];

/// g++ flags for every object: position-independent, hidden symbols (so two loaded
/// libraries never bind to each other's copy of the Verilator runtime; only the
/// shim's `extern "C"` functions are exported), and the warning set of Verilator's
/// own `verilated.mk`.
const CXX_FLAGS: &[&str] = &[
    "-std=gnu++17",
    "-fPIC",
    "-pthread",
    "-fvisibility=hidden",
    "-fvisibility-inlines-hidden",
    "-faligned-new",
    "-fcf-protection=none",
    "-Wno-bool-operation",
    "-Wno-sign-compare",
    "-Wno-uninitialized",
    "-Wno-unused-but-set-variable",
    "-Wno-unused-parameter",
    "-Wno-unused-variable",
    "-Wno-shadow",
    "-DVM_COVERAGE=0",
    "-DVM_SC=0",
    "-DVM_TRACE_FST=0",
];

/// Optimisation of run-once code (constructors, initial/settle, trace declarations),
/// as Verilator's makefiles do.
const SLOW_OPT: &str = "-O0";
/// Optimisation of the Verilator runtime (compiled once per cache directory).
const RUNTIME_OPT: &str = "-O2";
/// Linker flags: `-z defs` makes a missing runtime object a link error instead of
/// a load-time `undefined symbol`.
const LINK_FLAGS: &[&str] = &["-shared", "-Wl,-z,defs", "-pthread", "-latomic"];

/// Generated C++ files up to this size are compiled together in one translation unit.
const UNITY_MAX_BYTES: u64 = 128 * 1024;
/// The shim's file name in the build directory.
const SHIM_FILE: &str = "locus_sim_shim.cpp";

/// How many g++ stderr lines an error keeps.
const ERROR_TAIL_LINES: usize = 60;

/// Builds `design` (or reuses the cached build) and loads it.
///
/// The first build of a design runs Verilator and g++ (seconds to minutes, see the
/// crate docs); later builds of identical inputs only hash the sources and load the
/// cached library. Safe to call concurrently from several threads or processes
/// sharing one cache directory.
pub fn build(design: &Design, opts: &BuildOptions) -> Result<Library, SimError> {
    design.validate()?;
    let verilator = tools::verilator()?;
    let gxx = tools::gxx_version()?;
    let key = cache_key(design, opts, &verilator, &gxx)?;
    // Absolute, so dlopen never searches the library path for it.
    let cache_dir = std::path::absolute(&opts.cache_dir)
        .map_err(|e| SimError::io(format!("cannot resolve {}", opts.cache_dir.display()), e))?;
    let opts = &BuildOptions {
        cache_dir,
        ..opts.clone()
    };
    let lib_path = opts.cache_dir.join(format!("{key}.so"));
    let mut stats = BuildStats::default();
    if !lib_path.is_file() {
        fs::create_dir_all(&opts.cache_dir).map_err(|e| {
            SimError::io(
                format!("cannot create cache directory {}", opts.cache_dir.display()),
                e,
            )
        })?;
        remove_stale_temp_dirs(&opts.cache_dir);
        let tmp = TempDir::new(&opts.cache_dir, &key[..16])?;
        let built = build_in(design, opts, &verilator, &gxx, tmp.path(), &mut stats)?;
        // Another process may have finished the same build meanwhile; its library is
        // identical, and keeping it avoids replacing a file someone has loaded.
        if !lib_path.is_file() {
            fs::rename(&built, &lib_path).map_err(|e| {
                SimError::io(format!("cannot move library to {}", lib_path.display()), e)
            })?;
        }
    }
    Library::load(&lib_path, design, opts.trace, stats)
}

/// What a [`build`] call did: all zero when the library came from the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BuildStats {
    /// Wall time of `verilator --cc`.
    pub verilate: Duration,
    /// Wall time of compiling the C++ (parallel, see [`BuildOptions::jobs`]).
    pub compile: Duration,
    /// Wall time of linking.
    pub link: Duration,
    /// C++ files compiled (design files, shim, and runtime files not yet cached).
    pub cpp_files: usize,
}

impl BuildStats {
    /// Whether the library was taken from the cache (nothing was built).
    pub fn cached(&self) -> bool {
        *self == BuildStats::default()
    }
}

/// SHA-256 over everything that determines the library, as 64 hex digits.
fn cache_key(
    design: &Design,
    opts: &BuildOptions,
    verilator: &Verilator,
    gxx: &str,
) -> Result<String, SimError> {
    let mut h = Sha256::new();
    let mut field = |label: &str, bytes: &[u8]| {
        h.update((label.len() as u64).to_le_bytes());
        h.update(label.as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field("build.rs", include_str!("build.rs").as_bytes());
    field("shim.rs", include_str!("shim.rs").as_bytes());
    field("verilator", verilator.version.as_bytes());
    field(
        "verilator-include",
        verilator.include.as_os_str().as_encoded_bytes(),
    );
    field("g++", gxx.as_bytes());
    field("opt", opts.opt.flag().as_bytes());
    field("trace", &[opts.trace as u8]);
    field("top", design.top.as_bytes());
    for p in &design.ports {
        let dir = if p.dir == Dir::In { "in" } else { "out" };
        field("port", format!("{} {} {}", p.name, p.width, dir).as_bytes());
    }
    field("clock", design.clock.as_deref().unwrap_or("").as_bytes());
    for file in &design.files {
        let text = fs::read(file)
            .map_err(|e| SimError::io(format!("cannot read RTL file {}", file.display()), e))?;
        field("file", &text);
    }
    Ok(hex(&h.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Verilates, compiles and links into `dir`; returns the library's path there.
fn build_in(
    design: &Design,
    opts: &BuildOptions,
    verilator: &Verilator,
    gxx: &str,
    dir: &Path,
    stats: &mut BuildStats,
) -> Result<PathBuf, SimError> {
    let obj = dir.join("obj");
    let start = Instant::now();
    let mut args: Vec<std::ffi::OsString> = VERILATOR_FLAGS.iter().map(Into::into).collect();
    if opts.trace {
        args.push("--trace".into());
    }
    args.extend(["--prefix".into(), shim::PREFIX.into()]);
    args.extend(["--top-module".into(), design.top.clone().into()]);
    args.extend(["--Mdir".into(), obj.clone().into_os_string()]);
    args.extend(design.files.iter().map(|f| f.clone().into_os_string()));
    let out = tools::run("verilator", &args, None)?;
    if !out.status.success() {
        return Err(SimError::Verilate {
            top: design.top.clone(),
            status: status_text(&out.status),
            stderr: String::from_utf8_lossy(&out.stderr).trim_end().to_string(),
        });
    }
    stats.verilate = start.elapsed();

    let header_path = obj.join(format!("{}.h", shim::PREFIX));
    let header = read_text(&header_path)?;
    let header_ports = shim::parse_header_ports(&design.top, &header)?;
    let ports = shim::match_ports(design, &header_ports)?;
    let clock = design
        .clock
        .as_ref()
        .and_then(|c| ports.iter().find(|p| &p.name == c));
    let shim_path = obj.join(SHIM_FILE);
    fs::write(&shim_path, shim::generate(&ports, clock))
        .map_err(|e| SimError::io(format!("cannot write {}", shim_path.display()), e))?;

    let lists = parse_make_lists(&read_text(
        &obj.join(format!("{}_classes.mk", shim::PREFIX)),
    )?);
    let list = |name: &'static str| items(&lists, name);

    let defines = trace_defines(opts.trace);
    let mut base: Vec<String> = CXX_FLAGS.iter().map(|s| s.to_string()).collect();
    base.extend(defines.iter().cloned());
    base.push(format!("-I{}", verilator.include.display()));
    base.push(format!("-I{}", verilator.include.join("vltstd").display()));
    base.push(format!("-I{}", obj.display()));

    // Big files compile alone, in parallel; the many small ones (and the shim) share
    // one translation unit, since each alone costs ~0.65 s of parsing Verilator's
    // headers. Verilator's own non-parallel build includes its files the same way.
    let mut jobs = Vec::new();
    let mut unity = String::new();
    for (lists, opt) in [
        (["VM_CLASSES_FAST", "VM_SUPPORT_FAST"], opts.opt.flag()),
        (["VM_CLASSES_SLOW", "VM_SUPPORT_SLOW"], SLOW_OPT),
    ] {
        for name in lists.iter().flat_map(|l| list(l)) {
            let source = obj.join(format!("{name}.cpp"));
            let size = fs::metadata(&source).map(|m| m.len()).unwrap_or(0);
            if size > UNITY_MAX_BYTES {
                jobs.push(CompileJob {
                    object: obj.join(format!("{name}.o")),
                    source,
                    opt,
                });
            } else {
                unity.push_str(&format!("#include \"{name}.cpp\"\n"));
            }
        }
    }
    unity.push_str(&format!("#include \"{SHIM_FILE}\"\n"));
    let unity_path = obj.join("locus_sim_unity.cpp");
    fs::write(&unity_path, unity)
        .map_err(|e| SimError::io(format!("cannot write {}", unity_path.display()), e))?;
    jobs.push(CompileJob {
        source: unity_path,
        object: obj.join("locus_sim_unity.o"),
        opt: opts.opt.flag(),
    });
    let mut objects: Vec<PathBuf> = jobs.iter().map(|j| j.object.clone()).collect();

    // The Verilator runtime does not depend on the design: cache each object by its
    // own key so it is compiled once per cache directory.
    let runtime_dir = opts.cache_dir.join("runtime");
    fs::create_dir_all(&runtime_dir)
        .map_err(|e| SimError::io(format!("cannot create {}", runtime_dir.display()), e))?;
    let mut runtime_jobs = Vec::new();
    for name in list("VM_GLOBAL_FAST").chain(list("VM_GLOBAL_SLOW")) {
        let source = verilator.include.join(format!("{name}.cpp"));
        let mut h = Sha256::new();
        for part in [
            RUNTIME_OPT,
            &verilator.version,
            gxx,
            &base[..base.len() - 1].join(" "), // all but the design's obj dir
            name,
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        let cached = runtime_dir.join(format!("{name}-{}.o", &hex(&h.finalize())[..16]));
        if !cached.is_file() {
            runtime_jobs.push((
                CompileJob {
                    source,
                    object: dir.join(format!("{name}.o")),
                    opt: RUNTIME_OPT,
                },
                cached.clone(),
            ));
        }
        objects.push(cached);
    }

    let start = Instant::now();
    if !runtime_jobs.is_empty() {
        // One compile per process: threads building at once wait here and then find
        // the objects cached (processes may still duplicate work, harmlessly).
        static RUNTIME_LOCK: Mutex<()> = Mutex::new(());
        let _guard = RUNTIME_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        runtime_jobs.retain(|(_, cached)| !cached.is_file());
        stats.cpp_files += runtime_jobs.len();
        compile_all(
            runtime_jobs.iter().map(|(j, _)| j.clone()).collect(),
            &base,
            opts.jobs.max(1),
        )?;
        for (job, cached) in runtime_jobs {
            fs::rename(&job.object, &cached)
                .map_err(|e| SimError::io(format!("cannot move {}", cached.display()), e))?;
        }
    }
    stats.cpp_files += jobs.len();
    compile_all(jobs, &base, opts.jobs.max(1))?;
    stats.compile = start.elapsed();

    let start = Instant::now();
    let lib = dir.join("lib.so");
    let mut args: Vec<std::ffi::OsString> = vec!["-o".into(), lib.clone().into()];
    args.extend(objects.into_iter().map(PathBuf::into_os_string));
    args.extend(LINK_FLAGS.iter().map(Into::into));
    let out = tools::run("g++", &args, None)?;
    if !out.status.success() {
        return Err(SimError::Link {
            output: lib,
            stderr_tail: format!(
                "{}\n{}",
                status_text(&out.status),
                tail(&String::from_utf8_lossy(&out.stderr), ERROR_TAIL_LINES)
            ),
        });
    }
    stats.link = start.elapsed();
    Ok(lib)
}

fn trace_defines(trace: bool) -> [String; 2] {
    let t = trace as u8;
    [format!("-DVM_TRACE={t}"), format!("-DVM_TRACE_VCD={t}")]
}

#[derive(Debug, Clone)]
struct CompileJob {
    source: PathBuf,
    object: PathBuf,
    opt: &'static str,
}

/// Runs g++ on every job with up to `jobs` processes at once, largest sources
/// first; returns the first failure after the running compiles finish.
fn compile_all(mut todo: Vec<CompileJob>, base: &[String], jobs: usize) -> Result<(), SimError> {
    let size = |j: &CompileJob| fs::metadata(&j.source).map(|m| m.len()).unwrap_or(0);
    todo.sort_by_key(|j| std::cmp::Reverse(size(j)));
    todo.reverse(); // pop() takes from the end: largest first
    let queue = Mutex::new(todo);
    let failure: Mutex<Option<SimError>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                if failure.lock().unwrap_or_else(|e| e.into_inner()).is_some() {
                    return;
                }
                let Some(job) = queue.lock().unwrap_or_else(|e| e.into_inner()).pop() else {
                    return;
                };
                if let Err(e) = compile_one(&job, base) {
                    failure
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .get_or_insert(e);
                }
            });
        }
    });
    match failure.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn compile_one(job: &CompileJob, base: &[String]) -> Result<(), SimError> {
    let mut args: Vec<std::ffi::OsString> = base.iter().map(Into::into).collect();
    args.push(job.opt.into());
    args.extend([
        "-c".into(),
        job.source.clone().into_os_string(),
        "-o".into(),
        job.object.clone().into_os_string(),
    ]);
    let out = tools::run("g++", &args, None)?;
    if out.status.success() {
        Ok(())
    } else {
        Err(SimError::Compile {
            file: job.source.clone(),
            stderr_tail: format!(
                "{}\n{}",
                status_text(&out.status),
                tail(&String::from_utf8_lossy(&out.stderr), ERROR_TAIL_LINES)
            ),
        })
    }
}

fn status_text(status: &std::process::ExitStatus) -> String {
    match status.code() {
        Some(code) => code.to_string(),
        None => format!("{status} (killed; out of memory?)"),
    }
}

fn read_text(path: &Path) -> Result<String, SimError> {
    fs::read_to_string(path).map_err(|e| SimError::io(format!("cannot read {}", path.display()), e))
}

/// The `VAR += \` lists of a Verilator-generated makefile, as (variable, item) pairs
/// in file order.
fn parse_make_lists(mk: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in mk.lines() {
        let trimmed = line.trim();
        if let Some(var) = &current {
            let continues = trimmed.ends_with('\\');
            let item = trimmed.trim_end_matches('\\').trim();
            if !item.is_empty() {
                out.push((var.clone(), item.to_string()));
            }
            if !continues {
                current = None;
            }
        } else if let Some((var, rest)) = trimmed.split_once("+=") {
            let var = var.trim();
            if var.starts_with("VM_") {
                let continues = rest.trim().ends_with('\\');
                for item in rest.trim().trim_end_matches('\\').split_whitespace() {
                    out.push((var.to_string(), item.to_string()));
                }
                if continues {
                    current = Some(var.to_string());
                }
            }
        }
    }
    out
}

/// The items of variable `name` in parsed make lists.
fn items<'a>(lists: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    lists
        .iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A private build directory inside the cache, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(cache_dir: &Path, tag: &str) -> Result<Self, SimError> {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let path = cache_dir.join(format!(
            ".tmp-{tag}-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(&path)
            .map_err(|e| SimError::io(format!("cannot create {}", path.display()), e))?;
        Ok(TempDir(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Removes build directories left by killed builds (older than a day, so a build
/// running in another process is never touched).
fn remove_stale_temp_dirs(cache_dir: &Path) {
    let Ok(entries) = fs::read_dir(cache_dir) else {
        return;
    };
    let day_ago = SystemTime::now() - Duration::from_secs(24 * 3600);
    for entry in entries.flatten() {
        let stale = entry.file_name().to_string_lossy().starts_with(".tmp-")
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < day_ago);
        if stale {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_generated_make_lists() {
        let mk = "VM_C11 = 1\nVM_CLASSES_FAST += \\\n\tVtop \\\n\tVtop__a \\\n\nVM_GLOBAL_FAST += \\\n\tverilated \\\n\tverilated_threads \\\n\nVM_GLOBAL_SLOW += \\\n\n";
        let lists = parse_make_lists(mk);
        let got: Vec<(&str, &str)> = lists
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("VM_CLASSES_FAST", "Vtop"),
                ("VM_CLASSES_FAST", "Vtop__a"),
                ("VM_GLOBAL_FAST", "verilated"),
                ("VM_GLOBAL_FAST", "verilated_threads"),
            ]
        );
    }
}
