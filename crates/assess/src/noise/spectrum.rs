//! The power spectrum of a series, averaged over windows (Bartlett's method: the mean of the
//! periodograms of non-overlapping windows, each with its own mean removed), normalised by
//! the series' variance so that white noise is 1 at every frequency (its periodogram
//! ordinates are then approximately exponential with mean 1; averaging w windows makes them
//! Gamma(w, 1/w), which is how large a peak must be to stand out). Frequencies are in cycles
//! per sample, 1/W to ½.

use realfft::RealFftPlanner;
use serde::Serialize;

/// One spectral peak.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Peak {
    /// Cycles per sample (0 < f ≤ ½).
    pub frequency: f64,
    /// Power relative to white noise of the same variance.
    pub power: f64,
    /// In Hz, for a recorded session (cycles per sample × the source's mean sample rate);
    /// absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency_hz: Option<f64>,
}

/// The averaged, normalised spectrum at frequencies k/`window` for k = 1..=window/2; empty
/// when the series is shorter than one window or constant.
pub fn averaged_spectrum(samples: &[u8], window: usize) -> Vec<f64> {
    let windows = samples.len() / window.max(2);
    if windows == 0 {
        return Vec::new();
    }
    let mut planner = RealFftPlanner::<f64>::new();
    let fft = planner.plan_fft_forward(window);
    let mut input = fft.make_input_vec();
    let mut output = fft.make_output_vec();
    let mut sum = vec![0.0; window / 2];
    let mut variance_sum = 0.0;
    for chunk in samples.chunks_exact(window).take(windows) {
        let mean = chunk.iter().map(|&x| f64::from(x)).sum::<f64>() / window as f64;
        for (slot, &x) in input.iter_mut().zip(chunk) {
            *slot = f64::from(x) - mean;
        }
        variance_sum += input.iter().map(|d| d * d).sum::<f64>() / window as f64;
        if fft.process(&mut input, &mut output).is_err() {
            return Vec::new();
        }
        for (k, s) in sum.iter_mut().enumerate() {
            *s += output[k + 1].norm_sqr() / window as f64;
        }
    }
    let variance = variance_sum / windows as f64;
    if variance == 0.0 {
        return Vec::new();
    }
    sum.iter().map(|s| s / windows as f64 / variance).collect()
}

/// The `count` strongest local maxima of `spectrum` (as [`averaged_spectrum`] returns it for
/// `window`), strongest first.
pub fn peaks(spectrum: &[f64], window: usize, count: usize) -> Vec<Peak> {
    let mut found: Vec<Peak> = (0..spectrum.len())
        .filter(|&k| {
            let left = k == 0 || spectrum[k] >= spectrum[k - 1];
            let right = k + 1 == spectrum.len() || spectrum[k] > spectrum[k + 1];
            left && right
        })
        .map(|k| Peak {
            frequency: (k + 1) as f64 / window as f64,
            power: spectrum[k],
            frequency_hz: None,
        })
        .collect();
    found.sort_by(|a, b| b.power.total_cmp(&a.power));
    found.truncate(count);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn a_period_of_16_peaks_at_one_sixteenth() {
        let mut state = 7u64;
        let series: Vec<u8> = (0..65_536)
            .map(|i| {
                let wave = 40.0 * (2.0 * std::f64::consts::PI * i as f64 / 16.0).sin();
                let noise = (xorshift(&mut state) >> 58) as f64;
                (128.0 + wave + noise).round() as u8
            })
            .collect();
        let spectrum = averaged_spectrum(&series, 1024);
        let top = peaks(&spectrum, 1024, 3);
        assert_eq!(top[0].frequency, 0.0625);
        assert!(top[0].power > 100.0, "{top:?}");
    }

    #[test]
    fn white_noise_is_flat_at_one() {
        let mut state = 99u64;
        let series: Vec<u8> = (0..262_144)
            .map(|_| (xorshift(&mut state) >> 56) as u8)
            .collect();
        let spectrum = averaged_spectrum(&series, 256);
        let mean = spectrum.iter().sum::<f64>() / spectrum.len() as f64;
        assert!((mean - 1.0).abs() < 0.02, "{mean}");
        // 1,024 windows averaged: ordinates ~ Gamma(1024, 1/1024), sd 1/32; none beyond 1.25.
        assert!(
            spectrum.iter().all(|&p| p < 1.25),
            "{:?}",
            peaks(&spectrum, 256, 1)
        );
        assert!(averaged_spectrum(&[3; 100], 16).is_empty());
    }
}
