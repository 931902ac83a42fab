//! hdl-gen: the locus compiler library (import → quantise → hardware IR → passes → Verilog).

pub mod board_top;
pub mod compile;
pub mod data;
pub mod emit;
pub mod error;
pub mod explain;
pub mod fixed;
pub mod import;
pub mod ir;
pub mod limits;
pub mod lower;
pub mod lower_rbf;
pub mod model;
pub mod par;
pub mod passes;
pub mod pll;
pub mod quant;
pub mod serial_rbf;
pub mod serial_top;
pub mod testing;
pub mod train;
pub mod vlog;

pub use error::{Error, Result};
