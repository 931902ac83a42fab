//! Importer refusals: each bad or unsupported input gives one readable error naming the file and place.
//!
//! Cases are made by editing a known-good fixture, so each test changes exactly one thing.

use hdl_gen::import::{load, load_bytes};
use hdl_gen::model::{Missing, Node};
use hdl_gen::Error;
use serde_json::{json, Value};
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn xgb() -> Value {
    serde_json::from_slice(&fixture("xgb-binary-logistic/model.json")).unwrap()
}

fn lgbm() -> String {
    String::from_utf8(fixture("lgbm-missing/model.txt")).unwrap()
}

fn tree(v: &mut Value, t: usize) -> &mut Value {
    &mut v["learner"]["gradient_booster"]["model"]["trees"][t]
}

/// Loads `bytes` as `m.json` (or whatever `name`), expects an input error and returns its
/// one-line message, which must start with the file name.
fn refuse(name: &str, bytes: &[u8]) -> String {
    match load_bytes(name, bytes) {
        Ok(_) => panic!("{name}: expected an error, got a model"),
        Err(e) => {
            assert!(matches!(e, Error::Input { .. }), "not an input error: {e}");
            let msg = e.to_string();
            eprintln!("{msg}");
            assert!(
                msg.starts_with(&format!("{name}: ")),
                "file not named: {msg}"
            );
            assert!(!msg.contains('\n'), "message spans lines: {msg}");
            msg
        }
    }
}

fn refuse_json(v: &Value) -> String {
    refuse("m.json", &serde_json::to_vec(v).unwrap())
}

fn refuse_txt(s: &str) -> String {
    refuse("m.txt", s.as_bytes())
}

fn expect_has(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "message lacks {p:?}: {msg}");
    }
}

/// Replaces the value of `key=` in LightGBM tree `t`.
fn lgbm_set(text: &str, t: usize, key: &str, value: &str) -> String {
    let mut out = Vec::new();
    let mut in_tree = false;
    let mut done = false;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("Tree=") {
            in_tree = n == t.to_string();
        }
        if in_tree && !done && line.starts_with(&format!("{key}=")) {
            out.push(format!("{key}={value}"));
            done = true;
        } else {
            out.push(line.to_string());
        }
    }
    assert!(done, "no {key}= in tree {t}");
    out.join("\n") + "\n"
}

fn lgbm_get(text: &str, t: usize, key: &str) -> Vec<String> {
    let start = text.find(&format!("Tree={t}\n")).unwrap();
    let line = text[start..]
        .lines()
        .find(|l| l.starts_with(&format!("{key}=")))
        .unwrap();
    line[key.len() + 1..]
        .split(' ')
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------- detection

#[test]
fn random_bytes_are_refused_listing_the_formats() {
    let msg = refuse("noise.bin", &[0x13, 0x37, 0xff, 0x00, 0x42, 0x99]);
    expect_has(
        &msg,
        &["unrecognised model format", "XGBoost JSON", "LightGBM text"],
    );
    refuse("empty", b"");
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let e = load(Path::new("/nonexistent/model.json")).unwrap_err();
    assert!(matches!(e, Error::Io { .. }));
    assert!(e.to_string().starts_with("/nonexistent/model.json: "));
}

#[test]
fn json_without_learner_is_refused() {
    let msg = refuse_json(&json!({"trees": []}));
    expect_has(&msg, &["'learner'", "supported formats"]);
}

#[test]
fn ubjson_is_recognised_and_refused() {
    let msg = refuse(
        "m.ubj",
        b"{L\x00\x00\x00\x00\x00\x00\x00\x07learner{\xff\xfe",
    );
    expect_has(&msg, &["UBJSON", "model.json"]);
}

// ---------------------------------------------------------------- XGBoost

#[test]
fn truncated_json_is_refused_with_position() {
    let bytes = fixture("xgb-binary-logistic/model.json");
    for cut in [1, 100, bytes.len() / 2, bytes.len() - 1] {
        let msg = refuse("m.json", &bytes[..cut]);
        expect_has(&msg, &["line 1, column", "invalid JSON"]);
    }
}

#[test]
fn deeply_nested_json_is_refused() {
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let text = format!("{{\"learner\": {deep}}}");
    refuse("m.json", text.as_bytes());
}

#[test]
fn xgb_categorical_split_names_tree_node_and_feature() {
    let mut v = xgb();
    tree(&mut v, 3)["split_type"][2] = json!(1);
    let msg = refuse_json(&v);
    assert_eq!(
        msg,
        "m.json: tree 3, node 2: categorical split on feature 'worst_concave_points' \
         is not supported; expected numerical splits"
    );
}

#[test]
fn xgb_unknown_objective_lists_supported_ones() {
    let mut v = xgb();
    v["learner"]["objective"]["name"] = json!("rank:pairwise");
    let msg = refuse_json(&v);
    expect_has(
        &msg,
        &[
            "'rank:pairwise' is not supported",
            "binary:logistic",
            "count:poisson",
        ],
    );
}

#[test]
fn xgb_gblinear_is_refused() {
    let mut v = xgb();
    v["learner"]["gradient_booster"] = json!({"name": "gblinear", "model": {"weights": [0.1]}});
    expect_has(&refuse_json(&v), &["gblinear", "not supported", "gbtree"]);
}

#[test]
fn xgb_child_out_of_range() {
    let mut v = xgb();
    tree(&mut v, 3)["left_children"][0] = json!(999);
    expect_has(
        &refuse_json(&v),
        &[
            "tree 3, node 0",
            "left child index 999 is out of range",
            "below 13",
        ],
    );
}

#[test]
fn xgb_negative_child_other_than_minus_one() {
    let mut v = xgb();
    tree(&mut v, 0)["right_children"][0] = json!(-5);
    expect_has(&refuse_json(&v), &["tree 0, node 0", "right child is -5"]);
}

#[test]
fn xgb_cycle() {
    let mut v = xgb();
    tree(&mut v, 3)["left_children"][3] = json!(0);
    expect_has(&refuse_json(&v), &["tree 3, node 3", "cycle"]);
}

#[test]
fn xgb_node_reachable_twice() {
    let mut v = xgb();
    let t = tree(&mut v, 3);
    t["right_children"][0] = t["left_children"][0].clone();
    expect_has(
        &refuse_json(&v),
        &["tree 3, node 0", "which is also its other child"],
    );
}

#[test]
fn xgb_unreachable_node() {
    let mut v = xgb();
    // Node 1 (an internal node) becomes a leaf: its children 3 and 4 become unreachable.
    let t = tree(&mut v, 3);
    t["left_children"][1] = json!(-1);
    t["right_children"][1] = json!(-1);
    expect_has(
        &refuse_json(&v),
        &["tree 3, node 3", "not reachable from the root"],
    );
}

#[test]
fn xgb_deleted_nodes_are_dropped_when_declared() {
    let mut v = xgb();
    let t = tree(&mut v, 3);
    // Prune node 1's subtree (nodes 3, 4, 7, 8) the way XGBoost's pruner leaves it.
    t["left_children"][1] = json!(-1);
    t["right_children"][1] = json!(-1);
    t["tree_param"]["num_deleted"] = json!("4");
    let m = load_bytes("m.json", &serde_json::to_vec(&v).unwrap()).unwrap();
    assert_eq!(m.trees[3].nodes.len(), 13 - 4);
    let Node::Split { left, right, .. } = m.trees[3].nodes[0] else {
        panic!("root is a split")
    };
    assert!(left < 9 && right < 9);
}

#[test]
fn xgb_threshold_not_finite_in_float32() {
    let mut v = xgb();
    tree(&mut v, 1)["split_conditions"][0] = json!(1e39);
    expect_has(
        &refuse_json(&v),
        &[
            "tree 1, node 0",
            "threshold on feature",
            "expected a finite float32",
        ],
    );
    // JSON has no NaN; XGBoost's own `NaN` token is not JSON.
    let text = String::from_utf8(fixture("xgb-binary-logistic/model.json")).unwrap();
    let i = text.find("\"split_conditions\":[").unwrap() + "\"split_conditions\":[".len();
    let j = i + text[i..].find(',').unwrap();
    let bad = format!("{}NaN{}", &text[..i], &text[j..]);
    expect_has(&refuse("m.json", bad.as_bytes()), &["invalid JSON"]);
}

#[test]
fn xgb_leaf_value_must_be_a_number() {
    let mut v = xgb();
    tree(&mut v, 3)["split_conditions"][4] = json!("big");
    expect_has(&refuse_json(&v), &["tree 3, node 4", "leaf value is 'big'"]);
}

#[test]
fn xgb_feature_out_of_range() {
    let mut v = xgb();
    tree(&mut v, 0)["split_indices"][0] = json!(30);
    expect_has(
        &refuse_json(&v),
        &["tree 0, node 0", "feature index 30", "below 30"],
    );
}

#[test]
fn xgb_wrong_array_length() {
    let mut v = xgb();
    tree(&mut v, 3)["default_left"]
        .as_array_mut()
        .unwrap()
        .pop();
    expect_has(
        &refuse_json(&v),
        &["tree 3", "'default_left' has 12 entries; expected 13"],
    );
}

#[test]
fn xgb_absurd_sizes_are_refused_early() {
    let mut v = xgb();
    tree(&mut v, 0)["tree_param"]["num_nodes"] = json!("2000000");
    expect_has(
        &refuse_json(&v),
        &["tree 0", "2000000 nodes is absurd", "1000000"],
    );

    let mut v = xgb();
    let model = &mut v["learner"]["gradient_booster"]["model"];
    model["trees"] = Value::Array(vec![json!({}); 100_001]);
    model["tree_info"] = Value::Array(vec![json!(0); 100_001]);
    expect_has(&refuse_json(&v), &["100001 trees is absurd", "100000"]);

    let mut v = xgb();
    v["learner"]["learner_model_param"]["num_feature"] = json!("99999999999999999999");
    refuse_json(&v);
}

#[test]
fn xgb_multi_target_is_refused() {
    let mut v = xgb();
    tree(&mut v, 0)["tree_param"]["size_leaf_vector"] = json!("3");
    expect_has(&refuse_json(&v), &["tree 0", "multi-target"]);
    let mut v = xgb();
    v["learner"]["learner_model_param"]["num_target"] = json!("2");
    expect_has(&refuse_json(&v), &["multi-target"]);
}

#[test]
fn xgb_group_out_of_range() {
    let mut v = xgb();
    v["learner"]["gradient_booster"]["model"]["tree_info"][4] = json!(1);
    expect_has(&refuse_json(&v), &["tree 4", "output group 1"]);
}

#[test]
fn xgb_base_score_forms() {
    let margin = |s: &str| {
        let mut v = xgb();
        v["learner"]["learner_model_param"]["base_score"] = json!(s);
        load_bytes("m.json", &serde_json::to_vec(&v).unwrap()).map(|m| m.base_score)
    };
    // binary:logistic: logit(0.5) = 0 in every spelling.
    for s in ["5E-1", "[5E-1]", " [ 5E-1 ] ", "0.5"] {
        assert_eq!(margin(s).unwrap(), vec![0.0], "{s}");
    }
    let m = margin("[2.5E-1]").unwrap()[0];
    assert!((m - (1.0f64 / 3.0).ln()).abs() < 1e-6, "{m}");
    for bad in [
        "NaN",
        "[nan]",
        "inf",
        "[5E-1",
        "",
        "[]",
        "1",
        "0",
        "-1",
        "[1E40]",
        "[5E-1,5E-1]",
    ] {
        let e = margin(bad).unwrap_err().to_string();
        expect_has(&e, &["m.json: learner.learner_model_param.base_score: "]);
    }
}

#[test]
fn xgb_multiclass_base_score_vector() {
    let mut v: Value = serde_json::from_slice(&fixture("xgb-multi-softmax/model.json")).unwrap();
    let m = load_bytes("m.json", &serde_json::to_vec(&v).unwrap()).unwrap();
    assert_eq!(m.base_score.len(), 3);
    v["learner"]["learner_model_param"]["base_score"] = json!("[1E-1,2E-1]");
    expect_has(&refuse_json(&v), &["2 values; expected 1 or 3"]);
    v["learner"]["learner_model_param"]["base_score"] = json!("5E-1");
    let m = load_bytes("m.json", &serde_json::to_vec(&v).unwrap()).unwrap();
    assert_eq!(m.base_score, vec![0.5; 3]);
}

#[test]
fn xgb_default_left_as_bools() {
    let mut v: Value = serde_json::from_slice(&fixture("xgb-missing/model.json")).unwrap();
    let a = serde_json::from_slice::<Value>(&fixture("xgb-missing/model.json")).unwrap();
    for t in v["learner"]["gradient_booster"]["model"]["trees"]
        .as_array_mut()
        .unwrap()
    {
        let d: Vec<Value> = t["default_left"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| json!(x.as_u64() == Some(1)))
            .collect();
        t["default_left"] = Value::Array(d);
    }
    let from_bools = load_bytes("m.json", &serde_json::to_vec(&v).unwrap()).unwrap();
    let from_ints = load_bytes("m.json", &serde_json::to_vec(&a).unwrap()).unwrap();
    assert_eq!(from_bools, from_ints);
    tree(&mut v, 0)["default_left"][0] = json!(2);
    expect_has(&refuse_json(&v), &["tree 0, node 0", "default_left is 2"]);
}

#[test]
fn xgb_semantics_are_recorded() {
    let m = load_bytes("m.json", &fixture("xgb-missing/model.json")).unwrap();
    assert_eq!(m.split_op, hdl_gen::model::SplitOp::Lt);
    assert_eq!(m.precision, hdl_gen::model::Precision::F32);
    assert_eq!(m.accumulate, hdl_gen::model::Accumulate::F32);
    assert_eq!(m.source, "xgboost 3.2.0");
    let m17 = load_bytes("m.json", &fixture("xgb17-binary/model.json")).unwrap();
    assert_eq!(m17.source, "xgboost 1.7.6");
    for t in &m.trees {
        for n in &t.nodes {
            match n {
                Node::Split {
                    threshold, missing, ..
                } => {
                    assert_eq!(*missing, Missing::NanDefault);
                    assert_eq!(
                        *threshold,
                        f64::from(*threshold as f32),
                        "float32 threshold"
                    );
                }
                Node::Leaf { value } => assert_eq!(*value, f64::from(*value as f32)),
            }
        }
    }
}

// ---------------------------------------------------------------- LightGBM

#[test]
fn lgbm_truncated_is_refused() {
    let text = lgbm();
    for cut in [
        text.len() / 3,
        text.len() / 2,
        text.find("end of trees").unwrap(),
    ] {
        refuse_txt(&text[..cut]);
    }
    let msg = refuse_txt(&text[..text.find("end of trees").unwrap()]);
    expect_has(&msg, &["no 'end of trees' line", "truncated"]);
}

#[test]
fn lgbm_categorical_split_names_tree_node_and_feature() {
    let text = lgbm();
    let mut d = lgbm_get(&text, 3, "decision_type");
    d[2] = "11".to_string();
    let msg = refuse_txt(&lgbm_set(&text, 3, "decision_type", &d.join(" ")));
    assert_eq!(
        msg,
        "m.txt: tree 3, node 2: categorical split on feature 'worst_texture' is not \
         supported; expected numerical splits"
    );
    expect_has(
        &refuse_txt(&lgbm_set(&text, 3, "num_cat", "1")),
        &["tree 3", "categorical"],
    );
}

#[test]
fn lgbm_unknown_objectives_are_refused() {
    let text = lgbm();
    for obj in [
        "lambdarank",
        "multiclassova num_class:3 sigmoid:1",
        "custom",
        "rank_xendcg",
    ] {
        let t = text.replace("objective=binary sigmoid:1", &format!("objective={obj}"));
        expect_has(
            &refuse_txt(&t),
            &["line 7", "is not supported", "multiclass, regression"],
        );
    }
    let t = text.replace("objective=binary sigmoid:1", "objective=regression sqrt");
    expect_has(&refuse_txt(&t), &["reg_sqrt"]);
}

#[test]
fn lgbm_child_out_of_range() {
    let text = lgbm();
    let mut l = lgbm_get(&text, 1, "left_child");
    l[0] = "-9".to_string();
    expect_has(
        &refuse_txt(&lgbm_set(&text, 1, "left_child", &l.join(" "))),
        &["tree 1, node 0", "left child -9 names leaf 8", "below 8"],
    );
    l[0] = "7".to_string();
    expect_has(
        &refuse_txt(&lgbm_set(&text, 1, "left_child", &l.join(" "))),
        &["tree 1, node 0", "internal node 7", "below 7"],
    );
    l[0] = "-9223372036854775808".to_string();
    refuse_txt(&lgbm_set(&text, 1, "left_child", &l.join(" ")));
}

#[test]
fn lgbm_cycle_and_shared_child() {
    let text = lgbm();
    let mut l = lgbm_get(&text, 3, "left_child");
    l[1] = "0".to_string();
    expect_has(
        &refuse_txt(&lgbm_set(&text, 3, "left_child", &l.join(" "))),
        &["tree 3, node 1", "cycle"],
    );
    let mut r = lgbm_get(&text, 3, "right_child");
    r[0] = lgbm_get(&text, 3, "left_child")[0].clone();
    expect_has(
        &refuse_txt(&lgbm_set(&text, 3, "right_child", &r.join(" "))),
        &["tree 3, node 0", "reached from the root exactly once"],
    );
}

#[test]
fn lgbm_nan_threshold() {
    let text = lgbm();
    let mut th = lgbm_get(&text, 2, "threshold");
    for bad in ["nan", "inf", "-inf", "1e400", "x"] {
        th[4] = bad.to_string();
        expect_has(
            &refuse_txt(&lgbm_set(&text, 2, "threshold", &th.join(" "))),
            &[
                "tree 2",
                "tree 2, node 4: threshold is",
                "expected a finite number",
            ],
        );
    }
}

#[test]
fn lgbm_wrong_lengths_and_missing_keys() {
    let text = lgbm();
    let mut lv = lgbm_get(&text, 0, "leaf_value");
    lv.pop();
    expect_has(
        &refuse_txt(&lgbm_set(&text, 0, "leaf_value", &lv.join(" "))),
        &["tree 0", "'leaf_value' has 7 entries; expected 8"],
    );
    expect_has(
        &refuse_txt(&lgbm_set(&text, 0, "num_leaves", "9")),
        &["tree 0", "expected 9"],
    );
    expect_has(
        &refuse_txt(&text.replace("max_feature_idx=29\n", "")),
        &["missing 'max_feature_idx='"],
    );
    expect_has(
        &refuse_txt(&lgbm_set(&text, 0, "num_leaves", "99999999")),
        &["99999999 leaves is absurd"],
    );
}

#[test]
fn lgbm_missing_type_three_and_feature_range() {
    let text = lgbm();
    let mut d = lgbm_get(&text, 0, "decision_type");
    d[0] = "14".to_string();
    expect_has(
        &refuse_txt(&lgbm_set(&text, 0, "decision_type", &d.join(" "))),
        &["tree 0, node 0", "missing type 3"],
    );
    let mut f = lgbm_get(&text, 0, "split_feature");
    f[0] = "30".to_string();
    expect_has(
        &refuse_txt(&lgbm_set(&text, 0, "split_feature", &f.join(" "))),
        &["tree 0, node 0", "feature index 30", "below 30"],
    );
}

#[test]
fn lgbm_linear_trees_are_refused() {
    let text = lgbm();
    expect_has(
        &refuse_txt(&lgbm_set(&text, 4, "is_linear", "1")),
        &["tree 4", "linear tree"],
    );
}

#[test]
fn lgbm_decision_types_map_to_missing_rules() {
    let m = load_bytes("m.txt", &fixture("lgbm-missing/model.txt")).unwrap();
    assert_eq!(m.source, "lightgbm v4");
    let mut seen = std::collections::BTreeSet::new();
    for t in &m.trees {
        for n in &t.nodes {
            if let Node::Split {
                missing,
                default_left,
                ..
            } = n
            {
                seen.insert((format!("{missing:?}"), *default_left));
            }
        }
    }
    // The fixture holds decision types 4, 6, 8 and 10.
    for want in [
        ("ZeroDefault", false),
        ("ZeroDefault", true),
        ("NanDefault", false),
        ("NanDefault", true),
    ] {
        assert!(
            seen.contains(&(want.0.to_string(), want.1)),
            "{want:?} in {seen:?}"
        );
    }
}

#[test]
fn lgbm_single_leaf_tree() {
    let text = lgbm();
    let start = text.find("Tree=1\n").unwrap();
    let end = text.find("Tree=2\n").unwrap();
    let one = "Tree=1\nnum_leaves=1\nnum_cat=0\nsplit_feature=\nsplit_gain=\nthreshold=\n\
               decision_type=\nleft_child=\nright_child=\nleaf_value=0.25\nleaf_weight=\n\
               leaf_count=\ninternal_value=\ninternal_weight=\ninternal_count=\nis_linear=0\n\
               shrinkage=1\n\n\n";
    let text = format!("{}{}{}", &text[..start], one, &text[end..]);
    let m = load_bytes("m.txt", text.as_bytes()).unwrap();
    assert_eq!(m.trees[1].nodes, vec![Node::Leaf { value: 0.25 }]);
}

#[test]
fn lgbm_tree_numbering_must_be_sequential() {
    let text = lgbm().replace("Tree=2\n", "Tree=7\n");
    expect_has(&refuse_txt(&text), &["found 'Tree=7'; expected 'Tree=2'"]);
}
