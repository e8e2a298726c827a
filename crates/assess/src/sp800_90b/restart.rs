//! Restart sanity test (SP 800-90B §3.1.4.3): 1000 restarts of the noise source, 1000
//! samples each, form a 1000×1000 matrix (row i = restart i). If the initial entropy
//! estimate H_I is right, the most common value of any row or column should occur no more
//! often than a binomial(1000, 2^-H_I) variable's upper critical value.
//!
//! The test is a union over 2000 rows and columns at overall α = 0.01, so each count is
//! held to the per-test level α' = 1 - 0.99^(1/2000) (≈ α/2000), as NIST's `ea_restart`
//! computes it. The cutoff here is the exact binomial quantile (the tool estimates the
//! same bound by simulation).

use serde::Serialize;

use super::AssessError;

/// Restarts and samples per restart (§3.1.4: "1000 restarts ... 1000 samples").
pub const RESTARTS: usize = 1000;
/// Overall false-reject rate of the sanity check (§3.1.4.3: α = 0.01).
pub const ALPHA: f64 = 0.01;

/// Outcome of the restart sanity check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RestartSanity {
    /// Largest most-common-value count over all rows.
    pub max_row_count: u32,
    /// Largest most-common-value count over all columns.
    pub max_column_count: u32,
    /// Counts above this fail (the binomial critical value).
    pub cutoff: u32,
    /// Per-row/column significance level used for the cutoff.
    pub alpha_per_test: f64,
    /// Whether both maxima are at most the cutoff.
    pub passed: bool,
}

/// Smallest u with P(X > u) ≤ `alpha` for X ~ binomial(`n`, `p`).
pub fn binomial_cutoff(n: u32, p: f64, alpha: f64) -> u32 {
    if p >= 1.0 {
        return n;
    }
    if p <= 0.0 {
        return 0;
    }
    // Upper tail summed from the top, in log space to stay finite.
    let ln_p = p.ln();
    let ln_q = (-p).ln_1p();
    let mut ln_choose = 0.0f64; // ln C(n, n)
    let mut tail = 0.0f64;
    let mut x = n;
    loop {
        let pmf = (ln_choose + f64::from(x) * ln_p + f64::from(n - x) * ln_q).exp();
        if tail + pmf > alpha {
            return x;
        }
        tail += pmf;
        if x == 0 {
            return 0;
        }
        // C(n, x-1) = C(n, x) · x / (n - x + 1)
        ln_choose += f64::from(x).ln() - f64::from(n - x + 1).ln();
        x -= 1;
    }
}

/// Runs the sanity check on `matrix` (row-major, 1000 restarts × 1000 samples, each sample
/// below `2^bits_per_sample`) against the initial entropy estimate `h_initial` (bits per
/// sample, e.g. `AssessReport::h_assessed`).
pub fn restart_sanity(
    matrix: &[u8],
    bits_per_sample: u8,
    h_initial: f64,
) -> Result<RestartSanity, AssessError> {
    if !(1..=8).contains(&bits_per_sample) {
        return Err(AssessError::BitsPerSample(bits_per_sample));
    }
    if matrix.len() != RESTARTS * RESTARTS {
        return Err(AssessError::RestartShape(matrix.len()));
    }
    if let Some((index, &value)) = matrix
        .iter()
        .enumerate()
        .find(|&(_, &s)| u16::from(s) >= 1u16 << bits_per_sample)
    {
        return Err(AssessError::SampleTooWide {
            index,
            value,
            bits: bits_per_sample,
        });
    }
    let mode = |counts: &[u32; 256]| counts.iter().copied().max().unwrap_or(0);
    let mut max_row = 0;
    for row in matrix.chunks_exact(RESTARTS) {
        let mut counts = [0u32; 256];
        for &s in row {
            counts[s as usize] += 1;
        }
        max_row = max_row.max(mode(&counts));
    }
    let mut col_counts = vec![[0u32; 256]; RESTARTS];
    for row in matrix.chunks_exact(RESTARTS) {
        for (c, &s) in col_counts.iter_mut().zip(row) {
            c[s as usize] += 1;
        }
    }
    let max_col = col_counts.iter().map(mode).max().unwrap_or(0);
    let alpha_per_test = 1.0 - ((1.0 - ALPHA).ln() / (2 * RESTARTS) as f64).exp();
    let p = (-h_initial).exp2();
    let cutoff = binomial_cutoff(RESTARTS as u32, p, alpha_per_test);
    Ok(RestartSanity {
        max_row_count: max_row,
        max_column_count: max_col,
        cutoff,
        alpha_per_test,
        passed: max_row <= cutoff && max_col <= cutoff,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoff_of_a_fair_bit() {
        // binomial(1000, 0.5): mean 500, sd 15.8; α' ≈ 5e-6 sits about 4.4 sd out.
        let alpha = 1.0 - (0.99f64.ln() / 2000.0).exp();
        let u = binomial_cutoff(1000, 0.5, alpha);
        assert!((565..=575).contains(&u), "{u}");
        // Brute-force check of the defining property with exact tail sums.
        let tail = |from: u32| -> f64 {
            (from..=1000)
                .map(|x| {
                    let ln_c: f64 = (1..=x)
                        .map(|i| f64::from(1000 - x + i).ln() - f64::from(i).ln())
                        .sum();
                    (ln_c + 1000.0 * 0.5f64.ln()).exp()
                })
                .sum()
        };
        assert!(tail(u + 1) <= alpha && tail(u) > alpha);
    }

    #[test]
    fn good_and_bad_restart_matrices() {
        let mut x = 1u64;
        let good: Vec<u8> = (0..RESTARTS * RESTARTS)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 56) as u8
            })
            .collect();
        let r = restart_sanity(&good, 8, 7.5).unwrap();
        assert!(r.passed, "{r:?}");
        // Every restart begins with the same 300 samples: columns 0..300 are constant.
        let mut bad = good.clone();
        for row in bad.chunks_exact_mut(RESTARTS) {
            row[..300].fill(7);
        }
        let r = restart_sanity(&bad, 8, 7.5).unwrap();
        assert!(!r.passed && r.max_column_count == 1000);
        assert!(restart_sanity(&good[..10], 8, 7.5).is_err());
    }
}
