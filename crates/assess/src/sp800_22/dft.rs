//! Discrete Fourier transform (spectral) test, SP 800-22 §2.6, as sts 2.1.2 computes it:
//! X = ±1, a real FFT (the `realfft` crate); N1 counts the magnitudes below
//! T = √(ln 20 · n) among the DC term and frequencies 1..⌈n/2⌉-1 (the Nyquist term is left
//! out), N0 = 0.95·n/2, d = (N1 - N0)/√(n·0.95·0.05/4), p = erfc(|d|/√2). The corrected
//! threshold is why the document's §2.6.8 examples (computed with √(3n)) disagree.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use realfft::{RealFftPlanner, RealToComplex};

use super::Bits;
use super::special::erfc;

/// sts's constant for ln 20 in the threshold √(2.995732274·n).
const LN_20: f64 = 2.995_732_274;

/// A planner and the plans it made, by length.
type Plans = (
    RealFftPlanner<f64>,
    HashMap<usize, Arc<dyn RealToComplex<f64>>>,
);

/// A forward real FFT of length n, planned once per length (planning 10^6 points costs about
/// as much as a quarter of the transform); a few lengths are kept.
fn plan(n: usize) -> Arc<dyn RealToComplex<f64>> {
    static PLANS: Mutex<Option<Plans>> = Mutex::new(None);
    let mut guard = PLANS.lock().unwrap_or_else(PoisonError::into_inner);
    let (planner, plans) = guard.get_or_insert_with(|| (RealFftPlanner::new(), HashMap::new()));
    if plans.len() >= 8 && !plans.contains_key(&n) {
        plans.clear();
    }
    plans
        .entry(n)
        .or_insert_with(|| planner.plan_fft_forward(n))
        .clone()
}

/// The bits as ±1.0, a word at a time.
fn plus_minus_one(bits: &Bits) -> Vec<f64> {
    let mut out = Vec::with_capacity(bits.words().len() * 64);
    for &w in bits.words() {
        out.extend(
            (0..64)
                .rev()
                .map(|j| if w >> j & 1 == 1 { 1.0 } else { -1.0 }),
        );
    }
    out.truncate(bits.len());
    out
}

/// The DFT test's p-value (`None` for fewer than two bits).
pub fn dft(bits: &Bits) -> Option<f64> {
    let n = bits.len();
    if n < 2 {
        return None;
    }
    let mut input = plus_minus_one(bits);
    let fft = plan(n);
    let mut spectrum = fft.make_output_vec();
    fft.process(&mut input, &mut spectrum).ok()?;
    let threshold = (LN_20 * n as f64).sqrt();
    // m[0] = |X_0|, m[i] = |X_i| for i = 1..n/2-1 (integer n/2, as sts counts).
    let below = (0..n / 2)
        .filter(|&i| {
            let c = spectrum[i];
            // sqrt(re² + im²) as sts writes it (not hypot).
            let magnitude = if i == 0 {
                c.re.abs()
            } else {
                (c.re * c.re + c.im * c.im).sqrt()
            };
            magnitude < threshold
        })
        .count();
    let nf = n as f64;
    let expected = 0.95 * nf / 2.0;
    let d = (below as f64 - expected) / (nf / 4.0 * 0.95 * 0.05).sqrt();
    Some(erfc(d.abs() / 2f64.sqrt()))
}

#[cfg(test)]
mod tests {
    use super::super::frequency::tests::PI_100;
    use super::*;

    #[test]
    fn worked_examples_of_section_2_6_8_with_the_corrected_threshold() {
        // §2.6.4 example, ε = 1001010011, n = 10: the document uses T = √(3n) and gets
        // N1 = 4, P = 0.029523. With sts's T = √(ln20 · 10) = 5.473 the counted magnitudes
        // |X_0..X_4| = (0, 2, 4.472, 2, 4.472) (hand-computed from the 10-point DFT) are all
        // below T, so N1 = 5, d = (5 - 4.75)/√(10·0.95·0.05/4) = 0.7255 and
        // P = erfc(0.7255/√2) = 0.468160 (sts 2.1.2 on these 10 bits prints 0.468160).
        let p = dft(&Bits::from_ascii(b"1001010011")).unwrap();
        assert!((p - 0.468_160).abs() < 1e-6, "{p}");
        // §2.6.8, the 100 bits of π: the document's P = 0.168669 uses T = √(3n) (N1 = 46);
        // sts's threshold leaves N1 = 47 (sts 2.1.2 run on these 100 bits prints 0.646355).
        let p = dft(&Bits::from_ascii(PI_100)).unwrap();
        assert!((p - 0.646_355).abs() < 1e-6, "{p}");
    }

    #[test]
    fn the_fft_matches_a_direct_dft() {
        // realfft against the defining sum on 1,000 ±1 values (even) and 999 (odd).
        for n in [1000usize, 999] {
            let mut x = 0x9e37_79b9_7f4a_7c15u64;
            let bits = Bits::from_ascii(
                &(0..n)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        b'0' + (x & 1) as u8
                    })
                    .collect::<Vec<_>>(),
            );
            let mut input = plus_minus_one(&bits);
            let signal = input.clone();
            let fft = plan(n);
            let mut spectrum = fft.make_output_vec();
            fft.process(&mut input, &mut spectrum).unwrap();
            for k in [0, 1, 2, 17, 250, n / 2 - 1, n / 2] {
                let (mut re, mut im) = (0.0, 0.0);
                for (j, v) in signal.iter().enumerate() {
                    let angle = -2.0 * std::f64::consts::PI * (k * j % n) as f64 / n as f64;
                    re += v * angle.cos();
                    im += v * angle.sin();
                }
                let c = spectrum[k];
                assert!(
                    (c.re - re).abs() < 1e-9 && (c.im - im).abs() < 1e-9,
                    "n {n} k {k}"
                );
            }
        }
    }

    #[test]
    fn a_pure_tone_is_rejected() {
        // Period-4 square wave 1100…: all the energy in one bin, every other magnitude 0,
        // so N1 = n/2 - 1 instead of 0.95·n/2.
        let p = dft(&Bits::from_bytes(&[0xcc; 1000])).unwrap();
        assert!(p < 1e-10, "{p}");
        assert_eq!(dft(&Bits::from_ascii(b"1")), None);
    }
}
