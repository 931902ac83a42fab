//! Kernel tables: the one definition of the contents of each RBF unit's clamped lookup of `w·exp(−γ·d)`.
//!
//! A unit's distance code `d` (an unsigned integer; one code step is `dist_lsb` in real
//! distance units) indexes a table of `len` entries as `min(d >> shift, len − 1)`
//! ([`super::lut_index`]). Entry `i` holds `w·exp(−γ·m_i)` rounded to the output
//! format, where `m_i` is the middle of the codes that map to it,
//! `(i·2^shift + (2^shift − 1)/2)·dist_lsb`, so every code's error is at most half a
//! bucket in distance. The shift is the smallest one whose `2^index_bits` buckets
//! cover every distance where the kernel does not round to zero: beyond, the clamped
//! last entry (≈ 0) stands for all far distances. The integer reference and the IR
//! both read these tables, so the approximation costs accuracy, never exactness.

use super::QFmt;

/// The smallest shift whose `2^index_bits` buckets cover the distances where
/// `max_abs_w·exp(−γ·d)` is at least half an output LSB (and never more than the bits
/// of `d_max_code`, past which every code lands in bucket 0).
pub fn kernel_shift(
    gamma: f64,
    max_abs_w: f64,
    out: &QFmt,
    dist_lsb: f64,
    index_bits: u32,
    d_max_code: i64,
) -> u32 {
    let dbits = 64 - (d_max_code.max(0) as u64).leading_zeros();
    let reach = 2.0 * max_abs_w * out.scale();
    if gamma <= 0.0 || reach <= 1.0 {
        // Constant kernel, or one that is zero everywhere: a single bucket does.
        return if gamma <= 0.0 { dbits } else { 0 };
    }
    let d_cut = reach.ln() / gamma; // real distance beyond which the entry rounds to 0
    let buckets = (1u64 << index_bits) as f64;
    let mut s = 0;
    while s < dbits && buckets * super::pow2(s as i32) * dist_lsb < d_cut {
        s += 1;
    }
    s
}

/// Number of entries: `2^index_bits`, or fewer when `d_max_code >> shift` is smaller.
pub fn kernel_len(shift: u32, index_bits: u32, d_max_code: i64) -> usize {
    let reach = if shift >= 63 {
        0
    } else {
        (d_max_code.max(0) as u64) >> shift
    };
    (reach.saturating_add(1)).min(1u64 << index_bits) as usize
}

/// Entries of the table of `w·exp(−γ·d)` (see the module doc).
pub fn kernel_table(
    w: f64,
    gamma: f64,
    dist_lsb: f64,
    shift: u32,
    len: usize,
    out: &QFmt,
) -> Vec<i64> {
    let step = super::pow2(shift as i32);
    (0..len)
        .map(|i| {
            let mid = (i as f64 * step + (step - 1.0) / 2.0) * dist_lsb;
            out.round_value(w * (-gamma * mid).exp())
        })
        .collect()
}

/// Interpolated tables, for kernels too steep for a plain table at any affordable
/// size: one line per bucket, `t[i] + s[i]·r/2^shift` for the code `r` within it.
/// The slope `s[i]` is the chord of `f = w·exp(−γ·d)` over the bucket (in output
/// codes); the intercept `t[i]` is the chord's start moved by the mean of the
/// chord's largest and smallest deviation from `f` (so the error is centred, not
/// one-signed: the kernel is convex and a chord lies on one side), plus half a code
/// for the floor in [`interp_value`]. So the errors of many units do not add up
/// coherently. The last entry is the clamped far value `f` at its node, slope 0.
/// The error of a line is quadratic in the bucket width (`≤ (γ·step)²/16` of `|w|`),
/// where a plain table's is linear (`≤ γ·step/2`).
pub fn kernel_table_interp(
    w: f64,
    gamma: f64,
    dist_lsb: f64,
    shift: u32,
    len: usize,
    out: &QFmt,
) -> (Vec<i64>, Vec<i64>) {
    let step = super::pow2(shift as i32);
    let f = |x: f64| w * (-gamma * x * dist_lsb).exp();
    let mut t = Vec::with_capacity(len);
    let mut s = Vec::with_capacity(len);
    for i in 0..len {
        let a = i as f64 * step;
        if i + 1 == len {
            t.push(out.round_value(f(a)));
            s.push(0);
            continue;
        }
        let (fa, fb) = (f(a), f(a + step));
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        for j in 1..32 {
            let u = f64::from(j) / 32.0;
            let dev = fa + (fb - fa) * u - f(a + step * u);
            lo = lo.min(dev);
            hi = hi.max(dev);
        }
        let slope = ((fb - fa) * out.scale()).round();
        let start = (fa - (lo + hi) / 2.0) * out.scale() + 0.5;
        t.push(start.round() as i64);
        s.push(slope as i64);
    }
    (t, s)
}

/// The smallest shift for interpolated tables: as [`kernel_shift`], but the last
/// *node* (not the last bucket's end) must lie beyond the cut-off, so the clamped
/// far value rounds to 0.
pub fn kernel_shift_interp(
    gamma: f64,
    max_abs_w: f64,
    out: &QFmt,
    dist_lsb: f64,
    index_bits: u32,
    d_max_code: i64,
) -> u32 {
    let s = kernel_shift(gamma, max_abs_w, out, dist_lsb, index_bits, d_max_code);
    let dbits = 64 - (d_max_code.max(0) as u64).leading_zeros();
    let reach = 2.0 * max_abs_w * out.scale();
    if gamma <= 0.0 || reach <= 1.0 || s >= dbits {
        return s;
    }
    let d_cut = reach.ln() / gamma;
    let last = ((1u64 << index_bits) - 1) as f64;
    if last * super::pow2(s as i32) * dist_lsb < d_cut {
        s + 1
    } else {
        s
    }
}

/// The interpolated kernel at distance code `d ≥ 0`: `t[i] + ⌊s[i]·r / 2^shift⌋`
/// with `i = min(d >> shift, len − 1)` and `r = d mod 2^shift` — what the IR computes
/// with `Lut`, `Low`, `Mul`, `Shr` and `Add`.
pub fn interp_value(t: &[i64], s: &[i64], d: i64, shift: u32) -> i64 {
    let i = super::lut_index(d, shift, t.len());
    if shift == 0 {
        return t[i];
    }
    let r = d.max(0) & ((1i64 << shift.min(62)) - 1);
    t[i] + ((s[i] * r) >> shift.min(63))
}
