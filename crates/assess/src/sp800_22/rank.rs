//! Binary matrix rank, SP 800-22 §2.5: N = ⌊n/1024⌋ disjoint 32×32 matrices over GF(2),
//! filled row by row from consecutive bits (leftover bits discarded); the counts of full rank,
//! rank 31 and lower against the product-formula probabilities, p = exp(-χ²/2) (χ² with two
//! degrees of freedom), as sts computes it.

use super::Bits;

/// Probability that a random 32×32 GF(2) matrix has rank `r` (SP 800-22 §3.5).
fn rank_probability(r: i32) -> f64 {
    let product: f64 = (0..r)
        .map(|i| {
            let a = 1.0 - 2f64.powi(i - 32);
            a * a / (1.0 - 2f64.powi(i - r))
        })
        .product();
    2f64.powi(r * (64 - r) - 1024) * product
}

/// Rank over GF(2) of 32 rows of 32 bits, by Gaussian elimination.
fn gf2_rank(mut rows: [u32; 32]) -> u32 {
    let mut rank = 0;
    for col in (0..32).rev() {
        let bit = 1u32 << col;
        let Some(pivot) = (rank as usize..32).find(|&r| rows[r] & bit != 0) else {
            continue;
        };
        rows.swap(rank as usize, pivot);
        let p = rows[rank as usize];
        for row in rows.iter_mut().skip(rank as usize + 1) {
            if *row & bit != 0 {
                *row ^= p;
            }
        }
        rank += 1;
    }
    rank
}

/// The rank test's p-value (`None` below 1024 bits, where sts reports no matrix).
pub fn rank(bits: &Bits) -> Option<f64> {
    let matrices = bits.len() / 1024;
    if matrices == 0 {
        return None;
    }
    let (mut full, mut one_less) = (0usize, 0usize);
    for k in 0..matrices {
        let rows: [u32; 32] = std::array::from_fn(|r| bits.bits_at(k * 1024 + r * 32, 32) as u32);
        match gf2_rank(rows) {
            32 => full += 1,
            31 => one_less += 1,
            _ => {}
        }
    }
    let n = matrices as f64;
    let (p32, p31) = (rank_probability(32), rank_probability(31));
    let p30 = 1.0 - (p32 + p31);
    let rest = n - (full + one_less) as f64;
    let chi2 = (full as f64 - n * p32).powi(2) / (n * p32)
        + (one_less as f64 - n * p31).powi(2) / (n * p31)
        + (rest - n * p30).powi(2) / (n * p30);
    Some((-chi2 / 2.0).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_match_section_3_5() {
        // SP 800-22 §3.5: p_32 ≈ 0.2888, p_31 ≈ 0.5776, p_30 ≈ 0.1336.
        assert!((rank_probability(32) - 0.288_788).abs() < 1e-6);
        assert!((rank_probability(31) - 0.577_576).abs() < 1e-6);
    }

    #[test]
    fn gf2_rank_of_known_matrices() {
        let identity: [u32; 32] = std::array::from_fn(|r| 1 << r);
        assert_eq!(gf2_rank(identity), 32);
        let mut dup = identity;
        dup[5] = dup[7] ^ dup[9];
        assert_eq!(gf2_rank(dup), 31);
        assert_eq!(gf2_rank([0; 32]), 0);
        assert_eq!(gf2_rank([0xdead_beef; 32]), 1);
        // The document's 3×3 examples of §2.5.4, embedded in the top-left corner.
        let mut m = [0u32; 32];
        m[0] = 0b010 << 29;
        m[1] = 0b110 << 29;
        m[2] = 0b001 << 29;
        assert_eq!(gf2_rank(m), 3);
        m[2] = 0b100 << 29;
        assert_eq!(gf2_rank(m), 2);
    }

    #[test]
    fn all_full_rank_is_rejected_and_short_input_skipped() {
        // Every matrix is the identity: 100% full rank against an expected 29%.
        let mut bytes = Vec::new();
        for _ in 0..50 {
            for r in 0..32u32 {
                bytes.extend_from_slice(&(1u32 << (31 - r)).to_be_bytes());
            }
        }
        let p = rank(&Bits::from_bytes(&bytes)).unwrap();
        assert!(p < 1e-6, "{p}");
        assert_eq!(rank(&Bits::from_bytes(&[0; 127])), None);
    }
}
