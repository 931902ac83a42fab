//! Fuzz target: the CSV reader never panics, with and without feature names and class names.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let names: Vec<String> = [
        "sepal_length_cm",
        "sepal_width_cm",
        "petal_length_cm",
        "petal_width_cm",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let classes: Vec<String> = ["setosa", "versicolor", "virginica"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let _ = hdl_gen::data::parse_csv("fuzz.csv", data, 4, None);
    let _ = hdl_gen::data::parse_csv("fuzz.csv", data, 4, Some(&names));
    let _ =
        hdl_gen::data::parse_csv_with_classes("fuzz.csv", data, 4, Some(&names), Some(&classes));
});
