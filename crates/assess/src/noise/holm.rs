//! Holm's step-down correction for testing many hypotheses at once (Holm, "A simple
//! sequentially rejective multiple test procedure", Scand. J. Statist. 6, 1979): the i-th
//! smallest of m p-values is multiplied by (m − i + 1), made non-decreasing, and capped at 1.
//! Rejecting where the adjusted p-value is below α keeps the family-wise error rate at α.

/// The Holm-adjusted p-values, in the order given.
///
/// ```
/// use wellspring_assess::noise::holm::holm;
/// assert_eq!(holm(&[0.01, 0.04, 0.03]), vec![0.03, 0.06, 0.06]);
/// ```
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        let value = (p_values[i] * (m - rank) as f64).min(1.0);
        running = running.max(value);
        adjusted[i] = running;
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_examples() {
        let adj = holm(&[0.01, 0.04, 0.03]);
        for (a, e) in adj.iter().zip([0.03, 0.06, 0.06]) {
            assert!((a - e).abs() < 1e-15, "{adj:?}");
        }
        assert_eq!(holm(&[0.5, 0.9]), vec![1.0, 1.0]);
        assert_eq!(holm(&[]), Vec::<f64>::new());
    }
}
