//! Serial test, SP 800-22 §2.11, as sts 2.1.2 computes it: ψ²_k = 2^k/n Σν² - n over the
//! circular k-bit pattern counts (ψ²_0 = ψ²_{-1} = 0); ∇ψ² = ψ²_m - ψ²_{m-1},
//! ∇²ψ² = ψ²_m - 2ψ²_{m-1} + ψ²_{m-2}; p1 = igamc(2^{m-2}, ∇ψ²/2),
//! p2 = igamc(2^{m-3}, ∇²ψ²/2). (The document's §2.11.5 formulas omit the /2 that its example
//! and sts apply.)

use super::Bits;
use super::approximate_entropy::{circular_counts, fold};
use super::special::igamc;

fn psi2(counts: &[u64], n: f64) -> f64 {
    let sum: f64 = counts.iter().map(|&c| (c as f64).powi(2)).sum();
    sum * counts.len() as f64 / n - n
}

/// The serial test's two p-values for block length m (2..=24).
pub fn serial(bits: &Bits, m: usize) -> Result<[f64; 2], String> {
    if !(2..=24).contains(&m) {
        return Err(format!("block length m = {m} is outside 2..=24"));
    }
    let n = bits.len();
    if n < m {
        return Err(format!("needs at least m = {m} bits"));
    }
    let nf = n as f64;
    let c0 = circular_counts(bits, m);
    let c1 = fold(&c0);
    let psi0 = psi2(&c0, nf);
    let psi1 = psi2(&c1, nf);
    let psi2_ = if m == 2 { 0.0 } else { psi2(&fold(&c1), nf) };
    let del1 = psi0 - psi1;
    let del2 = psi0 - 2.0 * psi1 + psi2_;
    Ok([
        igamc(2f64.powi(m as i32 - 1) / 2.0, del1 / 2.0),
        igamc(2f64.powi(m as i32 - 2) / 2.0, del2 / 2.0),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_of_section_2_11_4() {
        // ε = 0011011101, m = 3: ∇ψ² = 1.6, ∇²ψ² = 0.8 → P1 = 0.808792, P2 = 0.670320.
        let [p1, p2] = serial(&Bits::from_ascii(b"0011011101"), 3).unwrap();
        assert!((p1 - 0.808_792).abs() < 1e-6, "{p1}");
        assert!((p2 - 0.670_320).abs() < 1e-6, "{p2}");
    }

    #[test]
    fn a_periodic_sequence_is_rejected_and_bad_m_refused() {
        let [p1, p2] = serial(&Bits::from_bytes(&[0x96; 10_000]), 16).unwrap();
        assert!(p1 < 1e-10 && p2 < 1e-10, "{p1} {p2}");
        assert!(serial(&Bits::from_bytes(&[0x96; 10]), 1).is_err());
    }
}
