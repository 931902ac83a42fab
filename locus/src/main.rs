//! The `locus` command line: a thin layer over hdl-gen and sim.
fn main() {}
