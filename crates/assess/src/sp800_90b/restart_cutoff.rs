//! The exact distribution of the restart sanity test's statistic (SP 800-90B §3.1.4.3):
//! the largest count of any symbol in `n` draws from the "inverted near-uniform"
//! distribution with most-likely-symbol probability `p = 2^-H_I` (⌊1/p⌋ symbols of
//! probability `p` and, when `1/p` is not an integer, one more with the remaining
//! `1 - ⌊1/p⌋·p`), which NIST's `ea_restart` simulates.
//!
//! `P(max count ≤ c)` is computed with Levin's (1981) representation of a multinomial
//! through independent Poisson variables `X_i ~ Poisson(n·p_i)`:
//!
//! `P(all counts ≤ c) = n! / (n^n e^-n) · ∏_i P(X_i ≤ c) · P(Σ_i Y_i = n)`,
//!
//! where `Y_i` is `X_i` conditioned on `X_i ≤ c`. The last factor is a convolution of the
//! truncated Poisson distributions, kept to degree `n`; the ⌊1/p⌋ identical factors are
//! raised to their power by repeated squaring, so one evaluation costs a few dozen
//! length-`n` convolutions. Every intermediate is a probability, so nothing overflows; the
//! result carries an absolute error of about 1e-12, far below the test's α ≈ 5e-6.

/// Draws per restart row or column (§3.1.4: 1000 samples).
const N: u32 = 1000;

/// The inverted near-uniform distribution of `p = 2^-h`: `(m, p, residual)`, `m` symbols
/// of probability `p` and one of probability `residual` (0 when `1/p` is an integer).
fn near_uniform(h_initial: f64) -> (u32, f64, f64) {
    let p = (-h_initial).exp2();
    // As the tool: ⌈1/p⌉ symbols in all, ⌊1/p⌋ of them with probability p.
    let m = (1.0 / p).floor().max(1.0) as u32;
    let residual = (1.0 - f64::from(m) * p).max(0.0);
    (m, p, residual)
}

/// ln Γ(k + 1) for k = 0..=n, summed exactly enough for n ≤ a few thousand.
fn ln_factorials(n: u32) -> Vec<f64> {
    let mut out = Vec::with_capacity(n as usize + 1);
    let mut acc = 0.0f64;
    out.push(0.0);
    for k in 1..=n {
        acc += f64::from(k).ln();
        out.push(acc);
    }
    out
}

/// The Poisson(`mu`) distribution truncated to `0..=c` (normalised) and `ln P(X ≤ c)`.
fn truncated_poisson(mu: f64, c: u32, ln_fact: &[f64]) -> (Vec<f64>, f64) {
    let ln_mu = mu.ln();
    let logs: Vec<f64> = (0..=c)
        .map(|k| f64::from(k) * ln_mu - ln_fact[k as usize])
        .collect();
    let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut pmf: Vec<f64> = logs.iter().map(|&l| (l - top).exp()).collect();
    let sum: f64 = pmf.iter().sum();
    for v in &mut pmf {
        *v /= sum;
    }
    (pmf, top + sum.ln() - mu)
}

/// Convolution of two distributions on 0.., kept to `0..=limit`.
fn convolve(a: &[f64], b: &[f64], limit: usize) -> Vec<f64> {
    let len = (a.len() + b.len() - 1).min(limit + 1);
    let mut out = vec![0.0f64; len];
    for (i, &x) in a.iter().enumerate().take(len) {
        if x == 0.0 {
            continue;
        }
        let room = len - i;
        for (o, &y) in out[i..].iter_mut().zip(&b[..b.len().min(room)]) {
            *o += x * y;
        }
    }
    out
}

/// `a` convolved with itself `power` times (power ≥ 1), kept to `0..=limit`.
fn convolve_power(a: &[f64], mut power: u32, limit: usize) -> Vec<f64> {
    let mut base = a.to_vec();
    base.truncate(limit + 1);
    let mut acc: Option<Vec<f64>> = None;
    loop {
        if power & 1 == 1 {
            acc = Some(match acc {
                None => base.clone(),
                Some(x) => convolve(&x, &base, limit),
            });
        }
        power >>= 1;
        if power == 0 {
            break;
        }
        base = convolve(&base, &base, limit);
    }
    acc.expect("power >= 1")
}

/// `P(max count ≤ c)` for `n` draws from the inverted near-uniform distribution of
/// `p = 2^-h_initial`, exactly (to about 1e-12).
pub fn max_count_cdf(n: u32, h_initial: f64, c: u32) -> f64 {
    let (m, p, residual) = near_uniform(h_initial);
    let symbols = m + u32::from(residual > 0.0);
    if c >= n {
        return 1.0;
    }
    if u64::from(c) * u64::from(symbols) < u64::from(n) {
        return 0.0;
    }
    let ln_fact = ln_factorials(n);
    let limit = n as usize;
    let nf = f64::from(n);
    // ln(n! / (n^n e^-n))
    let mut ln_total = ln_fact[limit] - nf * nf.ln() + nf;
    let (pmf, ln_cdf) = truncated_poisson(nf * p, c, &ln_fact);
    ln_total += f64::from(m) * ln_cdf;
    let mut sum = convolve_power(&pmf, m, limit);
    if residual > 0.0 {
        let (rest, ln_rest) = truncated_poisson(nf * residual, c, &ln_fact);
        ln_total += ln_rest;
        sum = convolve(&sum, &rest, limit);
    }
    let at_n = sum.get(limit).copied().unwrap_or(0.0);
    if at_n <= 0.0 {
        return 0.0;
    }
    (ln_total + at_n.ln()).exp().min(1.0)
}

/// `P(max count > c)`, the upper tail, computed as `1 - P(max ≤ c)`.
pub fn max_count_tail(n: u32, h_initial: f64, c: u32) -> f64 {
    (1.0 - max_count_cdf(n, h_initial, c)).max(0.0)
}

/// The smallest `c` with `P(max count ≤ c) ≥ 1 - alpha`: the exact value of the quantile
/// that `ea_restart` estimates by simulation (its `X_cutoff`).
pub fn max_count_cutoff(n: u32, h_initial: f64, alpha: f64) -> u32 {
    let (m, _, residual) = near_uniform(h_initial);
    let symbols = m + u32::from(residual > 0.0);
    // Invariant: cdf(hi) ≥ 1 - alpha, and every c < lo fails.
    let mut lo = n.div_ceil(symbols);
    let mut hi = n;
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if max_count_tail(n, h_initial, mid) <= alpha {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    hi
}

/// Probability that `ea_restart`'s simulation (`rounds` rounds, the `⌊(1-α)·rounds⌋`-th
/// smallest maximum) returns exactly `cutoff`, given the exact tails. The count of
/// simulated maxima above `c` is binomial(`rounds`, `P(max > c)`), here taken as Poisson;
/// the tool returns `c` when at most `rounds - ⌊(1-α)·rounds⌋` exceed `c` but more exceed
/// `c - 1`.
pub fn simulation_agreement(h_initial: f64, alpha: f64, rounds: u64, cutoff: u32) -> f64 {
    let allowed = rounds - ((1.0 - alpha) * rounds as f64).floor() as u64;
    let poisson_cdf = |mean: f64| -> f64 {
        if mean <= 0.0 {
            return 1.0;
        }
        let mut term = (-mean).exp();
        let mut sum = term;
        for k in 1..=allowed {
            term *= mean / k as f64;
            sum += term;
        }
        sum.min(1.0)
    };
    let rounds_f = rounds as f64;
    let at = poisson_cdf(rounds_f * max_count_tail(N, h_initial, cutoff));
    let below = if cutoff == 0 {
        0.0
    } else {
        poisson_cdf(rounds_f * max_count_tail(N, h_initial, cutoff - 1))
    };
    (at - below).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// P(X ≤ c) for X ~ binomial(n, q), by direct summation in log space.
    fn binomial_cdf(n: u32, q: f64, c: u32) -> f64 {
        let lf = ln_factorials(n);
        (0..=c.min(n))
            .map(|x| {
                (lf[n as usize] - lf[x as usize] - lf[(n - x) as usize]
                    + f64::from(x) * q.ln()
                    + f64::from(n - x) * (1.0 - q).ln())
                .exp()
            })
            .sum()
    }

    #[test]
    fn two_equal_symbols_is_a_two_sided_binomial() {
        // H_I = 1: two symbols of 1/2; max ≤ c ⇔ n - c ≤ X ≤ c.
        for c in [500, 520, 550, 570, 580] {
            let exact = binomial_cdf(1000, 0.5, c) - binomial_cdf(1000, 0.5, 999 - c);
            let ours = max_count_cdf(1000, 1.0, c);
            assert!((exact - ours).abs() < 1e-11, "c={c}: {exact} vs {ours}");
        }
    }

    #[test]
    fn one_symbol_and_a_residual() {
        // H_I = 0.2: p = 0.87, one symbol of p and one of 1 - p. max ≤ c ⇔ n - c ≤ X ≤ c.
        let p = (-0.2f64).exp2();
        for c in [880, 900, 920] {
            let exact = binomial_cdf(1000, p, c) - binomial_cdf(1000, p, 999 - c);
            let ours = max_count_cdf(1000, 0.2, c);
            assert!((exact - ours).abs() < 1e-11, "c={c}: {exact} vs {ours}");
        }
    }

    #[test]
    fn small_multinomial_by_enumeration() {
        // n = 12 draws, H_I = log2(3) - tiny → p just above 1/3: 2 symbols of p, 1 residual.
        let h = 1.5f64;
        let (m, p, r) = near_uniform(h);
        assert_eq!(m, 2);
        let probs = [p, p, r];
        let n = 12u32;
        let lf = ln_factorials(n);
        for c in 4..=12u32 {
            let mut total = 0.0;
            for a in 0..=n {
                for b in 0..=(n - a) {
                    let d = n - a - b;
                    if a.max(b).max(d) <= c {
                        total +=
                            (lf[n as usize] - lf[a as usize] - lf[b as usize] - lf[d as usize]
                                + f64::from(a) * probs[0].ln()
                                + f64::from(b) * probs[1].ln()
                                + f64::from(d) * probs[2].ln())
                            .exp();
                    }
                }
            }
            let ours = max_count_cdf(n, h, c);
            assert!((total - ours).abs() < 1e-12, "c={c}: {total} vs {ours}");
        }
    }

    #[test]
    fn tails_match_an_independent_dp() {
        // P(max > c) from a direct DP over symbols (conditional binomial splits, Python
        // floats): H_I = 3.9 has 14 symbols of p = 2^-3.9 and a residual of 0.0621.
        for (h, c, tail) in [
            (3.9, 108, 8.0633e-06),
            (3.9, 109, 4.6277e-06),
            (3.9, 110, 2.6300e-06),
            (0.6, 725, 4.0362e-06),
            (2.5, 236, 4.6245e-06),
            (3.3, 151, 3.7376e-06),
        ] {
            let ours = max_count_tail(1000, h, c);
            assert!((ours / tail - 1.0).abs() < 1e-4, "H_I {h}, c {c}: {ours:e}");
        }
    }

    #[test]
    fn cutoffs_are_monotone_and_bracket_alpha() {
        let alpha = 1.0 - (0.99f64.ln() / 2000.0).exp();
        let mut last = u32::MAX;
        for h in [0.0, 0.5, 1.0, 2.0, 3.3, 4.0, 6.0, 7.5, 8.0] {
            let c = max_count_cutoff(1000, h, alpha);
            assert!(c <= last, "h={h}: {c} > {last}");
            last = c;
            assert!(max_count_tail(1000, h, c) <= alpha);
            if c > 0 && h > 0.0 {
                assert!(max_count_tail(1000, h, c - 1) > alpha, "h={h}, c={c}");
            }
        }
        assert_eq!(max_count_cutoff(1000, 0.0, alpha), 1000);
    }
}
