//! The C ABI shim: reads the ports Verilator generated and writes the `extern "C"` wrapper around them.
//!
//! The whole text of this file is part of every cache key (see `build.rs`), so any
//! change here rebuilds every library.

use std::fmt::Write as _;

use crate::design::{Design, Dir, Port};
use crate::error::SimError;

/// Bumped when the C ABI below changes; checked when a library is loaded.
pub(crate) const ABI_VERSION: u32 = 1;

/// The class name Verilator is told to use (`--prefix`), so the shim never depends on `top`.
pub(crate) const PREFIX: &str = "Vtop";

/// How Verilator stores a port: by width, 1–8 bits `CData`, –16 `SData`, –32
/// `IData`, –64 `QData`, wider `VlWide<N>` (N little-endian 32-bit words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Storage {
    U8,
    U16,
    U32,
    U64,
    Wide(usize),
}

impl Storage {
    pub(crate) fn for_width(width: u32) -> Storage {
        match width {
            0..=8 => Storage::U8,
            9..=16 => Storage::U16,
            17..=32 => Storage::U32,
            33..=64 => Storage::U64,
            _ => Storage::Wide(width.div_ceil(32) as usize),
        }
    }

    fn cpp_type(self) -> String {
        match self {
            Storage::U8 => "CData".into(),
            Storage::U16 => "SData".into(),
            Storage::U32 => "IData".into(),
            Storage::U64 => "QData".into(),
            Storage::Wide(n) => format!("VlWide<{n}>"),
        }
    }
}

/// A port as declared in the generated `Vtop.h`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderPort {
    /// The C++ member (Verilator encodes `$` and `__` in names).
    pub member: String,
    /// The Verilog name (the member decoded).
    pub name: String,
    pub width: u32,
    pub dir: Dir,
    pub storage: Storage,
}

/// Parses the `VL_IN8(&name,msb,lsb);`-style port declarations of `Vtop.h`.
pub(crate) fn parse_header_ports(top: &str, header: &str) -> Result<Vec<HeaderPort>, SimError> {
    let mut ports = Vec::new();
    for line in header.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("VL_") else {
            continue;
        };
        let Some((mac, args)) = rest.split_once("(&") else {
            continue;
        };
        let (dir, storage_suffix) = if mac.starts_with("INOUT") {
            return Err(SimError::PortMismatch {
                top: top.to_string(),
                message: format!("inout ports are not supported: `{line}`"),
            });
        } else if let Some(s) = mac.strip_prefix("IN") {
            (Dir::In, s)
        } else if let Some(s) = mac.strip_prefix("OUT") {
            (Dir::Out, s)
        } else {
            continue;
        };
        let args = args.trim_end_matches(';').trim_end_matches(')');
        let fields: Vec<&str> = args.split(',').map(str::trim).collect();
        let parsed = (|| {
            let member = fields.first()?.to_string();
            let msb: u32 = fields.get(1)?.parse().ok()?;
            let lsb: u32 = fields.get(2)?.parse().ok()?;
            let width = msb.checked_sub(lsb)? + 1;
            let storage = match storage_suffix {
                "8" => Storage::U8,
                "16" => Storage::U16,
                "" => Storage::U32,
                "64" => Storage::U64,
                "W" => Storage::Wide(fields.get(3)?.parse().ok()?),
                _ => return None,
            };
            Some((member, width, storage))
        })();
        let Some((member, width, storage)) = parsed else {
            return Err(SimError::PortMismatch {
                top: top.to_string(),
                message: format!("unsupported port declaration in the generated header: `{line}`"),
            });
        };
        if storage != Storage::for_width(width) {
            return Err(SimError::PortMismatch {
                top: top.to_string(),
                message: format!(
                    "port `{member}` is {width} bits but stored as {}; this Verilator lays ports out differently than expected",
                    storage.cpp_type()
                ),
            });
        }
        ports.push(HeaderPort {
            name: decode_name(&member),
            member,
            width,
            dir,
            storage,
        });
    }
    Ok(ports)
}

/// Undoes Verilator's name encoding: `__0HH` (two hex digits) stands for the byte `HH`,
/// so `a___05Fb` is `a__b` and `x__024y` is `x$y`.
fn decode_name(member: &str) -> String {
    let b = member.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"__0") && i + 5 <= b.len() {
            if let Ok(byte) = u8::from_str_radix(&member[i + 3..i + 5], 16) {
                out.push(byte);
                i += 5;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Pairs every declared port with the header's, in the design's order; every
/// difference is reported, one per line.
pub(crate) fn match_ports(
    design: &Design,
    header: &[HeaderPort],
) -> Result<Vec<HeaderPort>, SimError> {
    let mut problems = Vec::new();
    let mut matched = Vec::new();
    let describe = |dir: Dir, width: u32| {
        format!(
            "{} [{}:0]",
            if dir == Dir::In { "input" } else { "output" },
            width - 1
        )
    };
    for Port { name, width, dir } in &design.ports {
        match header.iter().find(|h| &h.name == name) {
            None => problems.push(format!(
                "  `{name}`: declared as {}, but the RTL has no such port",
                describe(*dir, *width)
            )),
            Some(h) if h.width != *width || h.dir != *dir => problems.push(format!(
                "  `{name}`: declared as {}, but the RTL has {}",
                describe(*dir, *width),
                describe(h.dir, h.width)
            )),
            Some(h) => matched.push(h.clone()),
        }
    }
    for h in header {
        if !design.ports.iter().any(|p| p.name == h.name) {
            problems.push(format!(
                "  `{}`: the RTL has {}, but the design does not list it",
                h.name,
                describe(h.dir, h.width)
            ));
        }
    }
    if problems.is_empty() {
        Ok(matched)
    } else {
        Err(SimError::PortMismatch {
            top: design.top.clone(),
            message: problems.join("\n"),
        })
    }
}

/// The C++ source of the shim for `ports` (in the design's order; the index of a
/// port is its position), optionally toggling `clock` in `locus_sim_tick`.
///
/// ABI (all functions `extern "C"`, the handle is opaque):
/// - `uint32_t locus_sim_abi(void)` — [`ABI_VERSION`];
/// - `void* locus_sim_new(void)` — a model in its own `VerilatedContext`, or null;
/// - `void locus_sim_free(void*)` — runs `final`, closes the trace, frees;
/// - `void* locus_sim_port(void*, uint32_t index)` — the port's storage (see [`Storage`]);
/// - `void locus_sim_eval(void*)`;
/// - `void locus_sim_step(void*)` — eval, trace sample, time + 1;
/// - `void locus_sim_tick(void*)` — clock 0, eval, sample, time + 1, clock 1, eval, sample, time + 1;
/// - `int locus_sim_trace_open(void*, const char*)` — 0 ok, 1 built without trace,
///   2 already open, 3 cannot open;
/// - `void locus_sim_trace_flush(void*)`;
/// - `uint64_t locus_sim_time(void*)`; `int locus_sim_finished(void*)` (`$finish` seen).
pub(crate) fn generate(ports: &[HeaderPort], clock: Option<&HeaderPort>) -> String {
    let mut s = String::new();
    let p = PREFIX;
    let _ = writeln!(
        s,
        r#"// locus sim shim: generated, do not edit.
#include "{p}.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_vcd_c.h"
#endif
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

#define LOCUS_EXPORT extern "C" __attribute__((visibility("default")))

namespace {{
struct LocusSim {{
    VerilatedContext context;
    std::unique_ptr<{p}> model;
#if VM_TRACE
    std::unique_ptr<VerilatedVcdC> vcd;
#endif
}};

template <typename T> using LocusBare = typename std::remove_reference<T>::type;

inline LocusSim* locus_sim(void* handle) {{ return static_cast<LocusSim*>(handle); }}

inline void locus_sample(LocusSim* s) {{
#if VM_TRACE
    if (s->vcd) s->vcd->dump(s->context.time());
#endif
    s->context.timeInc(1);
}}
}}  // namespace
"#
    );
    for port in ports {
        let _ = writeln!(
            s,
            "static_assert(std::is_same<LocusBare<decltype(std::declval<{p}&>().{m})>, {t}>::value, \"port `{n}` ({w} bits) must be {t}\");",
            m = port.member,
            t = port.storage.cpp_type(),
            n = port.name,
            w = port.width,
        );
    }
    let _ = writeln!(
        s,
        r#"
LOCUS_EXPORT uint32_t locus_sim_abi(void) {{ return {ABI_VERSION}; }}

LOCUS_EXPORT void* locus_sim_new(void) {{
    try {{
        std::unique_ptr<LocusSim> s{{new LocusSim}};
        s->context.fatalOnError(false);
#if VM_TRACE
        s->context.traceEverOn(true);
#endif
        s->model.reset(new {p}{{&s->context, "TOP"}});
        return s.release();
    }} catch (...) {{
        return nullptr;
    }}
}}

LOCUS_EXPORT void locus_sim_free(void* handle) {{
    LocusSim* s = locus_sim(handle);
    s->model->final();
#if VM_TRACE
    if (s->vcd) s->vcd->close();
    s->vcd.reset();
#endif
    s->model.reset();
    delete s;
}}

LOCUS_EXPORT void* locus_sim_port(void* handle, uint32_t index) {{
    {p}* m = locus_sim(handle)->model.get();
    switch (index) {{"#
    );
    for (i, port) in ports.iter().enumerate() {
        let access = match port.storage {
            Storage::Wide(_) => format!("m->{}.data()", port.member),
            _ => format!("&m->{}", port.member),
        };
        let _ = writeln!(s, "    case {i}: return {access};");
    }
    let _ = writeln!(
        s,
        r#"    default: return nullptr;
    }}
}}

LOCUS_EXPORT void locus_sim_eval(void* handle) {{ locus_sim(handle)->model->eval(); }}

LOCUS_EXPORT void locus_sim_step(void* handle) {{
    LocusSim* s = locus_sim(handle);
    s->model->eval();
    locus_sample(s);
}}

LOCUS_EXPORT void locus_sim_tick(void* handle) {{
    LocusSim* s = locus_sim(handle);"#
    );
    match clock {
        Some(c) => {
            let _ = writeln!(
                s,
                "    s->model->{m} = 0;\n    s->model->eval();\n    locus_sample(s);\n    s->model->{m} = 1;\n    s->model->eval();\n    locus_sample(s);",
                m = c.member
            );
        }
        None => {
            let _ = writeln!(s, "    s->model->eval();\n    locus_sample(s);");
        }
    }
    let _ = writeln!(
        s,
        r#"}}

LOCUS_EXPORT int locus_sim_trace_open(void* handle, const char* path) {{
#if VM_TRACE
    LocusSim* s = locus_sim(handle);
    if (s->vcd) return 2;
    s->vcd.reset(new VerilatedVcdC);
    s->model->trace(s->vcd.get(), 99);
    s->vcd->open(path);
    return s->vcd->isOpen() ? 0 : 3;
#else
    (void)handle;
    (void)path;
    return 1;
#endif
}}

LOCUS_EXPORT void locus_sim_trace_flush(void* handle) {{
#if VM_TRACE
    LocusSim* s = locus_sim(handle);
    if (s->vcd) s->vcd->flush();
#else
    (void)handle;
#endif
}}

LOCUS_EXPORT uint64_t locus_sim_time(void* handle) {{ return locus_sim(handle)->context.time(); }}

LOCUS_EXPORT int locus_sim_finished(void* handle) {{ return locus_sim(handle)->context.gotFinish() ? 1 : 0; }}"#
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_decodes_header_ports() {
        let header = "    VL_IN8(&a___05Fb,0,0);\n    VL_IN8(&x__024y,0,0);\n    VL_IN8(&u,7,1);\n    VL_IN16(&s,15,0);\n    VL_IN(&t,16,0);\n    VL_OUT64(&p,32,0);\n    VL_OUTW(&o,64,0,3);\n    VL_UNCOPYABLE(Vtop);\n";
        let ports = parse_header_ports("m", header).unwrap();
        let got: Vec<(&str, &str, u32, Storage)> = ports
            .iter()
            .map(|p| (p.member.as_str(), p.name.as_str(), p.width, p.storage))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a___05Fb", "a__b", 1, Storage::U8),
                ("x__024y", "x$y", 1, Storage::U8),
                ("u", "u", 7, Storage::U8),
                ("s", "s", 16, Storage::U16),
                ("t", "t", 17, Storage::U32),
                ("p", "p", 33, Storage::U64),
                ("o", "o", 65, Storage::Wide(3)),
            ]
        );
        assert_eq!(ports[6].dir, Dir::Out);
    }

    #[test]
    fn reports_every_port_difference() {
        let header = parse_header_ports("m", "VL_IN8(&a,3,0);\nVL_OUT8(&y,0,0);\n").unwrap();
        let design = Design {
            files: vec!["m.v".into()],
            top: "m".into(),
            ports: vec![Port::input("a", 5), Port::input("b", 1)],
            clock: None,
        };
        let err = match_ports(&design, &header).unwrap_err().to_string();
        assert!(
            err.contains("`a`: declared as input [4:0], but the RTL has input [3:0]"),
            "{err}"
        );
        assert!(
            err.contains("`b`: declared as input [0:0], but the RTL has no such port"),
            "{err}"
        );
        assert!(
            err.contains("`y`: the RTL has output [0:0], but the design does not list it"),
            "{err}"
        );
    }
}
