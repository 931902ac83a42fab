//! Tests of the build cache: content-addressed library names, reuse, and two builds loaded at once.

mod common;

use std::time::{Duration, Instant, SystemTime};

use common::{options, scratch};
use sim::{build, Design, Port};

/// A combinational design returning `value`; `salt` makes its text (and cache key) unique per run.
fn constant_design(dir: &std::path::Path, value: u8, salt: u128) -> Design {
    let file = dir.join("constant.v");
    std::fs::write(
        &file,
        format!(
            "`default_nettype none\n// salt {salt}\nmodule constant (\n    input  wire [7:0] a,\n    output wire [7:0] y\n);\n  assign y = a ^ 8'd{value};\nendmodule\n"
        ),
    )
    .unwrap();
    Design {
        files: vec![file],
        top: "constant".into(),
        ports: vec![Port::input("a", 8), Port::output("y", 8)],
        clock: None,
    }
}

#[test]
fn builds_are_cached_by_content() {
    let dir = scratch("cache");
    let salt = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let opts = options();

    let v1 = constant_design(&dir, 1, salt);
    let first = Instant::now();
    let lib1 = build(&v1, &opts).unwrap();
    let first = first.elapsed();

    let again = Instant::now();
    let lib1_again = build(&v1, &opts).unwrap();
    let again = again.elapsed();
    assert_eq!(lib1.path(), lib1_again.path());
    assert!(!lib1.stats().cached(), "{:?}", lib1.stats());
    assert!(lib1_again.stats().cached(), "{:?}", lib1_again.stats());
    assert!(
        again < Duration::from_millis(500) && again * 5 < first,
        "cached build took {again:?}, first build {first:?}"
    );
    let name = lib1.path().file_name().unwrap().to_str().unwrap();
    assert!(
        name.len() == 64 + 3 && name.ends_with(".so"),
        "library named by SHA-256: {name}"
    );

    // Same file path, new contents: a new library, and both run their own code
    // side by side in this process.
    let v2 = constant_design(&dir, 2, salt);
    let lib2 = build(&v2, &opts).unwrap();
    assert_ne!(lib1.path(), lib2.path());
    let mut i1 = lib1.instantiate().unwrap();
    let mut i2 = lib2.instantiate().unwrap();
    for (inst, value) in [(&mut i1, 1u64), (&mut i2, 2)] {
        let (a, y) = (inst.port("a").unwrap(), inst.port("y").unwrap());
        inst.set_u64(a, 0x70);
        inst.eval();
        assert_eq!(inst.get_u64(y), 0x70 ^ value);
    }

    // No build directories of these builds are left behind (other tests in this
    // process may be building right now, so look only at these keys).
    let tags: Vec<String> = [&lib1, &lib2]
        .iter()
        .map(|l| {
            format!(
                ".tmp-{}-",
                &l.path().file_name().unwrap().to_str().unwrap()[..16]
            )
        })
        .collect();
    let leftovers: Vec<_> = std::fs::read_dir(&opts.cache_dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| tags.iter().any(|t| n.starts_with(t.as_str())))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn options_change_the_key() {
    let dir = scratch("options");
    let design = constant_design(&dir, 3, 0);
    let opts = options();
    let plain = build(&design, &opts).unwrap();
    let o0 = build(
        &design,
        &sim::BuildOptions {
            opt: sim::OptLevel::O0,
            ..opts.clone()
        },
    )
    .unwrap();
    let traced = build(
        &design,
        &sim::BuildOptions {
            trace: true,
            ..opts
        },
    )
    .unwrap();
    assert_ne!(plain.path(), o0.path());
    assert_ne!(plain.path(), traced.path());
    assert_ne!(o0.path(), traced.path());
}
