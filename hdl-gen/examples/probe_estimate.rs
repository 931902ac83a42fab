fn main() {
    for d in std::env::args().skip(1) {
        let l = hdl_gen::compile::load_dir(std::path::Path::new(&d)).unwrap();
        println!("{d}: {}", hdl_gen::ir::logic_estimate(&l.ir));
    }
}
