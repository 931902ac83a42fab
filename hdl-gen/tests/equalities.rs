//! Property tests on random ensembles: float vs integer agreement rules, integer predictor == IR eval, passes keep eval.

use hdl_gen::compile::port_codes;
use hdl_gen::ir::Ir;
use hdl_gen::lower::lower;
use hdl_gen::model::Task;
use hdl_gen::passes::{PassOptions, PIPELINE};
use hdl_gen::quant::{
    self, input_formats, missing_flags, quantize_with, FastPredictor, QuantModel, Widths,
};
use hdl_gen::testing::random_model;
use hdl_gen::vlog::Item;
use proptest::prelude::*;

/// Checks `eval_outputs` and `eval_outputs_batch` (the one test vectors use) row by row.
fn check_eval(qm: &QuantModel, ir: &Ir, rows: &[Vec<f64>]) -> Result<(), TestCaseError> {
    let codes: Vec<Vec<i64>> = rows
        .iter()
        .map(|row| port_codes(ir, &qm.encode_row(row).expect("calibration rows encode")))
        .collect();
    let batch = ir.eval_outputs_batch(&codes);
    prop_assert_eq!(batch.len(), rows.len());
    for (r, row) in rows.iter().enumerate() {
        let e = qm.encode_row(row).expect("calibration rows encode");
        let q = qm.predict_codes(&e);
        let out = ir.eval_outputs(&port_codes(ir, &e));
        prop_assert_eq!(&batch[r], &out, "batch eval, row {:?}", row);
        let mut want = Vec::new();
        if qm.task == Task::Classification {
            want.push(q.class as i64);
        }
        want.extend(&q.scores);
        if qm.evidence {
            want.extend(hdl_gen::explain::evidence(qm, &e));
        }
        prop_assert_eq!(out, want, "row {:?}", row);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Equality 2: the integer predictor (and, with evidence, `explain::evidence`)
    /// equals eval() of the lowered IR, and of the IR after each pass; verify() holds
    /// throughout.
    #[test]
    fn integer_predictor_equals_eval(seed in any::<u64>(), input_bits in 2u32..14, leaf_bits in 2u32..18, missing in any::<bool>(), ranked in any::<bool>(), evidence in any::<bool>()) {
        let (model, rows) = random_model(seed, false, missing);
        let mut qm = if ranked {
            quant::quantize_ranked(&model, &missing_flags(&model, &rows), leaf_bits)
        } else {
            quant::quantize(&model, &rows, Widths { input_bits, leaf_bits }).unwrap()
        };
        qm.evidence = evidence;
        let mut ir = lower(&qm);
        ir.verify().map_err(|e| TestCaseError::fail(format!("lowered: {e}")))?;
        check_eval(&qm, &ir, &rows)?;
        for budget in [0.5, 1.0, 3.0, 8.0, 100.0] {
            let opts = PassOptions { stage_budget: budget };
            let mut cur = ir.clone();
            for p in PIPELINE {
                cur = (p.run)(&cur, &opts);
                cur.verify().map_err(|e| TestCaseError::fail(format!("after {}: {e}", p.name)))?;
                check_eval(&qm, &cur, &rows)?;
            }
            // Every name the printer declares is declared once (Verilator 5.006 takes
            // a second `wire` of the same name silently).
            let module = hdl_gen::emit::emit(&cur, "t", vec![]);
            let mut names = std::collections::HashSet::new();
            for item in &module.items {
                if let Item::Wire { name, .. } | Item::Reg { name, .. } = item {
                    prop_assert!(names.insert(name.clone()), "{} declared twice (budget {})", name, budget);
                }
            }
        }
        ir = hdl_gen::compile::build_ir(&qm, &PassOptions::default()).unwrap();
        prop_assert!(ir.latency() >= 1);
    }

    /// The compiled predictor (`locus predict`, benchmarks), one row and many at a time,
    /// is the integer predictor:
    /// the same scores, class and refusals on the calibration rows and on rows with
    /// NaN, zero, infinite, huge and tiny values (one or two per row, or none given).
    #[test]
    fn fast_predictor_equals_integer_predictor(seed in any::<u64>(), input_bits in 2u32..14, leaf_bits in 2u32..18, missing in any::<bool>(), ranked in any::<bool>()) {
        let (model, rows) = random_model(seed, false, missing);
        let qm = if ranked {
            quant::quantize_ranked(&model, &missing_flags(&model, &rows), leaf_bits)
        } else {
            quant::quantize(&model, &rows, Widths { input_bits, leaf_bits }).unwrap()
        };
        let fast = FastPredictor::new(&qm);
        let specials = [f64::NAN, 0.0, -0.0, 1e-40, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300];
        let mut tried: Vec<Vec<f64>> = rows.clone();
        for (r, row) in rows.iter().enumerate() {
            let mut odd = row.clone();
            let f = r % row.len().max(1);
            if let Some(v) = odd.get_mut(f) {
                *v = specials[r % specials.len()];
            }
            tried.push(odd);
            // Two odd values: a refusal is reported for the first feature refused.
            if r < 8 && row.len() > 1 {
                let mut two = row.clone();
                two[0] = specials[(r + 1) % specials.len()];
                two[row.len() - 1] = specials[(r + 3) % specials.len()];
                tried.push(two);
            }
        }
        tried.push(Vec::new());
        let want: Vec<_> = tried.iter().map(|row| qm.encode_row(row).map(|e| qm.predict_codes(&e))).collect();
        // One row at a time: the same prediction, or the same refusal.
        for (row, want) in tried.iter().zip(&want) {
            let got = fast.predict_many(&qm, std::slice::from_ref(row));
            match want {
                Ok(w) => {
                    let got = got.map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                    prop_assert_eq!(got.row(0), &w.scores[..], "row {:?}", row);
                    prop_assert_eq!(got.classes[0], w.class, "row {:?}", row);
                }
                Err(e) => prop_assert_eq!(got.err(), Some((0, *e)), "row {:?}", row),
            }
        }
        // In blocks: the rows that encode give the same predictions; all rows stop at
        // the first refused one.
        let ok: Vec<&Vec<f64>> = tried.iter().zip(&want).filter(|(_, w)| w.is_ok()).map(|(r, _)| r).collect();
        let many = fast.predict_many(&qm, &ok).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let oks: Vec<&quant::QPrediction> = want.iter().filter_map(|w| w.as_ref().ok()).collect();
        prop_assert_eq!(many.classes.len(), oks.len());
        for (r, w) in oks.iter().enumerate() {
            prop_assert_eq!(many.row(r), &w.scores[..], "predict_many, row {:?}", ok[r]);
            prop_assert_eq!(many.classes[r], w.class);
        }
        let first_refused = want.iter().position(|w| w.is_err()).map(|r| (r, want[r].clone().unwrap_err()));
        prop_assert_eq!(fast.predict_many(&qm, &tried).err(), first_refused);
    }

    /// Agreement rule: on grid inputs, with leaves exact in the leaf format, the integer
    /// predictor makes exactly the float predictor's decisions and its scores are the
    /// float margins scaled by 2^frac_bits.
    #[test]
    fn float_equals_integer_on_the_grid(seed in any::<u64>(), input_bits in 2u32..16, missing in any::<bool>()) {
        let (model, rows) = random_model(seed, true, missing);
        let widths = Widths { input_bits, leaf_bits: 12 };
        let fmts = input_formats(&model, &rows, input_bits);
        let qm = quantize_with(&model, &fmts, &missing_flags(&model, &rows), widths);
        prop_assert!(qm.leaf_fmt.frac_bits >= 2);
        for row in &rows {
            // Snap the row onto the grid of its formats.
            let snapped: Vec<f64> = row
                .iter()
                .zip(&fmts)
                .map(|(&x, f)| if x.is_nan() { x } else { f.to_real(f.quantize_input(x, model.precision, model.split_op)) })
                .collect();
            let e = qm.encode_row(&snapped).unwrap();
            let q = qm.predict_codes(&e);
            let fp = model.predict_row(&snapped);
            prop_assert_eq!(q.class, fp.class);
            for (s, m) in q.scores.iter().zip(&fp.margins) {
                prop_assert_eq!(qm.leaf_fmt.to_real(*s), *m);
            }
        }
    }
}

/// Lowering shares one comparator per unique (feature, k) across the ensemble.
#[test]
fn comparators_are_shared() {
    for seed in 1..50u64 {
        let (model, rows) = random_model(seed, false, seed % 2 == 0);
        let qm = quant::quantize(
            &model,
            &rows,
            Widths {
                input_bits: 8,
                leaf_bits: 8,
            },
        )
        .unwrap();
        let ir = lower(&qm);
        let mut seen = std::collections::BTreeSet::new();
        for n in &ir.nodes {
            if let hdl_gen::ir::Origin::Comparator { feature, k } = n.origin {
                assert!(
                    seen.insert((feature, k)),
                    "comparator ({feature}, {k}) built twice"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Rank encoding is exact: with leaves exact in the leaf format, the integer
    /// predictor makes the float predictor's decisions on every row, on the grid or not.
    #[test]
    fn rank_encoding_equals_float(seed in any::<u64>(), missing in any::<bool>()) {
        let (model, rows) = random_model(seed, true, missing);
        let qm = quant::quantize_ranked(&model, &missing_flags(&model, &rows), 12);
        for row in &rows {
            let e = qm.encode_row(row).unwrap();
            let q = qm.predict_codes(&e);
            let fp = model.predict_row(row);
            prop_assert_eq!(q.class, fp.class);
            for (s, m) in q.scores.iter().zip(&fp.margins) {
                prop_assert_eq!(qm.leaf_fmt.to_real(*s), *m);
            }
        }
    }
}
