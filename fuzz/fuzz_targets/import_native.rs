//! Fuzz target: the locus native tree JSON importer never panics on any JSON value.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = hdl_gen::import::native::parse("fuzz.json", v);
    }
});
