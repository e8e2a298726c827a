//! Cross-correlation of two series at lags −L..=L: Pearson's r of `a[i]` and `b[i + lag]` over
//! the overlap. Under independence each r is approximately normal with variance 1/m (m the
//! overlap), so the strongest |r| over 2L + 1 lags is judged after a Bonferroni-style
//! threshold, stated by the caller.

/// Pearson's r of `a` and `b` (equal lengths); 0 when either is constant.
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    if n < 2 {
        return 0.0;
    }
    let (a, b) = (&a[..n], &b[..n]);
    let ma = a.iter().sum::<f64>() / n as f64;
    let mb = b.iter().sum::<f64>() / n as f64;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa == 0.0 || sbb == 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// The lag in −`max_lag`..=`max_lag` where `|r(a[i], b[i + lag])|` is largest, with that r.
///
/// ```
/// use wellspring_assess::noise::cross::strongest;
/// let a: Vec<f64> = (0..100).map(|i| ((i * 37) % 11) as f64).collect();
/// let b: Vec<f64> = std::iter::repeat(0.0).take(3).chain(a.iter().copied()).collect();
/// assert_eq!(strongest(&a, &b, 5), (1.0, 3));
/// ```
pub fn strongest(a: &[f64], b: &[f64], max_lag: usize) -> (f64, i64) {
    let mut best = (0.0f64, 0i64);
    for lag in -(max_lag as i64)..=max_lag as i64 {
        let (x, y) = if lag >= 0 {
            let l = lag as usize;
            if l >= b.len() {
                continue;
            }
            (a, &b[l..])
        } else {
            let l = (-lag) as usize;
            if l >= a.len() {
                continue;
            }
            (&a[l..], b)
        };
        let n = x.len().min(y.len());
        let r = pearson(&x[..n], &y[..n]);
        if r.abs() > best.0.abs() + 1e-12 {
            best = (r, lag);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_correlations() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!((pearson(&a, &[2.0, 4.0, 6.0, 8.0, 10.0]) - 1.0).abs() < 1e-12);
        assert!((pearson(&a, &[5.0, 4.0, 3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        // Hand-computed: a = (1,2,3), b = (1,3,2): r = 0.5.
        assert!((pearson(&[1.0, 2.0, 3.0], &[1.0, 3.0, 2.0]) - 0.5).abs() < 1e-12);
        assert_eq!(pearson(&a, &[7.0; 5]), 0.0);
    }
}
