//! Chi-square tests of SP 800-90B §5.2.1 (independence) and §5.2.2 (goodness of fit), with
//! the binning rules of NIST's `ea_iid`: expected counts sorted ascending (ties by symbol),
//! merged into bins of expectation ≥ 5 with a short last bin folded into the one before.
//! Both tests always run; each fails when its p-value is below 0.001 (§5.2).

use serde::Serialize;

/// Significance level of both tests (§5.2: "at the 0.001 level").
const ALPHA: f64 = 0.001;

/// Outcome of one chi-square test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChiSquare {
    /// The χ² statistic.
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: i64,
    /// Upper-tail p-value (1 when df ≤ 0, as the tool's igamc returns).
    pub p_value: f64,
    /// p-value ≥ 0.001.
    pub passed: bool,
}

/// ln Γ(x) for x > 0: Stirling's series (terms to x^-7) after shifting x above 15.
fn ln_gamma(mut x: f64) -> f64 {
    let mut shift = 0.0;
    while x < 15.0 {
        shift -= x.ln();
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    let series = inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 / 1680.0)));
    shift + (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + series
}

/// Regularised upper incomplete gamma Q(a, x): the power series of P for x < a + 1,
/// else the continued fraction of Q (modified Lentz), as in any numerical library.
/// Works for the large `a` (hundreds or thousands) that chi-square tests with many
/// bins need.
fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 || a <= 0.0 {
        return 1.0;
    }
    let log_front = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..100_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        1.0 - sum * log_front.exp()
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..100_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let step = d * c;
            h *= step;
            if (step - 1.0).abs() < 1e-16 {
                break;
            }
        }
        log_front.exp() * h
    }
}

fn finish(statistic: f64, df: i64) -> ChiSquare {
    let p_value = if df <= 0 {
        1.0
    } else {
        gamma_q(df as f64 / 2.0, statistic / 2.0)
    };
    ChiSquare {
        statistic,
        df,
        p_value,
        passed: p_value >= ALPHA,
    }
}

/// Symbol proportions accumulated as repeated additions of 1/n, as the tool computes them
/// (the sums decide ties when sorting expectations, so they must match bit for bit).
pub(crate) fn proportions(data: &[u8], k: usize) -> Vec<f64> {
    let mut counts = vec![0u64; k.max(256)];
    for &s in data {
        counts[s as usize] += 1;
    }
    let step = 1.0 / data.len() as f64;
    counts[..k]
        .iter()
        .map(|&c| (0..c).fold(0.0, |acc, _| acc + step))
        .collect()
}

/// Bins `(symbol or pair index, expectation)` entries; returns each entry's bin (indexed by
/// entry id) and the bins' expectations.
fn allocate_bins(mut entries: Vec<(usize, f64)>) -> (Vec<usize>, Vec<f64>) {
    entries.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let mut bin_of = vec![0usize; entries.len()];
    let mut bins = Vec::new();
    let mut current = 0usize;
    let mut expectation = 0.0;
    for &(id, e) in &entries {
        if expectation >= 5.0 {
            bins.push(expectation);
            current += 1;
            expectation = 0.0;
        }
        bin_of[id] = current;
        expectation += e;
    }
    if current != 0 && expectation < 5.0 {
        for &(id, _) in entries.iter().rev() {
            if bin_of[id] != current {
                break;
            }
            bin_of[id] = current - 1;
        }
        bins[current - 1] += expectation;
    } else {
        bins.push(expectation);
    }
    (bin_of, bins)
}

fn statistic(expected: &[f64], observed: &[u64]) -> f64 {
    expected
        .iter()
        .zip(observed)
        .map(|(&e, &o)| (o as f64 - e).powi(2) / e)
        .sum()
}

/// §5.2.1 independence test on symbols below `k` (`k > 2`): pairs of consecutive
/// non-overlapping symbols against the product of the marginal proportions.
pub fn independence(data: &[u8], k: usize) -> ChiSquare {
    let n = data.len();
    let p = proportions(data, k);
    let half = (n as f64 * 0.5).floor();
    let entries = (0..k * k)
        .map(|id| (id, p[id / k] * p[id % k] * half))
        .collect();
    let (bin_of, bins) = allocate_bins(entries);
    let mut observed = vec![0u64; bins.len()];
    for pair in data.chunks_exact(2) {
        observed[bin_of[pair[0] as usize * k + pair[1] as usize]] += 1;
    }
    finish(statistic(&bins, &observed), bins.len() as i64 - k as i64)
}

/// §5.2.2 goodness-of-fit test on symbols below `k` (`k > 2`): ten equal blocks against
/// the whole sequence's proportions.
pub fn goodness_of_fit(data: &[u8], k: usize) -> ChiSquare {
    let n = data.len();
    let p = proportions(data, k);
    let tenth = (n as f64 / 10.0).floor();
    let entries = (0..k).map(|s| (s, p[s] * tenth)).collect();
    let (bin_of, bins) = allocate_bins(entries);
    let block = n / 10;
    let mut total = 0.0;
    for j in 0..10 {
        let mut observed = vec![0u64; bins.len()];
        for &s in &data[j * block..(j + 1) * block] {
            observed[bin_of[s as usize]] += 1;
        }
        total += statistic(&bins, &observed);
    }
    finish(total, 9 * (bins.len() as i64 - 1))
}

/// §5.2.3-style independence test for binary data: m-bit blocks (the largest m ≤ 11 whose
/// rarest block is expected at least 5 times) against the binomial model.
pub fn binary_independence(data: &[u8]) -> ChiSquare {
    let n = data.len();
    let ones: u64 = data.iter().map(|&b| u64::from(b)).sum();
    let p1 = ones as f64 / n as f64;
    let p0 = 1.0 - p1;
    let min_p = p0.min(p1);
    let mut m = 11usize;
    while m > 1 {
        // `n / m` is an integer division in the tool.
        if min_p.powi(m as i32) * ((n / m) as f64) >= 5.0 {
            break;
        }
        m -= 1;
    }
    if m < 2 {
        return finish(0.0, 0);
    }
    let blocks = n / m;
    let mut occ = vec![0u64; 1 << m];
    for block in data.chunks_exact(m).take(blocks) {
        occ[block.iter().fold(0usize, |acc, &b| (acc << 1) | b as usize)] += 1;
    }
    let t: f64 = occ
        .iter()
        .enumerate()
        .map(|(i, &o)| {
            let w = i.count_ones() as i32;
            let e = p1.powi(w) * p0.powi(m as i32 - w) * blocks as f64;
            (o as f64 - e).powi(2) / e
        })
        .sum();
    finish(t, (1i64 << m) - 2)
}

/// Goodness-of-fit test for binary data: ones and zeros in ten equal blocks.
pub fn binary_goodness_of_fit(data: &[u8]) -> ChiSquare {
    let n = data.len();
    let sub = n / 10;
    let ones: u64 = data.iter().map(|&b| u64::from(b)).sum();
    let p = ones as f64 / n as f64;
    let e0 = (1.0 - p) * sub as f64;
    let e1 = p * sub as f64;
    let mut t = 0.0;
    for j in 0..10 {
        let o1: u64 = data[j * sub..(j + 1) * sub]
            .iter()
            .map(|&b| u64::from(b))
            .sum();
        let o0 = sub as u64 - o1;
        t += (o0 as f64 - e0).powi(2) / e0 + (o1 as f64 - e1).powi(2) / e1;
    }
    finish(t, 9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_q_known_values() {
        // Q(1, x) = e^-x; Q(0.5, x) = erfc(sqrt x); chi-square with 2 df at 2·ln 1000.
        assert!((gamma_q(1.0, 3.0) - (-3.0f64).exp()).abs() < 1e-13);
        assert!((gamma_q(0.5, 2.0) - puruspe::erfc(2.0f64.sqrt())).abs() < 1e-13);
        assert!((gamma_q(1.0, 1000f64.ln()) - 0.001).abs() < 1e-14);
        // Large a: Q(a, a) tends to 1/2 (a = 1147.5: 0.5 - 1/(3·sqrt(2πa)) ≈ 0.49607).
        let q = gamma_q(1147.5, 1147.5);
        assert!(
            (q - (0.5 - 1.0 / (3.0 * (2.0 * std::f64::consts::PI * 1147.5).sqrt()))).abs() < 1e-4,
            "{q}"
        );
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
        assert!((ln_gamma(171.0) - (1..171).map(|i| (i as f64).ln()).sum::<f64>()).abs() < 1e-9);
    }
}
