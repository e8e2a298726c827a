//! Chi-square tests of SP 800-90B §5.2.1 (independence) and §5.2.2 (goodness of fit), with
//! the binning rules of NIST's `ea_iid`: expected counts sorted ascending (ties by symbol),
//! merged into bins of expectation ≥ 5 with a short last bin folded into the one before.
//! Both tests always run; each fails when its p-value is below 0.001 (§5.2).

use serde::Serialize;

use crate::sp800_22::special::igamc;

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

fn finish(statistic: f64, df: i64) -> ChiSquare {
    let p_value = if df <= 0 {
        1.0
    } else {
        igamc(df as f64 / 2.0, statistic / 2.0)
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
