//! Fuzz target: the LightGBM text importer never panics, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hdl_gen::import::lightgbm::parse("fuzz.txt", data);
});
