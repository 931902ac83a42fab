//! Fixed-point formats and conversions: the only definition of how reals become integer codes.
//!
//! A [`QFmt`] is chosen at run time per signal: `signed`, `int_bits` and `frac_bits`
//! (either may be negative, so a format can be coarser than 1 or finer than its
//! range). A code `c` stands for the real `c · 2^-frac_bits`; the width in bits is
//! `signed + int_bits + frac_bits`.
//!
//! Input values are rounded onto the grid in the direction the source's split
//! operator needs, then saturated: **ceiling** for `x < t` (XGBoost), **floor** for
//! `x ≤ t` (LightGBM, scikit-learn). Splits then convert to `c < k` with
//! `k = ⌈t·2^f⌉` for `<` and `k = ⌊t·2^f⌋ + 1` for `≤`, and:
//! - on the grid every split is exact (`c/2^f < t` ⇔ `c < ⌈t·2^f⌉`, and
//!   `c/2^f ≤ t` ⇔ `c ≤ ⌊t·2^f⌋`);
//! - a value exactly equal to a threshold, off the grid or not, goes the source's
//!   way (common: tree learners put thresholds at data values or midpoints);
//! - any other error is one-sided and confined to the grid cell holding `t`.

use crate::model::{Precision, SplitOp};
use serde::{Deserialize, Serialize};

/// Widest code any signal may have; values are held in `i64` with headroom.
pub const MAX_WIDTH: u32 = 62;

pub mod kernel;

/// A fixed-point format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QFmt {
    pub signed: bool,
    pub int_bits: i32,
    pub frac_bits: i32,
}

impl QFmt {
    /// Total width in bits.
    pub fn width(&self) -> u32 {
        (i32::from(self.signed) + self.int_bits + self.frac_bits).max(1) as u32
    }

    /// Smallest code.
    pub fn min_code(&self) -> i64 {
        if self.signed {
            -(1i64 << (self.width() - 1))
        } else {
            0
        }
    }

    /// Largest code.
    pub fn max_code(&self) -> i64 {
        if self.signed {
            (1i64 << (self.width() - 1)) - 1
        } else {
            (1i64 << self.width()) - 1
        }
    }

    /// `2^frac_bits`, exactly.
    pub fn scale(&self) -> f64 {
        pow2(self.frac_bits)
    }

    /// The narrowest format of `width` bits whose range holds `[lo, hi]`, with as many
    /// fraction bits as the width leaves. Signed iff `lo < 0`.
    pub fn for_range(lo: f64, hi: f64, width: u32) -> QFmt {
        let signed = lo < 0.0;
        let mag = lo.abs().max(hi.abs());
        // Integer bits: the smallest i with mag < 2^i (or, signed, lo >= -2^i too).
        let mut int_bits = 0;
        if mag > 0.0 && mag.is_finite() {
            int_bits = mag.log2().floor() as i32 + 1;
            // Guard against log2 rounding: hi must fit, and must not fit one lower.
            while hi >= pow2(int_bits) || (signed && lo < -pow2(int_bits)) {
                int_bits += 1;
            }
            while int_bits > -60 && hi < pow2(int_bits - 1) && lo >= -pow2(int_bits - 1) {
                int_bits -= 1;
            }
        }
        let frac_bits = width as i32 - int_bits - i32::from(signed);
        QFmt {
            signed,
            int_bits,
            frac_bits,
        }
    }

    /// Quantises a finite input value for splits `op`: ceiling (`<`) or floor (`≤`)
    /// onto the grid, saturated to the range. When the source compares in float32,
    /// `x` is rounded to float32 first, as the library does before comparing.
    pub fn quantize_input(&self, x: f64, precision: Precision, op: SplitOp) -> i64 {
        let x = match precision {
            Precision::F32 => x as f32 as f64,
            Precision::F64 => x,
        };
        let xs = x * self.scale();
        self.saturate(match op {
            SplitOp::Lt => xs.ceil(),
            SplitOp::Le => xs.floor(),
        })
    }

    /// Rounds a real (leaf value, bias) to the nearest code, ties away from zero,
    /// without saturation (callers size the format to hold it).
    pub fn round_value(&self, v: f64) -> i64 {
        let r = (v * self.scale()).round();
        r.clamp(i64::MIN as f64, i64::MAX as f64) as i64
    }

    /// The real value of a code.
    pub fn to_real(&self, code: i64) -> f64 {
        code as f64 / self.scale()
    }

    fn saturate(&self, v: f64) -> i64 {
        if v.is_nan() {
            return 0;
        }
        v.clamp(self.min_code() as f64, self.max_code() as f64) as i64
    }
}

/// `2^e` for any exponent in range, exactly.
pub fn pow2(e: i32) -> f64 {
    2f64.powi(e)
}

/// How a converted split reads: go left iff `code < k`. `k <= min_code` means never
/// left, `k > max_code` means always left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SplitCode {
    /// The comparison depends on the input: left iff `code < k`.
    Less(i64),
    /// Every code goes the same way.
    Always(bool),
}

/// Converts the source split `x OP t` (in the source precision) into an integer
/// comparison on codes of format `fmt` quantised by [`QFmt::quantize_input`] with the
/// same `op` (see the module doc for what is exact). Infinite thresholds are allowed (`x < +inf` is always true).
pub fn convert_split(fmt: &QFmt, t: f64, op: SplitOp, precision: Precision) -> SplitCode {
    let t = match precision {
        Precision::F32 => t as f32 as f64,
        Precision::F64 => t,
    };
    let ts = t * fmt.scale();
    let k = match op {
        SplitOp::Lt => ts.ceil(),
        SplitOp::Le => ts.floor() + 1.0,
    };
    if k.is_nan() {
        return SplitCode::Always(false);
    }
    if k <= fmt.min_code() as f64 {
        SplitCode::Always(false)
    } else if k > fmt.max_code() as f64 {
        SplitCode::Always(true)
    } else {
        SplitCode::Less(k as i64)
    }
}

/// Index of a clamped lookup: `min(code >> shift, len - 1)` for an unsigned `code`
/// (the semantics of the IR's `Lut`, shared by the references and the emitter).
pub fn lut_index(code: i64, shift: u32, len: usize) -> usize {
    let q = if shift >= 63 {
        0
    } else {
        (code.max(0) as u64) >> shift
    };
    usize::try_from(q)
        .unwrap_or(usize::MAX)
        .min(len.saturating_sub(1))
}

/// Exact input binning ("rank" encoding): a feature's code is the number of its
/// sorted, distinct thresholds `bins` that the value has passed — `b ≤ x` for `<`
/// splits, `b < x` for `≤` splits, compared in the source precision. Then the split
/// on `bins[j]` reads exactly `code < j + 1` for every real value, on the grid or not.
pub fn rank(x: f64, bins: &[f64], op: SplitOp, precision: Precision) -> i64 {
    let x = match precision {
        Precision::F32 => x as f32 as f64,
        Precision::F64 => x,
    };
    let passed = match op {
        SplitOp::Lt => bins.partition_point(|&b| b <= x),
        SplitOp::Le => bins.partition_point(|&b| b < x),
    };
    passed as i64
}

/// A threshold in the source precision, with `-0.0` as `0.0` (they compare equal, and
/// the bins are searched by total order).
fn in_precision(t: f64, precision: Precision) -> f64 {
    let t = match precision {
        Precision::F32 => t as f32 as f64,
        Precision::F64 => t,
    };
    t + 0.0
}

/// The sorted, distinct thresholds of one feature in the source precision. Infinite
/// thresholds are bins too (`1e300` is `+inf` in float32): `x < +inf` is false for an
/// infinite `x`, so only a bin keeps `+inf` apart from the largest finite values.
pub fn rank_bins(thresholds: impl IntoIterator<Item = f64>, precision: Precision) -> Vec<f64> {
    let mut v: Vec<f64> = thresholds
        .into_iter()
        .map(|t| in_precision(t, precision))
        .filter(|t| !t.is_nan())
        .collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}

/// The rank comparison for the split `x OP t`: left iff `code < k` (a NaN threshold
/// never goes left).
pub fn rank_split(t: f64, bins: &[f64], precision: Precision) -> SplitCode {
    let t = in_precision(t, precision);
    if t.is_nan() {
        return SplitCode::Always(false);
    }
    match bins.binary_search_by(|b| b.total_cmp(&t)) {
        Ok(j) => SplitCode::Less(j as i64 + 1),
        // Not a bin (callers build bins from every threshold): compare conservatively.
        Err(j) => SplitCode::Less(j as i64),
    }
}

/// Width and signedness of the narrowest two's-complement (or unsigned) type holding `[lo, hi]`.
pub fn int_type(lo: i64, hi: i64) -> (u32, bool) {
    debug_assert!(lo <= hi);
    if lo >= 0 {
        (bits_unsigned(hi as u64).max(1), false)
    } else {
        // Signed: need -2^(w-1) <= lo and hi <= 2^(w-1) - 1.
        let need =
            bits_unsigned(!(lo as u64)).max(if hi >= 0 { bits_unsigned(hi as u64) } else { 0 });
        (need + 1, true)
    }
}

fn bits_unsigned(v: u64) -> u32 {
    64 - v.leading_zeros()
}

/// Sign-extends (or zero-extends) the low `width` bits of `v`: the value a Verilog
/// signal of that type holds.
pub fn wrap(v: i64, width: u32, signed: bool) -> i64 {
    if width >= 64 {
        return v;
    }
    let mask = (1i64 << width) - 1;
    let low = v & mask;
    if signed && (low >> (width - 1)) & 1 == 1 {
        low - (1i64 << width)
    } else {
        low
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn int_types() {
        assert_eq!(int_type(0, 0), (1, false));
        assert_eq!(int_type(0, 1), (1, false));
        assert_eq!(int_type(0, 255), (8, false));
        assert_eq!(int_type(0, 256), (9, false));
        assert_eq!(int_type(-1, 0), (1, true));
        assert_eq!(int_type(-128, 127), (8, true));
        assert_eq!(int_type(-129, 0), (9, true));
        assert_eq!(int_type(-1, 128), (9, true));
        assert_eq!(int_type(-5, -3), (4, true));
    }

    #[test]
    fn range_formats() {
        let f = QFmt::for_range(0.0, 16.0, 8);
        assert_eq!((f.signed, f.int_bits, f.frac_bits), (false, 5, 3));
        let f = QFmt::for_range(0.0, 15.9, 8);
        assert_eq!(f.int_bits, 4);
        let f = QFmt::for_range(-3.0, 1.0, 8);
        assert_eq!((f.signed, f.int_bits, f.frac_bits), (true, 2, 5));
        let f = QFmt::for_range(0.0, 0.001, 8);
        assert_eq!(f.int_bits, -9);
        assert_eq!(f.frac_bits, 17);
        let f = QFmt::for_range(0.0, 4000.0, 4);
        assert_eq!(f.frac_bits, -8);
    }

    #[test]
    fn split_on_grid_examples() {
        let f = QFmt::for_range(0.0, 16.0, 5); // integers 0..31
        assert_eq!(f.frac_bits, 0);
        assert_eq!(
            convert_split(&f, 3.5, SplitOp::Lt, Precision::F32),
            SplitCode::Less(4)
        );
        assert_eq!(
            convert_split(&f, 3.0, SplitOp::Lt, Precision::F32),
            SplitCode::Less(3)
        );
        assert_eq!(
            convert_split(&f, 3.0, SplitOp::Le, Precision::F64),
            SplitCode::Less(4)
        );
        assert_eq!(
            convert_split(&f, -1.0, SplitOp::Le, Precision::F64),
            SplitCode::Always(false)
        );
        assert_eq!(
            convert_split(&f, 99.0, SplitOp::Le, Precision::F64),
            SplitCode::Always(true)
        );
        assert_eq!(
            convert_split(&f, f64::INFINITY, SplitOp::Lt, Precision::F64),
            SplitCode::Always(true)
        );
    }

    fn fmt_strategy() -> impl Strategy<Value = QFmt> {
        (any::<bool>(), -6i32..12, 1u32..20).prop_map(|(signed, int_bits, width)| QFmt {
            signed,
            int_bits,
            frac_bits: width as i32 - int_bits - i32::from(signed),
        })
    }

    proptest! {
        /// Rank encoding is exact for every value: the rank comparison equals the
        /// source's comparison.
        #[test]
        fn rank_is_exact(ts in proptest::collection::vec(-50f64..50.0, 1..12), x in -60f64..60.0, pick in any::<usize>(), le in any::<bool>(), f32p in any::<bool>(), on_t in any::<bool>()) {
            let prec = if f32p { Precision::F32 } else { Precision::F64 };
            let op = if le { SplitOp::Le } else { SplitOp::Lt };
            let bins = rank_bins(ts.iter().copied(), prec);
            let t = ts[pick % ts.len()];
            let x = if on_t { t } else { x };
            let (xs, tt) = match prec { Precision::F32 => (x as f32 as f64, t as f32 as f64), Precision::F64 => (x, t) };
            let real = if le { xs <= tt } else { xs < tt };
            let code = rank(x, &bins, op, prec);
            let hw = match rank_split(t, &bins, prec) { SplitCode::Less(k) => code < k, SplitCode::Always(b) => b };
            prop_assert_eq!(hw, real);
        }

        /// Rank encoding stays exact at the extremes: infinities, signed zeros, values
        /// that overflow float32, subnormals.
        #[test]
        fn rank_is_exact_at_extremes(ti in proptest::collection::vec(0usize..14, 1..8), xi in 0usize..14, pick in any::<usize>(), le in any::<bool>(), f32p in any::<bool>()) {
            const V: [f64; 14] = [f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, 1e300, -1e300, 3.4e38, 3.5e38, -3.5e38, 1e-300, -1e-300, 5e-324, 1.0, f64::MAX];
            let ts: Vec<f64> = ti.iter().map(|&i| V[i]).collect();
            let x = V[xi];
            let prec = if f32p { Precision::F32 } else { Precision::F64 };
            let op = if le { SplitOp::Le } else { SplitOp::Lt };
            let bins = rank_bins(ts.iter().copied(), prec);
            let t = ts[pick % ts.len()];
            let (xs, tt) = match prec { Precision::F32 => (x as f32 as f64, t as f32 as f64), Precision::F64 => (x, t) };
            let real = if le { xs <= tt } else { xs < tt };
            let code = rank(x, &bins, op, prec);
            let hw = match rank_split(t, &bins, prec) { SplitCode::Less(k) => code < k, SplitCode::Always(b) => b };
            prop_assert_eq!(hw, real, "x {} t {} bins {:?}", x, t, bins);
        }

        /// For every code (a value on the grid) the integer split equals the real one.
        #[test]
        fn split_exact_on_grid(fmt in fmt_strategy(), t in -1e4f64..1e4, le in any::<bool>(), f32p in any::<bool>(), c in any::<i64>()) {
            let c = fmt.min_code() + c.rem_euclid(fmt.max_code() - fmt.min_code() + 1);
            let x = fmt.to_real(c);
            let op = if le { SplitOp::Le } else { SplitOp::Lt };
            let prec = if f32p { Precision::F32 } else { Precision::F64 };
            // Grid values are exact in float32 for widths < 24.
            prop_assert_eq!(fmt.quantize_input(x, prec, op), c);
            let (xs, ts) = match prec { Precision::F32 => (x as f32 as f64, t as f32 as f64), Precision::F64 => (x, t) };
            let real = if le { xs <= ts } else { xs < ts };
            let int = match convert_split(&fmt, t, op, prec) {
                SplitCode::Less(k) => c < k,
                SplitCode::Always(b) => b,
            };
            prop_assert_eq!(real, int);
        }

        /// Off the grid the error is one-sided (`≤`: a value the source sends left goes
        /// left; `<`: a value it sends right goes right), a value equal to the
        /// threshold is always right, and errors stay in the grid cell holding `t`.
        #[test]
        fn split_error_one_sided(fmt in fmt_strategy(), t in -100f64..100.0, x in -100f64..100.0, le in any::<bool>(), on_t in any::<bool>()) {
            let x = if on_t { t } else { x };
            let op = if le { SplitOp::Le } else { SplitOp::Lt };
            let c = fmt.quantize_input(x, Precision::F64, op);
            let lo = fmt.to_real(fmt.min_code());
            let hi = fmt.to_real(fmt.max_code());
            if x >= lo && x <= hi && t >= lo && t <= hi {
                let hw = match convert_split(&fmt, t, op, Precision::F64) {
                    SplitCode::Less(k) => c < k,
                    SplitCode::Always(b) => b,
                };
                let real = if le { x <= t } else { x < t };
                if le && real { prop_assert!(hw); }
                if !le && !real { prop_assert!(!hw); }
                if x == t { prop_assert_eq!(hw, real); }
                if hw != real {
                    let lsb = 1.0 / fmt.scale();
                    prop_assert!((x - t).abs() < lsb);
                }
            }
        }

        #[test]
        fn int_type_holds_range(a in -1_000_000i64..1_000_000, b in -1_000_000i64..1_000_000) {
            let (lo, hi) = (a.min(b), a.max(b));
            let (w, s) = int_type(lo, hi);
            prop_assert_eq!(wrap(lo, w, s), lo);
            prop_assert_eq!(wrap(hi, w, s), hi);
            if w > 1 {
                // One bit narrower does not hold both ends.
                prop_assert!(wrap(lo, w - 1, s) != lo || wrap(hi, w - 1, s) != hi);
            }
        }

        /// Our format arithmetic agrees with the `fixed` crate's idea of a grid: a code
        /// maps to c·2^-f and back.
        #[test]
        fn round_trip(fmt in fmt_strategy(), c in any::<i64>()) {
            let c = fmt.min_code() + c.rem_euclid(fmt.max_code() - fmt.min_code() + 1);
            prop_assert_eq!(fmt.round_value(fmt.to_real(c)), c);
        }
    }
}

/// JSON for rank bins: numbers, with `"inf"` and `"-inf"` for the infinities JSON lacks.
pub mod bins_json {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Cell {
        Number(f64),
        Text(String),
    }

    pub fn serialize<S: Serializer>(bins: &Option<Vec<f64>>, s: S) -> Result<S::Ok, S::Error> {
        let cells: Option<Vec<Cell>> = bins.as_ref().map(|v| {
            v.iter()
                .map(|&b| match b {
                    b if b == f64::INFINITY => Cell::Text("inf".into()),
                    b if b == f64::NEG_INFINITY => Cell::Text("-inf".into()),
                    b => Cell::Number(b),
                })
                .collect()
        });
        cells.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<f64>>, D::Error> {
        let cells: Option<Vec<Cell>> = Option::deserialize(d)?;
        cells
            .map(|v| {
                v.into_iter()
                    .map(|c| match c {
                        Cell::Number(b) => Ok(b),
                        Cell::Text(t) if t == "inf" => Ok(f64::INFINITY),
                        Cell::Text(t) if t == "-inf" => Ok(f64::NEG_INFINITY),
                        Cell::Text(t) => Err(serde::de::Error::custom(format!(
                            "bin \"{t}\"; expected a number, \"inf\" or \"-inf\""
                        ))),
                    })
                    .collect()
            })
            .transpose()
    }
}
