//! Most Common Value estimate (SP 800-90B §6.3.1): the upper 99% confidence bound on the
//! probability of the most frequent symbol, with `n - 1` in the variance as NIST's tool has.

use super::numeric::upper_bound;

/// Min-entropy per symbol by the MCV estimate; `data` holds symbols below `k`.
/// `None` for fewer than two samples.
pub fn mcv(data: &[u8], k: usize) -> Option<f64> {
    if data.len() < 2 {
        return None;
    }
    let mut counts = vec![0u64; k.max(256)];
    for &s in data {
        counts[s as usize] += 1;
    }
    let mode = counts.iter().copied().max().unwrap_or(0);
    let p_hat = mode as f64 / data.len() as f64;
    Some(-upper_bound(p_hat, data.len() as f64).log2())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_of_sp800_90b() {
        // SP 800-90B §6.3.1 example: S = (0,1,1,2,0,1,2,2,0,1,0,1,1,0,2,2,1,0,2,1),
        // mode 1 occurs 8 times, p̂ = 0.4; the document uses n (p_u = 0.6822, H = 0.5518),
        // the tool n - 1, which gives p_u = 0.4 + 2.5758·sqrt(0.24/19).
        let s = [0, 1, 1, 2, 0, 1, 2, 2, 0, 1, 0, 1, 1, 0, 2, 2, 1, 0, 2, 1];
        let expected = -(0.4f64 + 2.575_829_303_548_901 * (0.24f64 / 19.0).sqrt()).log2();
        assert!((mcv(&s, 3).unwrap() - expected).abs() < 1e-12);
        assert!((expected - 0.5363).abs() < 1e-3);
    }

    #[test]
    fn constant_data_has_no_entropy() {
        assert_eq!(mcv(&[5; 100], 256), Some(0.0));
        assert_eq!(mcv(&[5], 256), None);
    }
}
