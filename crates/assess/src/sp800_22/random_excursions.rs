//! Random excursions, SP 800-22 §2.14, as sts 2.1.2 runs it: the ±1 walk is cut into J
//! cycles at its zeros (plus a final cycle when S_n ≠ 0); for each state x in −4..−1, 1..4,
//! ν_k(x) counts cycles visiting x exactly k times (k = 0..4, ≥ 5);
//! χ² = Σ (ν_k - Jπ_k(x))²/(Jπ_k(x)), p = igamc(5/2, χ²/2). When J < max(0.005√n, 500) sts
//! writes 0 for every state ("not applicable"); when J > max(1000, n/100) it aborts. Both are
//! reported here as errors (the battery's "skipped").

use super::Bits;
use super::special::igamc;

/// The eight states, in sts's order.
pub const EXCURSION_STATES: [i32; 8] = [-4, -3, -2, -1, 1, 2, 3, 4];

/// sts's π_k(|x|) table, to 10 decimals (SP 800-22 §3.14).
const PI: [[f64; 6]; 4] = [
    [0.5, 0.25, 0.125, 0.0625, 0.03125, 0.03125],
    [
        0.75,
        0.0625,
        0.046875,
        0.03515625,
        0.0263671875,
        0.0791015625,
    ],
    [
        0.8333333333,
        0.02777777778,
        0.02314814815,
        0.01929012346,
        0.01607510288,
        0.0803755143,
    ],
    [
        0.875,
        0.015625,
        0.013671875,
        0.01196289063,
        0.0104675293,
        0.0732727051,
    ],
];

/// Number of cycles J of the walk, as sts counts them.
#[cfg(test)]
pub(crate) fn cycles(bits: &Bits) -> usize {
    let mut s = 0i64;
    let mut zeros = 0;
    for b in bits.iter() {
        s += if b { 1 } else { -1 };
        zeros += usize::from(s == 0);
    }
    zeros + usize::from(s != 0)
}

/// sts's applicability bounds on J for n bits, with its messages.
pub(crate) fn check_cycles(j: usize, n: usize, min_as_int: bool) -> Result<(), String> {
    let mut min = (0.005 * (n as f64).sqrt()).max(500.0);
    if min_as_int {
        min = min.trunc();
    }
    if (j as f64) < min {
        return Err(format!("too few cycles: J = {j} < {min}"));
    }
    Ok(())
}

/// The eight p-values for states −4..−1, 1..4 (errors as the module says).
pub fn random_excursions(bits: &Bits) -> Result<[f64; 8], String> {
    let n = bits.len();
    let max_cycles = 1000.max(n / 100);
    let mut nu = [[0u64; 6]; 8];
    let mut visits = [0u32; 9];
    let (mut s, mut j) = (0i64, 0usize);
    let mut close_cycle = |visits: &mut [u32; 9]| {
        for (i, &x) in EXCURSION_STATES.iter().enumerate() {
            let count = visits[(x + 4) as usize] as usize;
            nu[i][count.min(5)] += 1;
        }
        *visits = [0; 9];
    };
    for b in bits.iter() {
        s += if b { 1 } else { -1 };
        if s == 0 {
            j += 1;
            if j > max_cycles {
                return Err(format!("too many cycles: more than {max_cycles}"));
            }
            close_cycle(&mut visits);
        } else if (-4..=4).contains(&s) {
            visits[(s + 4) as usize] += 1;
        }
    }
    if s != 0 {
        j += 1;
        close_cycle(&mut visits);
    }
    check_cycles(j, n, false)?;
    let jf = j as f64;
    Ok(std::array::from_fn(|i| {
        let pi = &PI[EXCURSION_STATES[i].unsigned_abs() as usize - 1];
        let chi2: f64 = (0..6)
            .map(|k| (nu[i][k] as f64 - jf * pi[k]).powi(2) / (jf * pi[k]))
            .sum();
        igamc(2.5, chi2 / 2.0)
    }))
}

#[cfg(test)]
pub(in crate::sp800_22) mod tests {
    use super::*;

    #[test]
    fn cycles_of_the_section_2_14_4_example() {
        // ε = 0110110101: S = -1,0,1,0,1,2,1,2,1,2 → zeros at 2 and 4, S_n ≠ 0: J = 3.
        assert_eq!(cycles(&Bits::from_ascii(b"0110110101")), 3);
        assert!(random_excursions(&Bits::from_ascii(b"0110110101")).is_err());
    }

    #[test]
    fn a_walk_that_never_leaves_the_axis_has_too_many_cycles() {
        // 0101…: a zero every two steps, n/2 cycles > n/100.
        let err = random_excursions(&Bits::from_bytes(&[0x55; 200_000])).unwrap_err();
        assert!(err.contains("too many"), "{err}");
    }

    /// 5,000 identical excursions 1^100 0^100 (n = 10^6, J = 5000 within sts's bounds).
    pub(in crate::sp800_22) fn mountains() -> Bits {
        let one = [b"1".repeat(100), b"0".repeat(100)].concat();
        Bits::from_ascii(&one.repeat(5000))
    }

    #[test]
    fn identical_excursions_are_rejected() {
        // Every cycle visits each of 1..4 exactly twice and no negative state: every state's
        // visit-count distribution is a single class against the π table.
        let bits = mountains();
        assert_eq!(cycles(&bits), 5000);
        let p = random_excursions(&bits).unwrap_or_else(|e| panic!("{e}"));
        assert!(p.iter().all(|&p| p < 1e-6), "{p:?}");
    }
}
