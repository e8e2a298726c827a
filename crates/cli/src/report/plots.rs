//! The four figures of a report, computed from the bits and the battery's p-values: the
//! p-value histogram, the byte histogram, the running bit bias and the autocorrelation by
//! lag, each against what chance alone would give.

use wellspring_assess::sp800_22::{BatteryReport, Bits};

use super::svg::{Band, bars, line};

/// Lags shown in the autocorrelation plot.
pub(crate) const MAX_LAG: usize = 64;
/// Points in the running-bias plot.
const BIAS_POINTS: usize = 200;

/// A named SVG figure and the one-line caption the report prints under it.
pub(crate) struct Figure {
    pub(crate) file: &'static str,
    pub(crate) caption: String,
    pub(crate) svg: String,
}

/// Every p-value of the battery in ten bins of width 0.1 (sts's uniformity bins).
pub(crate) fn p_value_histogram(report: &BatteryReport) -> [usize; 10] {
    let mut bins = [0usize; 10];
    for p in report.tests.iter().flat_map(|t| &t.p_values) {
        bins[((p * 10.0).floor() as usize).min(9)] += 1;
    }
    bins
}

/// Byte counts of the input read as bytes (MSB first), whole bytes only.
pub(crate) fn byte_histogram(bits: &Bits) -> Vec<u64> {
    let mut counts = vec![0u64; 256];
    let whole = bits.len() / 8;
    for i in 0..whole {
        counts[bits.bits_at(i * 8, 8) as usize] += 1;
    }
    counts
}

/// (bits seen, z-score of the ones count) at `BIAS_POINTS` evenly spaced prefixes:
/// z = (2·ones − n)/√n, standard normal for unbiased independent bits at every n, so one
/// fixed ±3 band covers every prefix (the frequency test's statistic, as it grows).
pub(crate) fn running_bias(bits: &Bits) -> Vec<(f64, f64)> {
    let n = bits.len();
    let step = n.div_ceil(BIAS_POINTS).max(1);
    let mut points = Vec::with_capacity(BIAS_POINTS + 1);
    let mut ones = 0u64;
    let mut start = 0;
    while start < n {
        let end = (start + step).min(n);
        ones += bits.count_ones(start, end);
        let n = end as f64;
        points.push((n, (2.0 * ones as f64 - n) / n.sqrt()));
        start = end;
    }
    points
}

/// Autocorrelation of the ±1 sequence at lags 1..=`MAX_LAG`: (1/(n-k)) Σ x_i x_{i+k}, which
/// for independent unbiased bits has mean 0 and standard deviation 1/√(n-k).
pub(crate) fn autocorrelation(bits: &Bits) -> Vec<(f64, f64)> {
    let n = bits.len();
    (1..=MAX_LAG.min(n.saturating_sub(1)))
        .map(|k| {
            let pairs = n - k;
            // Count agreements 64 pairs at a time: bit i against bit i+k.
            let mut agree = 0u64;
            let mut i = 0;
            while i < pairs {
                let take = (pairs - i).min(64);
                let a = bits.bits_at(i, take);
                let b = bits.bits_at(i + k, take);
                agree += u64::from((!(a ^ b) & mask(take)).count_ones());
                i += take;
            }
            let sum = 2.0 * agree as f64 - pairs as f64;
            (k as f64, sum / pairs as f64)
        })
        .collect()
}

fn mask(bits: usize) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// The four figures for a report.
pub(crate) fn figures(bits: &Bits, report: &BatteryReport) -> Vec<Figure> {
    let n = bits.len() as f64;
    let mut out = Vec::new();

    let hist = p_value_histogram(report);
    let total: usize = hist.iter().sum();
    out.push(Figure {
        file: "p_values.svg",
        caption: format!(
            "All {total} p-values of the battery in ten bins; for random input they are uniform \
             ({:.1} per bin expected).",
            total as f64 / 10.0
        ),
        svg: bars(
            "p-values of every test",
            "p-value",
            "count",
            (0.0, 1.0),
            &hist.map(|c| c as f64),
            Some(total as f64 / 10.0),
        ),
    });

    let bytes = byte_histogram(bits);
    let whole: u64 = bytes.iter().sum();
    out.push(Figure {
        file: "bytes.svg",
        caption: format!(
            "Counts of the {whole} whole bytes by value; uniform input gives {:.1} ± {:.1} each.",
            whole as f64 / 256.0,
            (whole as f64 / 256.0 * (255.0 / 256.0)).sqrt()
        ),
        svg: bars(
            "byte values",
            "byte value",
            "count",
            (0.0, 256.0),
            &bytes.iter().map(|&c| c as f64).collect::<Vec<_>>(),
            Some(whole as f64 / 256.0),
        ),
    });

    let bias = running_bias(bits);
    out.push(Figure {
        file: "bias.svg",
        caption: "Bit bias over growing prefixes as a z-score, (ones − zeros)/√n; unbiased \
                  independent bits stay within ±3 (the band) at every length, and a drift \
                  out of it is a bias the frequency test will also see."
            .to_string(),
        svg: line(
            "running bit bias (z-score)",
            "bits",
            "(ones - zeros) / sqrt(n)",
            &bias,
            &Band {
                low: -3.0,
                high: 3.0,
                label: "±3".into(),
            },
        ),
    });

    let acf = autocorrelation(bits);
    let band = 3.0 / (n - MAX_LAG as f64).max(1.0).sqrt();
    out.push(Figure {
        file: "autocorrelation.svg",
        caption: format!(
            "Autocorrelation of the ±1 bit sequence at lags 1-{}; independent bits stay inside \
             ±3/√n = ±{band:.2e} (about one lag in 370 leaves it by chance).",
            acf.len()
        ),
        svg: line(
            "autocorrelation by lag",
            "lag (bits)",
            "correlation",
            &acf,
            &Band {
                low: -band,
                high: band,
                label: "±3/√n".into(),
            },
        ),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternating_bits_correlate_minus_one_at_odd_lags() {
        let bits = Bits::from_bytes(&[0b0101_0101; 32]);
        let acf = autocorrelation(&bits);
        assert_eq!(acf[0], (1.0, -1.0));
        assert_eq!(acf[1], (2.0, 1.0));
        assert_eq!(acf.len(), MAX_LAG);
    }

    #[test]
    fn byte_histogram_counts_whole_bytes_msb_first() {
        let bits = Bits::from_bytes(&[0x80, 0x80, 0x01]);
        let h = byte_histogram(&bits);
        assert_eq!((h[0x80], h[0x01], h.iter().sum::<u64>()), (2, 1, 3));
    }

    #[test]
    fn running_bias_is_the_frequency_z_score() {
        // 800 ones: z = 800/√800 = √800.
        let bits = Bits::from_bytes(&[0xff; 100]);
        let bias = running_bias(&bits);
        let &(n, z) = bias.last().unwrap();
        assert_eq!(n, 800.0);
        assert!((z - 800f64.sqrt()).abs() < 1e-12, "{z}");
        assert!(bias.len() <= BIAS_POINTS + 1);
    }
}
