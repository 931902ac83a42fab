//! Fuzz target: the ONNX tree-ensemble and SVM importers never panic, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hdl_gen::import::onnx::parse("fuzz.onnx", data);
    let _ = hdl_gen::import::onnx_svm::parse("fuzz.onnx", data);
});
