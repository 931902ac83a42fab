//! Objectives and boosters the fixtures do not cover, checked against their libraries' predictions.
//!
//! Each case is a small model (3 features, NaN in some rows) written by xgboost 1.7.6,
//! 2.1.4 or 3.2.0 or by lightgbm 4.7.0, with the library's own margins
//! (`output_margin=True` / `raw_score=True`) and outputs for the six rows in [`ROWS`].
//! LightGBM models are cut after `end of trees`. Made by a throw-away script that trained
//! on `RandomState(7)` data; the values below are the record.

use hdl_gen::import::load_bytes;

const NAN: f64 = f64::NAN;

const ROWS: [[f64; 3]; 6] = [
    [1.690525703800356, -0.4659373705408328, 0.0328201636785844],
    [NAN, -0.7889230286257386, 0.00206557290594813],
    [NAN, -1.7547243063454208, 1.0176580056634932],
    [0.6004985159195494, -0.6254289739667597, NAN],
    [0.5052993741967516, NAN, -0.2427490786725466],
    [0.0, NAN, -1e-40],
];

struct Case {
    name: &'static str,
    model: &'static str,
    margins: &'static [f64],
    outputs: &'static [f64],
}

/// Same rule as the fixture test: 1e-5 relative, plus 1e-6 absolute for values near 0.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-5 * a.abs().max(b.abs()) + 1e-6
}

#[test]
fn small_models_predict_like_their_libraries() {
    let mut failures = Vec::new();
    for case in CASES {
        let m = match load_bytes(case.name, case.model.as_bytes()) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{}: import failed: {e}", case.name));
                continue;
            }
        };
        assert_eq!(m.n_groups(), 1, "{}", case.name);
        let mut worst = 0.0f64;
        for (i, row) in ROWS.iter().enumerate() {
            let p = m.predict_row(row);
            let (a, b) = (p.margins[0], case.margins[i]);
            worst = worst.max((a - b).abs() / a.abs().max(b.abs()).max(1e-300));
            if !close(p.margins[0], case.margins[i]) || !close(p.outputs[0], case.outputs[i]) {
                failures.push(format!(
                    "{}: row {i}: got margin {} output {}; expected {} and {}",
                    case.name, p.margins[0], p.outputs[0], case.margins[i], case.outputs[i]
                ));
            }
        }
        eprintln!(
            "{}: worst relative margin difference {worst:.2e}",
            case.name
        );
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

const CASES: &[Case] = &[
    Case {
        name: "xgboost 1.7.6 binary:logitraw",
        model: r#"{"learner":{"attributes":{"best_iteration":"2","best_ntree_limit":"3"},"feature_names":[],"feature_types":[],"gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"3","size_leaf_vector":"0"},"tree_info":[0,0,0],"trees":[{"base_weights":[-0.3366657,-2.128118,0.646698,-2.345209,-0.83005375,-0.34003705,1.275916],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,1,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[168.73553,7.6064606,38.990578,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.17176014,-0.3435223,0.19297886,-1.1726044,-0.41502687,-0.17001852,0.637958],"split_indices":[0,0,0,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[94.00148,32.90052,61.100964,27.495434,5.4050856,23.970379,37.130585],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}},{"base_weights":[-0.15577717,-0.61801857,1.1345589,-1.2913871,-0.18301852,0.22161086,1.2111062],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,1,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[52.456993,18.666788,1.3556404,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.43252385,-0.4146511,-2.1001039,-0.64569354,-0.09150926,0.11080543,0.6055531],"split_indices":[0,0,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[85.773575,63.53446,22.239119,24.162636,39.371826,2.021738,20.21738],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}},{"base_weights":[-0.08998071,-0.46641934,0.7280411,-1.178049,-0.19385181,0.19915631,0.93970037],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[23.36949,9.824553,2.4950457,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.19297886,-0.68565345,0.43252385,-0.5890245,-0.09692591,0.09957816,0.46985018],"split_indices":[0,0,0,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[73.78823,50.827957,22.960274,13.15648,37.67148,7.1171594,15.843114],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}}]},"name":"gbtree"},"learner_model_param":{"base_score":"5E-1","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"binary:logitraw","reg_loss_param":{"scale_pos_weight":"1"}}},"version":[1,7,6]}"#,
        margins: &[
            2.2133612632751465,
            0.1415463089942932,
            0.1415463089942932,
            2.2133612632751465,
            1.718613624572754,
            0.1415463089942932,
        ],
        outputs: &[
            2.2133612632751465,
            0.1415463089942932,
            0.1415463089942932,
            2.2133612632751465,
            1.718613624572754,
            0.1415463089942932,
        ],
    },
    Case {
        name: "xgboost 1.7.6 count:poisson",
        model: r#"{"learner":{"attributes":{"best_iteration":"2","best_ntree_limit":"3"},"feature_names":[],"feature_types":[],"gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"3","size_leaf_vector":"0"},"tree_info":[0,0,0],"trees":[{"base_weights":[0.7,-0.03548769,0.7,0.28404015,-0.310631,-0.0,0.7],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,0,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[7.1315613,1.3269141,2.960205,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-1.7864788,-1.9852746,-2.302216,0.14202008,-0.1553155,-0.0,0.35],"split_indices":[1,1,2,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[402.75055,13.089393,389.66113,6.041258,7.0481343,6.041258,383.6199],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}},{"base_weights":[0.6063085,0.27401233,0.7,0.19300123,0.5492572,0.7,0.24399117],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,1,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[30.466385,4.30661,3.580429,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.37812477,1.0106065,1.5482591,0.09650061,0.2746286,0.35,0.12199558],"split_indices":[1,2,2,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[563.42114,196.89392,366.52722,153.43542,43.458496,347.9525,18.574732],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}},{"base_weights":[0.34244242,0.25735432,0.7,0.15375943,0.32265806,0.7,0.38672018],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,1,0,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[29.528992,4.2619095,2.2318115,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.9304405,-0.42043918,1.0126939,0.07687972,0.16132903,0.35,0.19336009],"split_indices":[1,0,2,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[740.92615,636.3144,104.61171,247.32458,388.98984,77.87885,26.732859],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}}]},"name":"gbtree"},"learner_model_param":{"base_score":"5E-1","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"count:poisson","poisson_regression_param":{"max_delta_step":"0.699999988"}}},"version":[1,7,6]}"#,
        margins: &[
            -0.08531755208969116,
            -0.1697668731212616,
            0.00836113840341568,
            0.09281045198440552,
            0.16818183660507202,
            0.16818183660507202,
        ],
        outputs: &[
            0.9182206392288208,
            0.8438615202903748,
            1.0083961486816406,
            1.097253680229187,
            1.1831517219543457,
            1.1831517219543457,
        ],
    },
    Case {
        name: "xgboost 1.7.6 reg:gamma",
        model: r#"{"learner":{"attributes":{"best_iteration":"2","best_ntree_limit":"3"},"feature_names":[],"feature_types":[],"gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"3","size_leaf_vector":"0"},"tree_info":[0,0,0],"trees":[{"base_weights":[0.6829785,0.57503307,0.73781145,0.46366772,0.6079902,0.70820755,0.8028942],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,1,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[7.062622,1.2985992,1.0406799,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.065002024,-1.0519304,0.9833522,0.23183386,0.3039951,0.35410377,0.4014471],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[1263.8984,429.62177,834.2767,101.54837,328.0734,581.6059,252.6708],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}},{"base_weights":[0.5548931,0.459508,0.63963485,0.30436802,0.4858386,0.6005152,0.70609915],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[6.9881897,1.5979767,0.80973816,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.0439694,-1.225842,0.9833522,0.15218401,0.2429193,0.3002576,0.35304958],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[899.9071,426.3884,473.51874,63.689377,362.699,304.39334,169.1254],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}},{"base_weights":[0.41411582,0.2855072,0.48342657,-0.24715449,0.28964388,0.42589968,0.55550635],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,1,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[5.9630203,0.60510826,1.6015778,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.13125774,-2.9120734,0.71594256,-0.123577245,0.14482194,0.21294984,0.27775317],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[683.4356,241.1298,442.30582,1.4054759,239.72433,249.82726,192.47856],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}}]},"name":"gbtree"},"learner_model_param":{"base_score":"5E-1","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"reg:gamma"}},"version":[1,7,6]}"#,
        margins: &[
            -0.001410841941833496,
            -0.001410841941833496,
            -0.1643073558807373,
            -0.001410841941833496,
            0.11682572960853577,
            0.11682572960853577,
        ],
        outputs: &[
            0.9985901713371277,
            0.9985901713371277,
            0.8484811782836914,
            0.9985901713371277,
            1.1239235401153564,
            1.1239235401153564,
        ],
    },
    Case {
        name: "xgboost 1.7.6 reg:tweedie",
        model: r#"{"learner":{"attributes":{"best_iteration":"2","best_ntree_limit":"3"},"feature_names":[],"feature_types":[],"gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"3","size_leaf_vector":"0"},"tree_info":[0,0,0],"trees":[{"base_weights":[1.0366406,0.8059946,1.1681806,0.60044616,0.871966,1.0952669,1.3377427],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,1,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[16.936646,2.4223022,3.1467896,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.065002024,-1.0519304,0.9833522,0.30022308,0.435983,0.54763347,0.66887134],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[588.2769,216.24095,372.03598,54.99465,161.24629,265.37924,106.65674],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}},{"base_weights":[0.61986464,0.48275596,0.77581275,0.29230115,0.51521534,0.7140348,0.9256923],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[10.887741,1.5985413,1.605545,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.115296856,-1.225842,1.132315,0.14615057,0.25760767,0.3570174,0.46284616],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[525.72144,281.9384,243.78304,42.510986,239.4274,176.71004,67.073006],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}},{"base_weights":[0.33277848,0.27404025,0.49335992,0.19109575,0.3198537,0.4507391,0.6446596],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[4.639824,1.3559265,0.57567215,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.71594256,-0.47824427,1.4501076,0.09554788,0.15992685,0.22536954,0.3223298],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[505.24353,371.91083,133.33269,134.16972,237.7411,107.13272,26.199968],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}}]},"name":"gbtree"},"learner_model_param":{"base_score":"5E-1","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"reg:tweedie","tweedie_regression_param":{"tweedie_variance_power":"1.5"}}},"version":[1,7,6]}"#,
        margins: &[
            0.160370334982872,
            0.09599136561155319,
            -0.15122565627098083,
            0.09599136561155319,
            0.2720208168029785,
            0.2720208168029785,
        ],
        outputs: &[
            1.1739455461502075,
            1.1007496118545532,
            0.8596537113189697,
            1.1007496118545532,
            1.3126143217086792,
            1.3126143217086792,
        ],
    },
    Case {
        name: "xgboost 1.7.6 dart",
        model: r#"{"learner":{"attributes":{"best_iteration":"4","best_ntree_limit":"5"},"feature_names":[],"feature_types":[],"gradient_booster":{"gbtree":{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"5","size_leaf_vector":"0"},"tree_info":[0,0,0,0,0],"trees":[{"base_weights":[1.0771801,0.8773902,1.7987665,0.661429,1.1307507,1.5060585,2.1457028],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[56.23221,16.542374,5.501831,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.71594256,-0.13125774,1.132315,0.3307145,0.5653753,0.7530292,1.0728514],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,315.0,85.0,172.0,143.0,49.0,36.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}},{"base_weights":[0.545378,0.37306595,0.80802846,0.107556425,0.44796047,0.73713595,1.434728],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[17.846954,4.80381,5.962082,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.115296856,-1.0519304,1.4501076,0.053778213,0.22398023,0.36856797,0.717364],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,243.0,157.0,54.0,189.0,143.0,14.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}},{"base_weights":[0.80789185,0.6502599,1.3777035,0.49187008,0.836032,1.1448618,1.6551192],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[35.12216,8.886887,3.6601868,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.71594256,-0.13125774,1.132315,0.24593504,0.418016,0.5724309,0.8275596],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,315.0,85.0,172.0,143.0,49.0,36.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}},{"base_weights":[1.0771801,0.8773902,1.7987665,0.661429,1.1307507,1.5060585,2.1457028],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":3,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[56.23221,16.542374,5.501831,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.71594256,-0.13125774,1.132315,0.3307145,0.5653753,0.7530292,1.0728514],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,315.0,85.0,172.0,143.0,49.0,36.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}},{"base_weights":[0.39053115,0.3293438,0.8134794,0.16197808,0.3923732,0.7153361,1.1345192],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":4,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[10.1096,3.6496773,0.7638359,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.9833522,-0.6482516,1.7020826,0.08098904,0.1961866,0.35766804,0.5672596],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,351.0,49.0,97.0,254.0,40.0,9.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"0"}}]},"name":"gbtree"},"name":"dart","weight_drop":[0.5714286,0.85714287,0.38095242,0.2857143,0.6666667]},"learner_model_param":{"base_score":"5E-1","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"reg:squarederror","reg_loss_param":{"scale_pos_weight":"1"}}},"version":[1,7,6]}"#,
        margins: &[
            1.1999332904815674,
            1.123134970664978,
            0.9772474765777588,
            1.1999332904815674,
            1.4666258096694946,
            1.4666258096694946,
        ],
        outputs: &[
            1.1999332904815674,
            1.123134970664978,
            0.9772474765777588,
            1.1999332904815674,
            1.4666258096694946,
            1.4666258096694946,
        ],
    },
    Case {
        name: "xgboost 2.1.4 binary:logitraw",
        model: r#"{"learner":{"attributes":{},"feature_names":[],"feature_types":[],"gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"3"},"iteration_indptr":[0,1,2,3],"tree_info":[0,0,0],"trees":[{"base_weights":[0.00040719067,-1.6835685,0.938882,-0.9564108,-0.24704498,-0.0046434817,0.76214886],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,1,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[160.06157,8.938545,36.114006,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.14274107,-0.3398404,0.19365,-0.9564108,-0.24704498,-0.0046434817,0.76214886],"split_indices":[0,0,0,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[99.28097,35.244743,64.036224,29.039682,6.2050605,24.820242,39.21598],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.009815641,-0.5724119,1.0184225,-0.6151192,-0.04351754,0.14424929,0.61078787],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[52.99487,18.165024,4.544716,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.19365,-0.4109204,0.4383133,-0.6151192,-0.04351754,0.14424929,0.61078787],"split_indices":[0,0,0,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[88.251465,56.226612,32.024853,23.220917,33.005695,7.4994907,24.52536],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.0112720085,-0.7549091,0.40952134,-0.57703733,-0.15333498,0.03588429,0.49333727],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,1,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[23.416952,4.3432264,9.769163,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.14274107,-0.6843292,0.4383133,-0.57703733,-0.15333498,0.03588429,0.49333727],"split_indices":[0,0,0,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[74.73073,25.252522,49.47821,12.524515,12.728006,31.921782,17.556427],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}}]},"name":"gbtree"},"learner_model_param":{"base_score":"1.7E-1","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"binary:logitraw","reg_loss_param":{"scale_pos_weight":"1"}}},"version":[2,1,4]}"#,
        margins: &[
            2.036273956298828,
            0.15772326290607452,
            0.15772326290607452,
            2.036273956298828,
            2.036273956298828,
            0.15772326290607452,
        ],
        outputs: &[
            2.036273956298828,
            0.15772326290607452,
            0.15772326290607452,
            2.036273956298828,
            2.036273956298828,
            0.15772326290607452,
        ],
    },
    Case {
        name: "xgboost 2.1.4 count:poisson",
        model: r#"{"learner":{"attributes":{},"feature_names":[],"feature_types":[],"gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"3"},"iteration_indptr":[0,1,2,3],"tree_info":[0,0,0],"trees":[{"base_weights":[0.08950977,0.024836842,0.50976866,-0.046413913,0.053180967,0.3095247,0.08277547],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[28.854786,8.8495865,5.2238693,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.9327497,-0.37282643,1.0162872,-0.046413913,0.053180967,0.3095247,0.08277547],"split_indices":[1,1,2,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[1061.1086,920.5117,140.5969,376.69354,543.8182,106.110855,34.48603],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.061108116,0.013338864,0.26931733,-0.03684968,0.035224874,0.18232973,0.07029481],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[11.098116,4.523438,2.5045824,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.89118475,-0.37282643,0.112044446,-0.03684968,0.035224874,0.18232973,0.07029481],"split_indices":[1,1,2,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[1115.1985,907.95197,207.24655,359.60925,548.3427,118.00981,89.23673],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.043331318,-0.031874698,0.11325011,-0.027957499,0.07745538,-0.15312319,0.06316709],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,1,0,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[6.0661798,2.506447,3.3192806,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.11895587,1.017658,-2.2496312,-0.027957499,0.07745538,-0.15312319,0.06316709],"split_indices":[1,2,2,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[1151.9495,555.2528,596.69666,492.55853,62.6943,17.37031,579.32635],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}}]},"name":"gbtree"},"learner_model_param":{"base_score":"1.3173273E0","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"count:poisson","poisson_regression_param":{"max_delta_step":"0.699999988"}}},"version":[2,1,4]}"#,
        margins: &[
            0.16438378393650055,
            0.16438378393650055,
            0.2697966694831848,
            0.16438378393650055,
            0.3360532224178314,
            0.3360532224178314,
        ],
        outputs: &[
            1.178666591644287,
            1.178666591644287,
            1.3096981048583984,
            1.178666591644287,
            1.3994134664535522,
            1.3994134664535522,
        ],
    },
    Case {
        name: "xgboost 2.1.4 reg:gamma",
        model: r#"{"learner":{"attributes":{},"feature_names":[],"feature_types":[],"gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"3"},"iteration_indptr":[0,1,2,3],"tree_info":[0,0,0],"trees":[{"base_weights":[0.08615231,-0.22148673,0.24479255,-0.26018268,-0.06262146,0.08017117,0.21758778],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,1,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[21.46958,4.244359,4.5925922,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.054190185,-1.0500168,0.99361116,-0.26018268,-0.06262146,0.08017117,0.21758778],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[437.804,148.81743,288.98654,35.175514,113.641914,201.46347,87.52308],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.054167952,-0.06926919,0.19704062,-0.077395886,-0.009251562,0.07191384,0.16532445],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[7.490613,0.98786974,1.3514328,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.11655994,-0.64810526,1.1385566,-0.077395886,-0.009251562,0.07191384,0.16532445],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[422.96533,227.19324,195.7721,83.863785,143.32945,141.49467,54.277416],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.031300317,-0.016813435,0.1745229,-0.06944708,-0.0010611928,0.06944964,0.15226687],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[2.8555021,0.5570779,0.44021583,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.71855676,-1.3242334,1.4619756,-0.06944708,-0.0010611928,0.06944964,0.15226687],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[412.95697,309.7748,103.182175,32.3657,277.40912,82.613914,20.568264],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}}]},"name":"gbtree"},"learner_model_param":{"base_score":"1.4434525E0","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"reg:gamma","reg_loss_param":{"scale_pos_weight":"1"}}},"version":[2,1,4]}"#,
        margins: &[
            0.29410359263420105,
            0.22595928609371185,
            -0.03998783975839615,
            0.29410359263420105,
            0.4368962049484253,
            0.4368962049484253,
        ],
        outputs: &[
            1.3419228792190552,
            1.253524661064148,
            0.9608011245727539,
            1.3419228792190552,
            1.5478954315185547,
            1.5478954315185547,
        ],
    },
    Case {
        name: "xgboost 2.1.4 reg:tweedie",
        model: r#"{"learner":{"attributes":{},"feature_names":[],"feature_types":[],"gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"3"},"iteration_indptr":[0,1,2,3],"tree_info":[0,0,0],"trees":[{"base_weights":[0.007792877,-0.20598142,0.26719528,-0.24560232,-0.067249,0.07274973,0.24081439],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[27.991203,5.576354,5.880617,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.11655994,-1.0500168,0.99361116,-0.24560232,-0.067249,0.07274973,0.24081439],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[502.77585,275.742,227.03386,54.081577,221.66042,145.90692,81.12693],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.004060144,-0.17604873,0.11247593,-0.14327274,-0.07093962,0.041950777,0.21025231],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,1,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[9.784096,0.67024946,2.7175632,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.12922217,-1.2173193,1.4619756,-0.14327274,-0.07093962,0.041950777,0.21025231],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[499.0498,187.28815,311.7617,42.492035,144.79611,286.46045,25.301216],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.0021476892,-0.046994586,0.14136046,-0.06463679,-0.008035333,0.06099302,0.13750868],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[3.4190762,0.93785876,0.30409646,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.71855676,-0.64810526,1.7552041,-0.06463679,-0.008035333,0.06099302,0.13750868],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[497.8039,368.41528,129.38861,99.77212,268.64316,114.67798,14.710627],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}}]},"name":"gbtree"},"learner_model_param":{"base_score":"1.5675849E0","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"reg:tweedie","tweedie_regression_param":{"tweedie_variance_power":"1.5"}}},"version":[2,1,4]}"#,
        margins: &[
            0.30331218242645264,
            0.24671071767807007,
            -0.003975711762905121,
            0.30331218242645264,
            0.416202574968338,
            0.416202574968338,
        ],
        outputs: &[
            1.354337215423584,
            1.2798088788986206,
            0.996032178401947,
            1.354337215423584,
            1.5161930322647095,
            1.5161930322647095,
        ],
    },
    Case {
        name: "xgboost 2.1.4 dart",
        model: r#"{"learner":{"attributes":{},"feature_names":[],"feature_types":[],"gradient_booster":{"gbtree":{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"5"},"iteration_indptr":[0,1,2,3,4,5],"tree_info":[0,0,0,0,0],"trees":[{"base_weights":[-1.09993605e-08,-0.19906555,0.73145014,-0.2051197,0.029639661,0.28807008,0.71408725],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[58.53382,17.263914,8.483078,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.71855676,-0.12922217,1.4619756,-0.2051197,0.029639661,0.28807008,0.71408725],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,315.0,85.0,173.0,142.0,71.0,14.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.0020615235,-0.07958887,0.576839,-0.21329543,-0.007638899,0.24674645,0.45084718],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[18.865164,7.848738,0.9087925,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.99361116,-1.0500168,1.7552041,-0.21329543,-0.007638899,0.24674645,0.45084718],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,351.0,49.0,54.0,297.0,41.0,8.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[-1.09993605e-08,-0.19906555,0.73145014,-0.2051197,0.029639661,0.28807008,0.71408725],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[58.53382,17.263914,8.483078,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.71855676,-0.12922217,1.4619756,-0.2051197,0.029639661,0.28807008,0.71408725],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,315.0,85.0,173.0,142.0,71.0,14.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[-1.09993605e-08,-0.19906555,0.73145014,-0.2051197,0.029639661,0.28807008,0.71408725],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":3,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[58.53382,17.263914,8.483078,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.71855676,-0.12922217,1.4619756,-0.2051197,0.029639661,0.28807008,0.71408725],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,315.0,85.0,173.0,142.0,71.0,14.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.00070683885,-0.25779238,0.3999037,-0.2794665,-0.08463166,0.11585946,0.4718254],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":4,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[41.48312,6.4103584,14.230436,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.11655994,-1.0500168,1.1385566,-0.2794665,-0.08463166,0.11585946,0.4718254],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,243.0,157.0,54.0,189.0,121.0,36.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}}]},"name":"gbtree"},"name":"dart","weight_drop":[0.58775514,0.58775514,0.34285715,0.24489798,0.2857143]},"learner_model_param":{"base_score":"1.5798731E0","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"reg:squarederror","reg_loss_param":{"scale_pos_weight":"1"}}},"version":[2,1,4]}"#,
        margins: &[
            1.3100824356079102,
            1.3100824356079102,
            1.1335396766662598,
            1.3100824356079102,
            1.586044430732727,
            1.586044430732727,
        ],
        outputs: &[
            1.3100824356079102,
            1.3100824356079102,
            1.1335396766662598,
            1.3100824356079102,
            1.586044430732727,
            1.586044430732727,
        ],
    },
    Case {
        name: "xgboost 3.2.0 binary:logitraw",
        model: r#"{"learner":{"attributes":{},"feature_names":[],"feature_types":[],"gradient_booster":{"model":{"cats":{"enc":[],"feature_segments":[],"sorted_idx":[]},"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"3"},"iteration_indptr":[0,1,2,3],"tree_info":[0,0,0],"trees":[{"base_weights":[-0.38257277,-2.1698837,0.6205935,-1.2055317,-0.42645472,-0.19052486,0.62392104],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,1,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[169.86562,8.746414,38.786537,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.14274107,-0.3398404,0.19365,-1.2055317,-0.42645472,-0.19052486,0.62392104],"split_indices":[0,0,0,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[92.98875,33.011005,59.97774,27.19921,5.8117967,23.247187,36.730556],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[-0.17599644,-0.63533634,1.1233083,-0.64837456,-0.10210136,0.13394146,0.600013],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,1,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[52.243603,18.107302,1.1821957,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.4383133,-0.4109204,-1.9107488,-0.64837456,-0.10210136,0.13394146,0.600013],"split_indices":[0,0,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[85.340454,63.427948,21.912502,24.237236,39.190712,2.1731408,19.739363],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[-0.10211099,-0.4739142,0.7171774,-0.5900497,-0.10106366,0.092474796,0.46607485],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[23.04463,9.717271,2.535163,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.19365,-0.6843292,0.4383133,-0.5900497,-0.10106366,0.092474796,0.46607485],"split_indices":[0,0,0,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[73.53612,50.871536,22.66458,13.208868,37.662666,7.055913,15.608667],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}}]},"name":"gbtree"},"learner_model_param":{"base_score":"[5.425E-1]","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"binary:logitraw","reg_loss_param":{"scale_pos_weight":"1"}}},"version":[3,2,0]}"#,
        margins: &[
            2.232508897781372,
            0.14881011843681335,
            0.14881011843681335,
            2.232508897781372,
            1.766437292098999,
            0.14881011843681335,
        ],
        outputs: &[
            2.232508897781372,
            0.14881011843681335,
            0.14881011843681335,
            2.232508897781372,
            1.766437292098999,
            0.14881011843681335,
        ],
    },
    Case {
        name: "xgboost 3.2.0 count:poisson",
        model: r#"{"learner":{"attributes":{},"feature_names":[],"feature_types":[],"gradient_booster":{"model":{"cats":{"enc":[],"feature_segments":[],"sorted_idx":[]},"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"3"},"iteration_indptr":[0,1,2,3],"tree_info":[0,0,0],"trees":[{"base_weights":[1.9970381e-08,-0.05478622,0.35687461,-0.07720067,0.007174153,0.35,0.1482959],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[24.528812,7.492283,4.9854984,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.9327497,-0.37282643,0.99361116,-0.07720067,0.007174153,0.35,0.1482959],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[1252.5541,1086.5906,165.96341,444.65668,641.93396,12.52554,153.43787],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[-0.0005392329,-0.046933956,0.21189223,-0.06350231,0.0032508106,0.14796053,-0.01859553],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[12.378027,4.4111915,4.722927,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.89118475,-0.37282643,1.0162872,-0.06350231,0.0032508106,0.14796053,-0.01859553],"split_indices":[1,1,2,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[1253.9169,1029.791,224.12581,411.6205,618.17053,167.4486,56.67722],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[-0.0014644293,-0.076345444,0.070155546,-0.0490591,0.046915747,-0.15586312,0.04079814],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,1,0,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[6.748022,2.288351,2.8353403,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.11895587,1.017658,-2.2496312,-0.0490591,0.046915747,-0.15586312,0.04079814],"split_indices":[1,2,2,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[1256.2618,614.11676,642.1451,544.8332,69.28355,17.914871,624.23016],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}}]},"name":"gbtree"},"learner_model_param":{"base_score":"[1.555E0]","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"count:poisson","poisson_regression_param":{"max_delta_step":"0.699999988"}}},"version":[3,2,0]}"#,
        margins: &[
            0.25171342492103577,
            0.25171342492103577,
            0.3476882576942444,
            0.25171342492103577,
            0.40284138917922974,
            0.40284138917922974,
        ],
        outputs: &[
            1.2862273454666138,
            1.2862273454666138,
            1.4157907962799072,
            1.2862273454666138,
            1.4960695505142212,
            1.4960695505142212,
        ],
    },
    Case {
        name: "xgboost 3.2.0 reg:gamma",
        model: r#"{"learner":{"attributes":{},"feature_names":[],"feature_types":[],"gradient_booster":{"model":{"cats":{"enc":[],"feature_segments":[],"sorted_idx":[]},"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"3"},"iteration_indptr":[0,1,2,3],"tree_info":[0,0,0],"trees":[{"base_weights":[-7.432001e-09,-0.3360865,0.17368723,-0.32985947,-0.11528754,0.040707566,0.19122668],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,1,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[23.466326,4.524892,5.074265,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.054190185,-1.0500168,0.99361116,-0.32985947,-0.11528754,0.040707566,0.19122668],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,135.96718,264.0328,32.13814,103.82904,184.06728,79.965546],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.009840764,-0.11015462,0.15143256,-0.09379783,-0.031570457,0.054348808,0.16082717],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[6.897529,0.78836155,1.3195062,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.11655994,-0.64810526,1.3257469,-0.09379783,-0.031570457,0.054348808,0.16082717],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[403.98535,218.7892,185.19617,81.51967,137.26953,149.3418,35.85437],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.007863179,-0.038548257,0.1477321,-0.07178721,-0.012788951,0.05842355,0.13201292],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[2.629424,0.41081357,0.33158088,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.71855676,-1.3242334,1.4619756,-0.07178721,-0.012788951,0.05842355,0.13201292],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[403.17813,303.27087,99.907234,32.229145,271.04175,80.526085,19.381151],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}}]},"name":"gbtree"},"learner_model_param":{"base_score":"[1.5798731E0]","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"reg:gamma","reg_loss_param":{"scale_pos_weight":"1"}}},"version":[3,2,0]}"#,
        margins: &[
            0.2976975739002228,
            0.23547020554542542,
            -0.038099974393844604,
            0.2976975739002228,
            0.4536926746368408,
            0.4536926746368408,
        ],
        outputs: &[
            1.3467544317245483,
            1.2655036449432373,
            0.9626166820526123,
            1.3467544317245483,
            1.574114203453064,
            1.574114203453064,
        ],
    },
    Case {
        name: "xgboost 3.2.0 reg:tweedie",
        model: r#"{"learner":{"attributes":{},"feature_names":[],"feature_types":[],"gradient_booster":{"model":{"cats":{"enc":[],"feature_segments":[],"sorted_idx":[]},"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"3"},"iteration_indptr":[0,1,2,3],"tree_info":[0,0,0],"trees":[{"base_weights":[-2.117869e-08,-0.2136757,0.25955653,-0.24919672,-0.071117,0.068891674,0.23718075],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[27.995117,5.560549,5.896367,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.11655994,-1.0500168,0.99361116,-0.24919672,-0.071117,0.068891674,0.23718075],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[502.772,275.85535,226.91664,54.134808,221.72055,145.8663,81.05033],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[5.8654095e-05,-0.18001285,0.10849653,-0.14528745,-0.07289577,0.03996629,0.2083357],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,1,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[9.783764,0.6701684,2.7195292,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.12922217,-1.2173193,1.4619756,-0.14528745,-0.07289577,0.03996629,0.2083357],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[499.04855,187.32213,311.72644,42.50526,144.81686,286.4367,25.289726],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.00011797197,-0.048993044,0.13927166,-0.06567359,-0.009015892,0.059957296,0.13647266],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[3.4156342,0.9395855,0.3046291,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.71855676,-0.64810526,1.7552041,-0.06567359,-0.009015892,0.059957296,0.13647266],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[497.80328,368.42447,129.37881,99.77903,268.64545,114.67061,14.708198],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}}]},"name":"gbtree"},"learner_model_param":{"base_score":"[1.5798731E0]","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"reg:tweedie","tweedie_regression_param":{"tweedie_variance_power":"1.5"}}},"version":[3,2,0]}"#,
        margins: &[
            0.3043158948421478,
            0.24765819311141968,
            -0.0028132349252700806,
            0.3043158948421478,
            0.4171779453754425,
            0.4171779453754425,
        ],
        outputs: &[
            1.3556972742080688,
            1.2810219526290894,
            0.9971907138824463,
            1.3556972742080688,
            1.5176725387573242,
            1.5176725387573242,
        ],
    },
    Case {
        name: "xgboost 3.2.0 dart",
        model: r#"{"learner":{"attributes":{},"feature_names":[],"feature_types":[],"gradient_booster":{"gbtree":{"model":{"cats":{"enc":[],"feature_segments":[],"sorted_idx":[]},"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"5"},"iteration_indptr":[0,1,2,3,4,5],"tree_info":[0,0,0,0,0],"trees":[{"base_weights":[-1.09993605e-08,-0.19906555,0.73145014,-0.2051197,0.029639661,0.28807008,0.71408725],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[58.53382,17.263914,8.483078,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.71855676,-0.12922217,1.4619756,-0.2051197,0.029639661,0.28807008,0.71408725],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,315.0,85.0,173.0,142.0,71.0,14.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.0020615235,-0.07958887,0.576839,-0.21329543,-0.007638899,0.24674645,0.45084718],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[18.865164,7.848738,0.9087925,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.99361116,-1.0500168,1.7552041,-0.21329543,-0.007638899,0.24674645,0.45084718],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,351.0,49.0,54.0,297.0,41.0,8.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[-1.09993605e-08,-0.19906555,0.73145014,-0.2051197,0.029639661,0.28807008,0.71408725],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[58.53382,17.263914,8.483078,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.71855676,-0.12922217,1.4619756,-0.2051197,0.029639661,0.28807008,0.71408725],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,315.0,85.0,173.0,142.0,71.0,14.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[-1.09993605e-08,-0.19906555,0.73145014,-0.2051197,0.029639661,0.28807008,0.71408725],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":3,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[58.53382,17.263914,8.483078,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.71855676,-0.12922217,1.4619756,-0.2051197,0.029639661,0.28807008,0.71408725],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,315.0,85.0,173.0,142.0,71.0,14.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.00070683885,-0.25779238,0.3999037,-0.2794665,-0.08463166,0.11585946,0.4718254],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":4,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[41.48312,6.4103584,14.230436,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.11655994,-1.0500168,1.1385566,-0.2794665,-0.08463166,0.11585946,0.4718254],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,243.0,157.0,54.0,189.0,121.0,36.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}}]},"name":"gbtree"},"name":"dart","weight_drop":[0.58775514,0.58775514,0.34285715,0.24489798,0.2857143]},"learner_model_param":{"base_score":"[1.5798731E0]","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"reg:squarederror","reg_loss_param":{"scale_pos_weight":"1"}}},"version":[3,2,0]}"#,
        margins: &[
            1.3100824356079102,
            1.3100824356079102,
            1.1335396766662598,
            1.3100824356079102,
            1.586044430732727,
            1.586044430732727,
        ],
        outputs: &[
            1.3100824356079102,
            1.3100824356079102,
            1.1335396766662598,
            1.3100824356079102,
            1.586044430732727,
            1.586044430732727,
        ],
    },
    Case {
        name: "xgboost 3.2.0 reg:absoluteerror",
        model: r#"{"learner":{"attributes":{},"feature_names":[],"feature_types":[],"gradient_booster":{"model":{"cats":{"enc":[],"feature_segments":[],"sorted_idx":[]},"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"3"},"iteration_indptr":[0,1,2,3],"tree_info":[0,0,0],"trees":[{"base_weights":[-0.0,-0.5688889,0.72316384,-0.46464646,-0.14173229,0.24479167,0.49390244],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[165.38275,22.881897,10.457634,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.007047689,-0.6461773,0.7587252,-0.23218149,-0.09592131,0.10112172,0.37314653],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,224.0,176.0,98.0,126.0,95.0,81.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[-0.0049875313,-0.3872549,0.3888889,-0.3859649,-0.11824324,0.12654321,0.4864865],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,1,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[60.527607,11.648802,15.459127,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.11655994,-1.0316393,1.1385566,-0.17701955,-0.059544742,0.06991559,0.41017306],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,203.0,197.0,56.0,147.0,161.0,36.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[-0.0049875313,-0.2616279,0.18695652,-0.18978103,0.097222224,0.06511628,0.46875],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,1,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[19.80241,9.325082,9.669881,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.13127565,1.070232,1.4382396,-0.07231483,0.024917841,0.034471154,0.35347438],"split_indices":[1,2,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[400.0,171.0,229.0,136.0,35.0,214.0,15.0],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}}]},"name":"gbtree"},"learner_model_param":{"base_score":"[1.5390413E0]","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"reg:absoluteerror"}},"version":[3,2,0]}"#,
        margins: &[
            1.3112603425979614,
            1.1750000715255737,
            1.0575252771377563,
            1.4084930419921875,
            1.5475066900253296,
            1.5475066900253296,
        ],
        outputs: &[
            1.3112603425979614,
            1.1750000715255737,
            1.0575252771377563,
            1.4084930419921875,
            1.5475066900253296,
            1.5475066900253296,
        ],
    },
    Case {
        name: "xgboost 3.2.0 reg:pseudohubererror",
        model: r#"{"learner":{"attributes":{},"feature_names":[],"feature_types":[],"gradient_booster":{"model":{"cats":{"enc":[],"feature_segments":[],"sorted_idx":[]},"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"3"},"iteration_indptr":[0,1,2,3],"tree_info":[0,0,0],"trees":[{"base_weights":[-11.427427,-8.718964,-4.388641,-3.1144392,-0.59916276],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0],"id":0,"left_children":[1,-1,3,-1,-1],"loss_changes":[1268.1724,0.0,86.33176,0.0,0.0],"parents":[2147483647,0,0,2,2],"right_children":[2,-1,4,-1,-1],"split_conditions":[0.71855676,-8.718964,1.4619756,-3.1144392,-0.59916276],"split_indices":[1,0,1,0,0],"split_type":[0,0,0,0,0],"sum_hessian":[30.784653,15.8083315,14.976321,8.893779,6.0825424],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"5","size_leaf_vector":"1"}},{"base_weights":[11.337523,65.824394,1.6695727,1.37029,-0.1492268],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0],"id":1,"left_children":[1,-1,3,-1,-1],"loss_changes":[36900.785,0.0,65.21574,0.0,0.0],"parents":[2147483647,0,0,2,2],"right_children":[2,-1,4,-1,-1],"split_conditions":[0.71855676,65.824394,1.4619756,1.37029,-0.1492268],"split_indices":[1,0,1,0,0],"split_type":[0,0,0,0,0],"sum_hessian":[30.913473,1.3609029,29.55257,18.88353,10.669042],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"5","size_leaf_vector":"1"}},{"base_weights":[-4.401107,-78.69674,-0.098768495,-0.14887261,0.02043417],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0],"id":2,"left_children":[1,-1,3,-1,-1],"loss_changes":[48152.31,0.0,2.0175817,0.0,0.0],"parents":[2147483647,0,0,2,2],"right_children":[2,-1,4,-1,-1],"split_conditions":[0.73637795,-78.69674,0.99361116,-0.14887261,0.02043417],"split_indices":[1,0,1,0,0],"split_type":[0,0,0,0,0],"sum_hessian":[72.178406,1.0009542,71.17745,28.885096,42.29236],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"5","size_leaf_vector":"1"}}]},"name":"gbtree"},"learner_model_param":{"base_score":"[3.9935799E0]","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"reg:pseudohubererror","pseudo_huber_param":{"huber_slope":"1"}}},"version":[3,2,0]}"#,
        margins: &[
            -17.597728729248047,
            -17.597728729248047,
            -17.597728729248047,
            -17.597728729248047,
            -17.597728729248047,
            -17.597728729248047,
        ],
        outputs: &[
            -17.597728729248047,
            -17.597728729248047,
            -17.597728729248047,
            -17.597728729248047,
            -17.597728729248047,
            -17.597728729248047,
        ],
    },
    Case {
        name: "xgboost 3.2.0 reg:squaredlogerror",
        model: r#"{"learner":{"attributes":{},"feature_names":[],"feature_types":[],"gradient_booster":{"model":{"cats":{"enc":[],"feature_segments":[],"sorted_idx":[]},"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"3"},"iteration_indptr":[0,1,2,3],"tree_info":[0,0,0],"trees":[{"base_weights":[0.5125454,0.4010751,0.58667725,0.14005895,0.21573067,0.2682372,0.3235471],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,1,0,0,0,0],"id":0,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[2.0840225,0.30278587,0.1575737,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.054190185,-1.2173193,0.71855676,0.14005895,0.21573067,0.2682372,0.3235471],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[279.6708,114.26437,165.40642,24.99327,89.2711,95.73551,69.670906],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.46826854,0.3314896,0.5712512,0.108556494,0.1868973,0.2506664,0.3299434],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[0,0,1,0,0,0,0],"id":1,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[2.4159813,0.31478405,0.3145256,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[-0.054190185,-1.0500168,0.71855676,0.108556494,0.1868973,0.2506664,0.3299434],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[183.96185,80.8276,103.13426,23.47965,57.347946,61.375526,41.758736],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}},{"base_weights":[0.38603148,0.27732116,0.5525164,0.086767465,0.16376428,0.23772506,0.3386957],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0,0,0],"id":2,"left_children":[1,3,5,-1,-1,-1,-1],"loss_changes":[2.2440872,0.37118578,0.17179298,0.0,0.0,0.0,0.0],"parents":[2147483647,0,0,1,1,2,2],"right_children":[2,4,6,-1,-1,-1,-1],"split_conditions":[0.11655994,-0.788923,0.99361116,0.086767465,0.16376428,0.23772506,0.3386957],"split_indices":[1,1,1,0,0,0,0],"split_type":[0,0,0,0,0,0,0],"sum_hessian":[131.45818,81.14097,50.317204,27.907763,53.233204,34.08757,16.229631],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"7","size_leaf_vector":"1"}}]},"name":"gbtree"},"learner_model_param":{"base_score":"[4.8046297E-1]","boost_from_average":"1","num_class":"0","num_feature":"3","num_target":"1"},"objective":{"name":"reg:squaredlogerror"}},"version":[3,2,0]}"#,
        margins: &[
            1.0468552112579346,
            1.0468552112579346,
            0.8158458471298218,
            1.0468552112579346,
            1.163130760192871,
            1.163130760192871,
        ],
        outputs: &[
            1.0468552112579346,
            1.0468552112579346,
            0.8158458471298218,
            1.0468552112579346,
            1.163130760192871,
            1.163130760192871,
        ],
    },
    Case {
        name: "lightgbm 4.7.0 poisson",
        model: r#"tree
version=v4
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=poisson
feature_names=Column_0 Column_1 Column_2
feature_infos=[-3.082504765717661:2.5108113831037593] [-3.0767208648642153:2.8610671907227583] [-3.2555152368553593:2.6385388020004976]
tree_sizes=553 569 575

Tree=0
num_leaves=4
num_cat=0
split_feature=1 1 2
split_gain=24.6599 7.51338 4.55532
threshold=0.93044048524455003 -0.37812477359688573 1.0155669783364007
decision_type=10 8 8
left_child=1 -1 -2
right_child=2 -3 -4
leaf_value=0.42600068832004412 0.48682288357316061 0.44291260946409711 0.44831695071577249
leaf_weight=444.65675020217896 125.25542259216309 641.93404078483582 40.708012342453003
leaf_count=142 40 205 13
internal_value=0.441476 0.435992 0.477378
internal_weight=1252.55 1086.59 165.963
internal_count=400 347 53
is_linear=0
shrinkage=1


Tree=1
num_leaves=4
num_cat=0
split_feature=1 1 2
split_gain=21.5636 6.92444 3.75503
threshold=0.93044048524455003 -0.37812477359688573 1.0155669783364007
decision_type=10 8 8
left_child=1 -1 -2
right_child=2 -3 -4
leaf_value=-0.01494175667627424 0.041135301977314881 0.0013636890638905694 0.0064561851189017892
leaf_weight=437.82871770858765 131.06616973876953 642.85720705986023 40.987467288970947
leaf_count=142 40 205 13
internal_value=-7.34684e-06 -0.00524229 0.0328739
internal_weight=1252.74 1080.69 172.054
internal_count=400 347 53
is_linear=0
shrinkage=0.1


Tree=2
num_leaves=4
num_cat=0
split_feature=1 1 0
split_gain=18.9127 6.37705 3.35145
threshold=0.93044048524455003 -0.37812477359688573 -0.42138142578420684
decision_type=10 8 10
left_child=1 -1 -3
right_child=-2 2 -4
leaf_value=-0.014419132608278146 0.030196160732434026 -0.0074537429141787407 0.0072455994959916108
leaf_weight=431.33541393280029 177.82298731803894 260.63393998146057 383.1004900932312
leaf_count=142 53 83 122
internal_value=-1.34223e-05 -0.00501027 0.00129416
internal_weight=1252.89 1075.07 643.734
internal_count=400 347 205
is_linear=0
shrinkage=0.1


end of trees
"#,
        margins: &[
            0.39663979903549174,
            0.39663979903549174,
            0.39663979903549174,
            0.39663979903549174,
            0.4515218980239793,
            0.4515218980239793,
        ],
        outputs: &[
            1.4868202794874514,
            1.4868202794874514,
            1.4868202794874514,
            1.4868202794874514,
            1.5707008138696146,
            1.5707008138696146,
        ],
    },
    Case {
        name: "lightgbm 4.7.0 gamma",
        model: r#"tree
version=v4
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=gamma
feature_names=Column_0 Column_1 Column_2
feature_infos=[-3.082504765717661:2.5108113831037593] [-3.0767208648642153:2.8610671907227583] [-3.2555152368553593:2.6385388020004976]
tree_sizes=550 572 567

Tree=0
num_leaves=4
num_cat=0
split_feature=1 1 1
split_gain=23.5187 5.49997 4.38838
threshold=-0.13125773537839172 0.96613198517665777 -1.0488302523005932
decision_type=8 10 10
left_child=2 -2 -1
right_child=1 -3 -4
leaf_value=0.39035713261759009 0.46464717007474626 0.49570315297299539 0.4327786794957898
leaf_weight=32.936620876193047 192.02276861667633 81.114372134208679 93.926239103078842
leaf_count=55 178 50 117
internal_value=0.457345 0.47387 0.421765
internal_weight=400 273.137 126.863
internal_count=400 228 172
is_linear=0
shrinkage=1


Tree=1
num_leaves=4
num_cat=0
split_feature=1 1 1
split_gain=18.8278 4.37966 3.46771
threshold=-1.0000000180025095e-35 0.96613198517665777 -1.2122803533708713
decision_type=8 10 10
left_child=2 -2 -1
right_child=1 -3 -4
leaf_value=-0.060176812612607468 0.007577586251637714 0.035948229118120532 -0.02128887970224282
leaf_weight=28.718264162540436 179.61011070013046 78.061854004859924 113.77794927358627
leaf_count=46 166 50 138
internal_value=4.20269e-05 0.0161725 -0.0291262
internal_weight=400.168 257.672 142.496
internal_count=400 216 184
is_linear=0
shrinkage=0.1


Tree=2
num_leaves=4
num_cat=0
split_feature=1 1 1
split_gain=15.4392 3.51006 2.57937
threshold=0.043969401921609981 -1.0488302523005932 1.0141643427228446
decision_type=10 8 10
left_child=1 -1 -2
right_child=2 -3 -4
leaf_value=-0.048089777174901011 0.01083242468731139 -0.013834557538419471 0.034239374709676744
leaf_weight=37.139633312821388 137.94251972436905 153.73187553882599 71.471339821815491
leaf_count=55 123 175 47
internal_value=7.12911e-05 -0.0204999 0.018821
internal_weight=400.285 190.872 209.414
internal_count=400 230 170
is_linear=0
shrinkage=0.1


end of trees
"#,
        margins: &[
            0.39765524225512755,
            0.39765524225512755,
            0.2820905428300816,
            0.39765524225512755,
            0.45839019878796455,
            0.45839019878796455,
        ],
        outputs: &[
            1.4883308278673322,
            1.4883308278673322,
            1.3258987651786953,
            1.4883308278673322,
            1.5815259922046763,
            1.5815259922046763,
        ],
    },
    Case {
        name: "lightgbm 4.7.0 tweedie",
        model: r#"tree
version=v4
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=tweedie
feature_names=Column_0 Column_1 Column_2
feature_infos=[-3.082504765717661:2.5108113831037593] [-3.0767208648642153:2.8610671907227583] [-3.2555152368553593:2.6385388020004976]
tree_sizes=552 572 570

Tree=0
num_leaves=4
num_cat=0
split_feature=1 1 1
split_gain=28.0704 6.62849 5.2316
threshold=0.043969401921609981 0.96613198517665777 -1.0488302523005932
decision_type=10 10 8
left_child=2 -2 -1
right_child=1 -3 -4
leaf_value=0.40716432754866805 0.46993150943682466 0.50480593168234189 0.44184728637131421
leaf_weight=55.265089273452759 160.96172773838043 82.400795221328735 204.144396007061
leaf_count=55 120 50 175
internal_value=0.457345 0.48174 0.434458
internal_weight=502.772 243.363 259.409
internal_count=400 170 230
is_linear=0
shrinkage=1


Tree=1
num_leaves=4
num_cat=0
split_feature=1 1 1
split_gain=23.1276 7.24405 2.80647
threshold=-1.0000000180025095e-35 0.96613198517665777 -1.0488302523005932
decision_type=8 10 10
left_child=2 -2 -1
right_child=1 -3 -4
leaf_value=-0.045449267002688455 0.008083977472842287 0.042958040951079614 -0.01895701217055128
leaf_weight=54.934547901153564 217.96653413772583 81.959916949272156 146.96257984638214
leaf_count=55 166 50 129
internal_value=3.34122e-07 0.0176139 -0.0261653
internal_weight=501.824 299.926 201.897
internal_count=400 216 184
is_linear=0
shrinkage=0.1


Tree=2
num_leaves=4
num_cat=0
split_feature=1 1 1
split_gain=18.9588 4.10389 3.77672
threshold=0.11237013324433497 1.1549750322711789 -0.64825160393277448
decision_type=10 10 8
left_child=2 -2 -1
right_child=1 -3 -4
leaf_value=-0.033069820655407402 0.013395034962177949 0.044043688968837286 -0.0087342795855281982
leaf_weight=101.07945847511292 168.14626348018646 59.025614976882935 172.78420746326447
leaf_count=97 123 35 145
internal_value=4.10681e-07 0.0213584 -0.0177162
internal_weight=501.036 227.172 273.864
internal_count=400 158 242
is_linear=0
shrinkage=0.1


end of trees
"#,
        margins: &[
            0.4141559946152347,
            0.3898204535453555,
            0.32864523989057215,
            0.4141559946152347,
            0.4411969842586283,
            0.4411969842586283,
        ],
        outputs: &[
            1.51309314285794,
            1.476715631022761,
            1.389084976227641,
            1.51309314285794,
            1.554566897391284,
            1.554566897391284,
        ],
    },
    Case {
        name: "lightgbm 4.7.0 regression_l1",
        model: r#"tree
version=v4
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=regression_l1
feature_names=Column_0 Column_1 Column_2
feature_infos=[-3.082504765717661:2.5108113831037593] [-3.0767208648642153:2.8610671907227583] [-3.2555152368553593:2.6385388020004976]
tree_sizes=474 488 490

Tree=0
num_leaves=4
num_cat=0
split_feature=1 1 1
split_gain=166.234 23.0078 10.9091
threshold=1.0000000180025095e-35 -0.64825160393277448 0.76702710553248965
decision_type=10 8 10
left_child=1 -1 -2
right_child=2 -3 -4
leaf_value=1.4921857714653015 1.559304690361023 1.5202739119529725 1.6137219429016114
leaf_weight=97 96 127 80
leaf_count=97 96 127 80
internal_value=1.53904 1.4819 1.61177
internal_weight=400 224 176
internal_count=400 224 176
is_linear=0
shrinkage=1


Tree=1
num_leaves=4
num_cat=0
split_feature=1 1 1
split_gain=145.52 18.894 13.603
threshold=1.0000000180025095e-35 -0.77782892466385889 0.76702710553248965
decision_type=10 8 10
left_child=1 -1 -2
right_child=2 -3 -4
leaf_value=-0.045713675022125248 0.018237068653106682 -0.018890683650970463 0.06721259593963623
leaf_weight=82 96 142 80
leaf_count=82 96 142 80
internal_value=-0.001 -0.0544643 0.0670455
internal_weight=400 224 176
internal_count=400 224 176
is_linear=0
shrinkage=0.1


Tree=2
num_leaves=4
num_cat=0
split_feature=1 1 0
split_gain=129.276 18.8635 6.49035
threshold=-0.13125773537839172 0.76702710553248965 0.46332050884980031
decision_type=8 10 10
left_child=-1 2 -2
right_child=1 -3 -4
leaf_value=-0.031952713489532471 0.0083974910974502614 0.060491336345672608 0.024669761776924138
leaf_weight=172 112 80 36
leaf_count=172 112 80 36
internal_value=0.0015 0.0508772 0.0297297
internal_weight=400 228 148
internal_count=400 228 148
is_linear=0
shrinkage=0.1


end of trees
"#,
        margins: &[
            1.4694305148124693,
            1.4145193829536438,
            1.4145193829536438,
            1.4694305148124693,
            1.526052990078926,
            1.5097807193994521,
        ],
        outputs: &[
            1.4694305148124693,
            1.4145193829536438,
            1.4145193829536438,
            1.4694305148124693,
            1.526052990078926,
            1.5097807193994521,
        ],
    },
    Case {
        name: "lightgbm 4.7.0 huber",
        model: r#"tree
version=v4
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=huber
feature_names=Column_0 Column_1 Column_2
feature_infos=[-3.082504765717661:2.5108113831037593] [-3.0767208648642153:2.8610671907227583] [-3.2555152368553593:2.6385388020004976]
tree_sizes=471 496 496

Tree=0
num_leaves=4
num_cat=0
split_feature=1 1 1
split_gain=46.3226 10.114 6.12776
threshold=0.043969401921609981 0.96613198517665777 -1.0488302523005932
decision_type=10 10 8
left_child=2 -2 -1
right_child=1 -3 -4
leaf_value=1.5188840120014819 1.6010945042812574 1.654626053765416 1.5571501377544232
leaf_weight=55 120 50 175
leaf_count=55 120 50 175
internal_value=1.57726 1.61684 1.548
internal_weight=400 170 230
internal_count=400 170 230
is_linear=0
shrinkage=1


Tree=1
num_leaves=4
num_cat=0
split_feature=1 1 1
split_gain=39.3168 8.51137 6.21876
threshold=0.11237013324433497 0.96613198517665777 -0.64825160393277448
decision_type=10 10 8
left_child=2 -2 -1
right_child=1 -3 -4
leaf_value=-0.046978003726600069 0.020962274923955124 0.070865824878215786 -0.014267300685931898
leaf_weight=97 108 50 145
leaf_count=97 108 50 145
internal_value=-0.00204602 0.0367545 -0.0273786
internal_weight=400 158 242
internal_count=400 158 242
is_linear=0
shrinkage=0.1


Tree=2
num_leaves=4
num_cat=0
split_feature=1 1 1
split_gain=33.1736 7.68618 5.77637
threshold=0.141386663040342 0.96613198517665777 -0.13125773537839172
decision_type=10 10 8
left_child=2 -2 -1
right_child=1 -3 -4
leaf_value=-0.034429162832147572 0.019319653265133855 0.066956320300698285 -0.00085657219568344026
leaf_weight=172 105 50 73
leaf_count=172 105 50 73
internal_value=-0.00151992 0.0346863 -0.0244259
internal_weight=400 155 245
internal_count=400 155 245
is_linear=0
shrinkage=0.1


end of trees
"#,
        margins: &[
            1.5084536742363437,
            1.4757429711956755,
            1.4374768454427342,
            1.5084536742363437,
            1.5420262648728078,
            1.5420262648728078,
        ],
        outputs: &[
            1.5084536742363437,
            1.4757429711956755,
            1.4374768454427342,
            1.5084536742363437,
            1.5420262648728078,
            1.5420262648728078,
        ],
    },
    Case {
        name: "lightgbm 4.7.0 cross_entropy",
        model: r#"tree
version=v4
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=cross_entropy
feature_names=Column_0 Column_1 Column_2
feature_infos=[-3.082504765717661:2.5108113831037593] [-3.0767208648642153:2.8610671907227583] [-3.2555152368553593:2.6385388020004976]
tree_sizes=562 568 566

Tree=0
num_leaves=4
num_cat=0
split_feature=0 0 0
split_gain=104.607 24.003 6.03913
threshold=-0.14655051811887224 0.19297885172221352 -0.42138142578420684
decision_type=8 10 10
left_child=2 -2 -1
right_child=1 -3 -4
leaf_value=-0.026064727699746798 0.13540644116913347 0.26090827900856239 0.068965887587473004
leaf_weight=26.377463757991791 24.884399771690369 39.317351639270782 8.9583839178085309
leaf_count=106 100 158 36
internal_value=0.13621 0.212264 -0.00197246
internal_weight=99.5376 64.2018 35.3358
internal_count=400 258 142
is_linear=0
shrinkage=1


Tree=1
num_leaves=4
num_cat=0
split_feature=0 0 0
split_gain=84.7285 19.8543 5.0329
threshold=-0.14655051811887224 0.19297885172221352 -0.68565340414519838
decision_type=8 10 10
left_child=2 -2 -1
right_child=1 -3 -4
leaf_value=-0.15742040221249481 -0.00072330201380218194 0.11369077422714254 -0.081613860099751495
leaf_weight=19.74664618074894 24.885755777359009 38.835331648588181 15.73816032707691
leaf_count=79 100 158 63
internal_value=4.27596e-05 0.0690073 -0.123799
internal_weight=99.2059 63.7211 35.4848
internal_count=400 258 142
is_linear=0
shrinkage=0.1


Tree=2
num_leaves=4
num_cat=0
split_feature=0 0 0
split_gain=69.1783 17.0632 4.34247
threshold=-0.14655051811887224 0.31798148625168893 -0.56858787469189986
decision_type=8 10 10
left_child=2 -2 -1
right_child=1 -3 -4
leaf_value=-0.1371252822385586 0.010630639851082955 0.11468950510093937 -0.063076229887660124
leaf_weight=23.323849648237228 31.405602738261223 31.627439245581627 11.990960776805876
leaf_count=94 127 131 48
internal_value=6.67319e-05 0.0628432 -0.111982
internal_weight=98.3479 63.033 35.3148
internal_count=400 258 142
is_linear=0
shrinkage=0.1


end of trees
"#,
        margins: &[
            0.4892885583366443,
            0.14531377900641423,
            0.14531377900641423,
            0.4892885583366443,
            0.4892885583366443,
            0.14531377900641423,
        ],
        outputs: &[
            0.6199388205530162,
            0.5362646532120635,
            0.5362646532120635,
            0.6199388205530162,
            0.6199388205530162,
            0.5362646532120635,
        ],
    },
    Case {
        name: "lightgbm 4.7.0 binary sigmoid:2",
        model: r#"tree
version=v4
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=binary sigmoid:2
feature_names=Column_0 Column_1 Column_2
feature_infos=[-3.082504765717661:2.5108113831037593] [-3.0767208648642153:2.8610671907227583] [-3.2555152368553593:2.6385388020004976]
tree_sizes=564 570 571

Tree=0
num_leaves=4
num_cat=0
split_feature=0 0 0
split_gain=163.877 37.6029 9.46086
threshold=-0.14655051811887224 0.19297885172221352 -0.42138142578420684
decision_type=8 10 10
left_child=2 -2 -1
right_child=1 -3 -4
leaf_value=-0.016481923451254238 0.084701960970535103 0.1633461148688618 0.043067820698809621
leaf_weight=105.23415243625641 99.277502298355103 156.85845363140106 35.739900827407837
leaf_count=106 100 158 36
internal_value=0.0852056 0.132864 -0.00138481
internal_weight=397.11 256.136 140.974
internal_count=400 258 142
is_linear=0
shrinkage=1


Tree=1
num_leaves=4
num_cat=0
split_feature=0 0 0
split_gain=132.734 31.4739 7.85509
threshold=-0.14655051811887224 0.19297885172221352 -0.68565340414519838
decision_type=8 10 10
left_child=2 -2 -1
right_child=1 -3 -4
leaf_value=-0.0983786768693026 -0.00045323169136066242 0.071766395660777235 -0.051019492143075197
leaf_weight=78.978542149066925 99.285978078842163 153.85812151432037 62.92597371339798
leaf_count=79 100 158 63
internal_value=4.19887e-05 0.043441 -0.0773778
internal_weight=395.049 253.144 141.905
internal_count=400 258 142
is_linear=0
shrinkage=0.1


Tree=2
num_leaves=4
num_cat=0
split_feature=0 0 0
split_gain=108.866 27.4998 6.87735
threshold=-0.14655051811887224 0.31798148625168893 -0.56858787469189986
decision_type=8 10 10
left_child=2 -2 -1
right_child=1 -3 -4
leaf_value=-0.086066553563074522 0.0066969275260574017 0.073179696296723343 -0.039431979130929898
leaf_weight=92.898714423179626 124.85438352823257 124.0173299908638 47.943211555480957
leaf_count=94 127 131 48
internal_value=6.60059e-05 0.0398265 -0.0701919
internal_weight=389.714 248.872 140.842
internal_count=400 258 142
is_linear=0
shrinkage=0.1


end of trees
"#,
        margins: &[
            0.3082922068263624,
            0.09094565680523184,
            0.09094565680523184,
            0.3082922068263624,
            0.3082922068263624,
            0.09094565680523184,
        ],
        outputs: &[
            0.6494413287606418,
            0.5453478715063456,
            0.5453478715063456,
            0.6494413287606418,
            0.6494413287606418,
            0.5453478715063456,
        ],
    },
    Case {
        name: "lightgbm 4.7.0 single-leaf trees",
        model: r#"tree
version=v4
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=regression
feature_names=Column_0 Column_1 Column_2
feature_infos=none none none
tree_sizes=241

Tree=0
num_leaves=1
num_cat=0
split_feature=
split_gain=
threshold=
decision_type=
left_child=
right_child=
leaf_value=1.5798730739206075
leaf_weight=
leaf_count=400
internal_value=
internal_weight=
internal_count=
is_linear=0
shrinkage=1


end of trees
"#,
        margins: &[
            1.5798730739206075,
            1.5798730739206075,
            1.5798730739206075,
            1.5798730739206075,
            1.5798730739206075,
            1.5798730739206075,
        ],
        outputs: &[
            1.5798730739206075,
            1.5798730739206075,
            1.5798730739206075,
            1.5798730739206075,
            1.5798730739206075,
            1.5798730739206075,
        ],
    },
];
