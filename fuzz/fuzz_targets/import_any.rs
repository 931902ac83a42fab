//! Fuzz target: the content-sniffing entry point `load_any_bytes` (every format, trees and RBF) never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hdl_gen::import::load_any_bytes("fuzz", data);
    let _ = hdl_gen::import::load_bytes("fuzz", data);
});
