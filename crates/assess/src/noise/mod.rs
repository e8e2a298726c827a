//! Statistics for studying a noise source's samples (the building blocks of `analyze`):
//! autocorrelation with the Ljung-Box test ([`autocorrelation`]), the runs test about the
//! median ([`runs`]), per-bit bias with exact binomial tests and the byte histogram's
//! chi-square ([`bias`]), Holm's correction for many tests at once ([`holm`]), and the
//! two-sample comparison behind `compare` ([`compare`]). Each
//! p-value comes from a test with a stated null distribution (see each module), and each is
//! checked against a textbook or hand-computed value.

pub mod analysis;
pub mod autocorrelation;
pub mod bias;
pub mod compare;
pub mod cross;
pub mod holm;
pub mod runs;
pub mod spectrum;
pub mod stationarity;

/// A p-value for people to read: plain decimals (`decimals` places) from 0.001 up, two
/// significant digits below (`3.1e-7`), and `< 1e-300` below that, where an `f64` p-value
/// has underflowed (0 included) and its digits mean nothing.
pub fn format_p(p: f64, decimals: usize) -> String {
    if p.is_nan() {
        "NaN".to_owned()
    } else if p >= 0.001 {
        format!("{p:.decimals$}")
    } else if p < 1e-300 {
        "< 1e-300".to_owned()
    } else {
        format!("{p:.1e}")
    }
}

/// `name = p` in [`format_p`]'s form with four decimals, or `name < 1e-300` when it has
/// underflowed.
pub fn p_statement(name: &str, p: f64) -> String {
    let text = format_p(p, 4);
    if text.starts_with('<') {
        format!("{name} {text}")
    } else {
        format!("{name} = {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_read_without_exponent_noise() {
        assert_eq!(format_p(0.0, 4), "< 1e-300");
        assert_eq!(format_p(1e-310, 4), "< 1e-300");
        assert_eq!(format_p(3.14159e-7, 4), "3.1e-7");
        assert_eq!(format_p(0.000_52, 4), "5.2e-4");
        assert_eq!(format_p(0.001, 4), "0.0010");
        assert_eq!(format_p(0.953_749_1, 6), "0.953749");
        assert_eq!(format_p(1.0, 4), "1.0000");
        assert_eq!(format_p(f64::NAN, 4), "NaN");
        assert_eq!(p_statement("runs_p", 0.0), "runs_p < 1e-300");
        assert_eq!(p_statement("runs_p", 2.5e-9), "runs_p = 2.5e-9");
    }
}
