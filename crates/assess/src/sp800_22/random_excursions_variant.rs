//! Random excursions variant, SP 800-22 §2.15, as sts 2.1.2 runs it: with J cycles as in
//! the random excursions test and ξ(x) the total visits to state x,
//! p = erfc(|ξ(x) - J| / √(2J(4|x| - 2))) for x in −9..−1, 1..9. When J < max(0.005√n, 500)
//! (cast to an integer) sts writes 0 for every state; reported here as an error.

use super::Bits;
use super::random_excursions::check_cycles;
use super::special::erfc;

/// The eighteen states, in sts's order.
pub const VARIANT_STATES: [i32; 18] = [
    -9, -8, -7, -6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7, 8, 9,
];

/// Visits to each state −9..=9 (index x + 9) and the cycle count J.
fn visits(bits: &Bits) -> ([u64; 19], usize) {
    let mut visits = [0u64; 19];
    let (mut s, mut zeros) = (0i64, 0usize);
    for b in bits.iter() {
        s += if b { 1 } else { -1 };
        zeros += usize::from(s == 0);
        if (-9..=9).contains(&s) {
            visits[(s + 9) as usize] += 1;
        }
    }
    (visits, zeros + usize::from(s != 0))
}

fn p_value(xi: u64, j: usize, x: i32) -> f64 {
    let jf = j as f64;
    erfc((xi as f64 - jf).abs() / (2.0 * jf * (4.0 * x.abs() as f64 - 2.0)).sqrt())
}

/// The eighteen p-values for states −9..−1, 1..9.
pub fn random_excursions_variant(bits: &Bits) -> Result<[f64; 18], String> {
    let (xi, j) = visits(bits);
    check_cycles(j, bits.len(), true)?;
    Ok(std::array::from_fn(|i| {
        let x = VARIANT_STATES[i];
        p_value(xi[(x + 9) as usize], j, x)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_of_section_2_15_4() {
        // ε = 0110110101: J = 3, ξ(1) = 4 → P = erfc(1/√12) = 0.683091 (the document runs the
        // example without the J ≥ 500 requirement, so the formula is checked directly).
        let (xi, j) = visits(&Bits::from_ascii(b"0110110101"));
        assert_eq!((j, xi[10], xi[8], xi[11]), (3, 4, 1, 3));
        assert!((p_value(xi[10], j, 1) - 0.683_091).abs() < 1e-6);
        assert!(random_excursions_variant(&Bits::from_ascii(b"0110110101")).is_err());
    }

    #[test]
    fn identical_excursions_are_rejected() {
        // ξ(x) = 2J for x = 1..9 and 0 for x < 0, against an expected J.
        let bits = super::super::random_excursions::tests::mountains();
        let p = random_excursions_variant(&bits).unwrap();
        assert!(p.iter().all(|&p| p < 1e-6), "{p:?}");
    }
}
