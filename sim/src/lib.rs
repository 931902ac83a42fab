//! sim: builds emitted RTL with Verilator at run time into a shared library and drives it.
