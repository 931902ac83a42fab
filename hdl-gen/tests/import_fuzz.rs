//! Property tests: no input bytes make an importer panic, and every model it accepts can be evaluated.
//!
//! Inputs are arbitrary bytes, arbitrary bytes behind a recognised opening, byte-level
//! edits of real fixtures, and structural edits (one field of one node set to a hostile
//! value) that keep the file parseable so the edit reaches the deep checks.

use hdl_gen::import::load_bytes;
use hdl_gen::model::Model;
use onnx_protobuf::{Message, ModelProto};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::OnceLock;

const FIXTURES: &[&str] = &[
    "xgb-binary-logistic/model.json",
    "xgb-multi-softmax/model.json",
    "xgb17-binary/model.json",
    "xgb21-multi/model.json",
    "lgbm-missing/model.txt",
    "lgbm-multiclass/model.txt",
    "lgbm-rf/model.txt",
    "onnx-gb-multi/model.onnx",
    "onnx-rf-missing/model.onnx",
    "onnx-xgb-binary-missing/model.onnx",
    "onnx-tree-ensemble-op5/model.onnx",
];

/// Index in [`FIXTURES`] of the first ONNX fixture.
const FIRST_ONNX: usize = 7;

fn fixtures() -> &'static Vec<Vec<u8>> {
    static F: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    F.get_or_init(|| {
        FIXTURES
            .iter()
            .map(|f| {
                let p = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/fixtures")
                    .join(f);
                std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            })
            .collect()
    })
}

/// Loads the bytes; an accepted model must evaluate any row without panicking, and a
/// refusal must be a one-line message naming the file.
fn check(bytes: &[u8]) {
    match load_bytes("fuzz.in", bytes) {
        Ok(m) => exercise(&m),
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with("fuzz.in: "), "{msg}");
            assert!(!msg.contains('\n'), "{msg}");
        }
    }
}

fn exercise(m: &Model) {
    for fill in [f64::NAN, 0.0, -1e300, 1e300, 0.5] {
        let row = vec![fill; m.n_features.min(4096)];
        let p = m.predict_row(&row);
        assert_eq!(p.margins.len(), m.n_groups());
    }
}

fn hostile_json() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(-1)),
        Just(json!(-2)),
        Just(json!(0)),
        Just(json!(1)),
        Just(json!(2)),
        Just(json!(12)),
        Just(json!(13)),
        Just(json!(29)),
        Just(json!(30)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(1e39)),
        Just(json!(-1e308)),
        Just(json!(0.5)),
        Just(json!(true)),
        Just(json!(null)),
        Just(json!("x")),
        Just(json!("NaN")),
        Just(json!("[5E-1]")),
        Just(json!("1000000000")),
        Just(json!([])),
        Just(json!({})),
        any::<i64>().prop_map(|x| json!(x)),
        any::<f64>().prop_map(|x| if x.is_finite() { json!(x) } else { json!(0) }),
    ]
}

const TREE_FIELDS: &[&str] = &[
    "left_children",
    "right_children",
    "split_indices",
    "split_conditions",
    "default_left",
    "split_type",
];

const HOSTILE_TOKENS: &[&str] = &[
    "-1",
    "-2",
    "0",
    "1",
    "7",
    "8",
    "29",
    "30",
    "-9",
    "nan",
    "inf",
    "-inf",
    "1e400",
    "",
    "x",
    "18446744073709551616",
    "-9223372036854775808",
    "9223372036854775807",
    "3",
    "11",
    "14",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check(&bytes);
    }

    #[test]
    fn arbitrary_text_behind_a_known_opening_never_panics(
        opening in 0usize..3,
        tail in "[ -~\n]{0,600}",
    ) {
        let head = ["tree\nversion=v4\n", "{\"learner\":", "{\"learner\":{\"objective\":"][opening];
        check(format!("{head}{tail}").as_bytes());
    }

    #[test]
    fn byte_edits_of_fixtures_never_panic(
        which in 0usize..FIXTURES.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 1..6),
    ) {
        let mut b = fixtures()[which].clone();
        for (at, kind, byte) in edits {
            if b.is_empty() {
                break;
            }
            let i = at.index(b.len());
            match kind {
                0 => b[i] = byte,
                1 => { b.remove(i); }
                2 => b.insert(i, b"0123456789-.e,[]{} \n="[usize::from(byte) % 21]),
                _ => b.truncate(i),
            }
        }
        check(&b);
    }

    #[test]
    fn field_edits_of_xgboost_fixtures_never_panic(
        which in 0usize..4,
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), 0usize..10, any::<prop::sample::Index>(), hostile_json()),
            1..4,
        ),
    ) {
        let mut v: Value = serde_json::from_slice(&fixtures()[which]).unwrap();
        for (tree, field, node, value) in edits {
            let n_trees = v["learner"]["gradient_booster"]["model"]["trees"]
                .as_array()
                .map_or(0, Vec::len);
            let t = tree.index(n_trees.max(1));
            match field {
                0..=5 => {
                    let a = &mut v["learner"]["gradient_booster"]["model"]["trees"][t]
                        [TREE_FIELDS[field]];
                    if let Some(a) = a.as_array_mut() {
                        if !a.is_empty() {
                            let i = node.index(a.len());
                            a[i] = value;
                        }
                    }
                }
                6 => v["learner"]["gradient_booster"]["model"]["trees"][t]["tree_param"]
                    ["num_nodes"] = value,
                7 => {
                    if let Some(a) = v["learner"]["gradient_booster"]["model"]["tree_info"]
                        .as_array_mut()
                    {
                        let i = node.index(a.len());
                        a[i] = value;
                    }
                }
                8 => v["learner"]["learner_model_param"]["base_score"] = value,
                _ => v["learner"]["learner_model_param"]["num_class"] = value,
            }
        }
        check(&serde_json::to_vec(&v).unwrap());
    }

    #[test]
    fn token_edits_of_lightgbm_fixtures_never_panic(
        which in 4usize..FIRST_ONNX,
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), any::<prop::sample::Index>(), 0usize..HOSTILE_TOKENS.len(), 0u8..3),
            1..4,
        ),
    ) {
        let text = String::from_utf8(fixtures()[which].clone()).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        for (line, tok, hostile, kind) in edits {
            let l = line.index(lines.len());
            match kind {
                0 => {
                    // Replace one value of a key=value list.
                    if let Some((k, vals)) = lines[l].clone().split_once('=') {
                        let mut vals: Vec<&str> = vals.split(' ').collect();
                        let i = tok.index(vals.len());
                        vals[i] = HOSTILE_TOKENS[hostile];
                        lines[l] = format!("{k}={}", vals.join(" "));
                    }
                }
                1 => { lines.remove(l); }
                _ => {
                    let copy = lines[l].clone();
                    lines.insert(l, copy);
                }
            }
        }
        check((lines.join("\n") + "\n").as_bytes());
    }
}

const HOSTILE_INTS: &[i64] = &[-1, 0, 1, 2, 3, 5, 6, 7, 64, 1 << 40, i64::MAX, i64::MIN];
const HOSTILE_FLOATS: &[f32] = &[
    f32::NAN,
    f32::INFINITY,
    f32::NEG_INFINITY,
    0.0,
    -0.0,
    1e30,
    -1.0,
    0.5,
];
const HOSTILE_MODES: &[&str] = &[
    "BRANCH_EQ",
    "BRANCH_GT",
    "BRANCH_LT",
    "LEAF",
    "",
    "x",
    "BRANCH_GTE",
];
const HOSTILE_POSTS: &[&str] = &["PROBIT", "SOFTMAX_ZERO", "LOGISTIC", "SOFTMAX", "NONE", ""];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_behind_an_onnx_opening_never_panic(
        tail in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut b = vec![0x08, 0x08];
        b.extend(tail);
        check(&b);
    }

    /// One attribute value of the tree node (any list entry, a scalar, a string) or one
    /// graph field set to a hostile value; the file stays valid protobuf.
    #[test]
    fn attribute_edits_of_onnx_fixtures_never_panic(
        which in FIRST_ONNX..FIXTURES.len(),
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), any::<prop::sample::Index>(), 0usize..6, any::<prop::sample::Index>()),
            1..4,
        ),
    ) {
        let mut m = ModelProto::parse_from_bytes(&fixtures()[which]).unwrap();
        for (attr, entry, kind, value) in edits {
            let g = m.graph.as_mut().unwrap();
            if kind == 5 && !g.node.is_empty() {
                // Drop a node or an attribute, or rename an op.
                let n = entry.index(g.node.len());
                match value.index(3) {
                    0 => { g.node.remove(n); }
                    1 => g.node[n].op_type = "Scaler".into(),
                    _ => {
                        let node = &mut g.node[n];
                        if !node.attribute.is_empty() {
                            let a = attr.index(node.attribute.len());
                            node.attribute.remove(a);
                        }
                    }
                }
                continue;
            }
            let Some(node) = g.node.iter_mut().find(|n| n.op_type.starts_with("TreeEnsemble")) else {
                continue;
            };
            if node.attribute.is_empty() {
                continue;
            }
            let a = attr.index(node.attribute.len());
            let a = &mut node.attribute[a];
            match kind {
                0 if !a.ints.is_empty() => {
                    let i = entry.index(a.ints.len());
                    a.ints[i] = HOSTILE_INTS[value.index(HOSTILE_INTS.len())];
                }
                1 if !a.floats.is_empty() => {
                    let i = entry.index(a.floats.len());
                    a.floats[i] = HOSTILE_FLOATS[value.index(HOSTILE_FLOATS.len())];
                }
                2 if !a.strings.is_empty() => {
                    let i = entry.index(a.strings.len());
                    a.strings[i] = HOSTILE_MODES[value.index(HOSTILE_MODES.len())].as_bytes().to_vec();
                }
                3 => {
                    // Shorten a list (length mismatches), or clear it.
                    let keep = entry.index(a.ints.len().max(a.floats.len()).max(1) + 1);
                    a.ints.truncate(keep);
                    a.floats.truncate(keep);
                    a.strings.truncate(keep);
                    if let Some(t) = a.t.as_mut() {
                        t.raw_data.truncate(keep);
                        t.float_data.truncate(keep);
                    }
                }
                4 => {
                    a.s = HOSTILE_POSTS[value.index(HOSTILE_POSTS.len())].as_bytes().to_vec();
                    a.i = HOSTILE_INTS[value.index(HOSTILE_INTS.len())];
                }
                _ => {}
            }
        }
        check(&m.write_to_bytes().unwrap());
    }
}
