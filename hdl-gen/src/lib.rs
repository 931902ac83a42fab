//! hdl-gen: the locus compiler library (import → quantise → hardware IR → passes → Verilog).

pub mod error;
pub mod import;
pub mod model;

pub use error::{Error, Result};
