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
