//! Non-overlapping template matching, SP 800-22 §2.7, as sts 2.1.2 runs it: N = 8 blocks of
//! M = ⌊n/8⌋ bits; for each aperiodic m-bit template B, W_j counts its non-overlapping
//! occurrences in block j; λ = (M-m+1)/2^m, σ² = M(2^-m - (2m-1)/2^{2m}),
//! χ² = Σ(W_j - λ)²/σ², p = igamc(N/2, χ²/2).
//!
//! Templates are every aperiodic (borderless) m-bit word in increasing binary value, as in
//! sts's template files; sts tests at most 148 of them (MAXNUMOFTEMPLATES): all of them when
//! there are fewer than 148, otherwise every ⌊count/148⌋-th one (so for m = 10, the first 148
//! of 284). Because an aperiodic template cannot overlap itself, sts's scan-and-jump count
//! equals the number of windows equal to B, so one histogram of m-bit windows per block
//! serves every template.

use std::sync::OnceLock;

use super::Bits;
use super::special::igamc;

/// sts's MAXNUMOFTEMPLATES.
const MAX_TEMPLATES: usize = 148;
/// sts's block count N.
const BLOCKS: usize = 8;

/// Every aperiodic m-bit word (no proper prefix equals the suffix of the same length), in
/// increasing value.
pub fn aperiodic_templates(m: usize) -> Vec<u32> {
    assert!((1..=31).contains(&m), "template length {m}");
    (0u32..1 << m)
        .filter(|&v| (1..m).all(|s| v >> s != v & ((1u32 << (m - s)) - 1)))
        .collect()
}

/// The templates sts tests for length m (2..=21), in the order it reports them; computed
/// once per length (m = 21 scans 2^21 words).
pub fn sts_templates(m: usize) -> Vec<u32> {
    static CACHE: [OnceLock<Vec<u32>>; 22] = [const { OnceLock::new() }; 22];
    if m >= CACHE.len() {
        return select(aperiodic_templates(m));
    }
    CACHE[m]
        .get_or_init(|| select(aperiodic_templates(m)))
        .clone()
}

/// sts's choice among the aperiodic templates: all when fewer than 148, otherwise every
/// ⌊count/148⌋-th, at most 148.
fn select(all: Vec<u32>) -> Vec<u32> {
    let skip = if all.len() < MAX_TEMPLATES {
        1
    } else {
        all.len() / MAX_TEMPLATES
    };
    let count = (all.len() / skip).min(MAX_TEMPLATES);
    all.into_iter().step_by(skip).take(count).collect()
}

/// p-values of `templates` (aperiodic, length m) with `blocks` blocks of ⌊n/blocks⌋ bits.
pub(crate) fn template_p_values(
    bits: &Bits,
    m: usize,
    blocks: usize,
    templates: &[u32],
) -> Vec<f64> {
    let block_len = bits.len() / blocks;
    let lambda = (block_len - m + 1) as f64 / 2f64.powi(m as i32);
    let variance = block_len as f64
        * (1.0 / 2f64.powi(m as i32) - (2.0 * m as f64 - 1.0) / 2f64.powi(2 * m as i32));
    let mut counts = vec![Vec::with_capacity(blocks); templates.len()];
    let windows = |b: usize| bits.windows(b * block_len, block_len - m + 1, m);
    if m <= 16 {
        // A histogram of every window value serves all templates at once.
        let mut histogram = vec![0u32; 1 << m];
        for b in 0..blocks {
            histogram.iter_mut().for_each(|c| *c = 0);
            windows(b).for_each(|w| histogram[w as usize] += 1);
            for (c, &template) in counts.iter_mut().zip(templates) {
                c.push(histogram[template as usize]);
            }
        }
    } else {
        // Too many values for a histogram: look each window up among the templates.
        let mut sorted: Vec<(u32, usize)> = templates.iter().copied().zip(0..).collect();
        sorted.sort_unstable();
        for b in 0..blocks {
            counts.iter_mut().for_each(|c| c.push(0));
            for w in windows(b) {
                if let Ok(i) = sorted.binary_search_by_key(&w, |&(t, _)| t) {
                    counts[sorted[i].1][b] += 1;
                }
            }
        }
    }
    counts
        .iter()
        .map(|w| {
            let chi2: f64 = w
                .iter()
                .map(|&wj| ((wj as f64 - lambda) / variance.sqrt()).powi(2))
                .sum();
            igamc(blocks as f64 / 2.0, chi2 / 2.0)
        })
        .collect()
}

/// One p-value per template of [`sts_templates`]`(m)`, in that order. Errors when m is
/// outside 2..=21 (the lengths sts ships templates for) or a block is shorter than m.
pub fn non_overlapping_template(bits: &Bits, m: usize) -> Result<Vec<f64>, String> {
    if !(2..=21).contains(&m) {
        return Err(format!("template length m = {m} is outside 2..=21"));
    }
    if bits.len() / BLOCKS < m {
        return Err(format!("needs at least {} bits for m = {m}", BLOCKS * m));
    }
    Ok(template_p_values(bits, m, BLOCKS, &sts_templates(m)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_counts_match_sts_files() {
        // sts's numOfTemplates table: the number of aperiodic templates of length 2..=16.
        // (The lists themselves were compared once with sts's template2..template16 files:
        // identical, in the same order.)
        let counts = [
            2, 4, 6, 12, 20, 40, 74, 148, 284, 568, 1116, 2232, 4424, 8848, 17622,
        ];
        for (m, &c) in (2..=16).zip(&counts) {
            assert_eq!(aperiodic_templates(m).len(), c, "m = {m}");
        }
        // m = 3: 001, 011, 100, 110 (010 and 101 overlap themselves, 000/111 too).
        assert_eq!(aperiodic_templates(3), vec![0b001, 0b011, 0b100, 0b110]);
        let nine = sts_templates(9);
        assert_eq!(
            (nine.len(), nine[0], nine[147]),
            (148, 0b000000001, 0b111111110)
        );
        // m = 10: the first 148 of 284; m = 11: every third of 568.
        assert_eq!(sts_templates(10), aperiodic_templates(10)[..148].to_vec());
        let eleven = aperiodic_templates(11);
        assert_eq!(sts_templates(11)[1], eleven[3]);
        assert_eq!(sts_templates(11).len(), 148);
    }

    #[test]
    fn worked_example_of_section_2_7_4() {
        // ε = 10100100101110010110, N = 2, M = 10, B = 001: W = (2, 1), χ² = 2.133333,
        // P = 0.344154.
        let bits = Bits::from_ascii(b"10100100101110010110");
        let p = template_p_values(&bits, 3, 2, &[0b001]);
        assert!((p[0] - 0.344_154).abs() < 1e-6, "{p:?}");
    }

    #[test]
    fn template_lookup_agrees_with_the_histogram() {
        let bits = Bits::from_bytes(
            &(0..20_000u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
                .collect::<Vec<_>>(),
        );
        // m = 17 takes the lookup path; the same templates through a histogram, by hand.
        let templates = sts_templates(17);
        let got = template_p_values(&bits, 17, 8, &templates);
        let block = bits.len() / 8;
        for (t, &template) in templates.iter().enumerate().step_by(37) {
            let w: Vec<usize> = (0..8)
                .map(|b| {
                    (b * block..(b + 1) * block - 16)
                        .filter(|&i| bits.bits_at(i, 17) == template as u64)
                        .count()
                })
                .collect();
            let lambda = (block - 16) as f64 / 2f64.powi(17);
            let var = block as f64 * (2f64.powi(-17) - 33.0 / 2f64.powi(34));
            let chi2: f64 = w.iter().map(|&x| (x as f64 - lambda).powi(2) / var).sum();
            let want = igamc(4.0, chi2 / 2.0);
            assert!((got[t] - want).abs() < 1e-12, "{t}: {} vs {want}", got[t]);
        }
    }

    #[test]
    fn a_missing_template_is_rejected() {
        // 0x55 = 01010101 repeated never contains 000000001; 8 blocks each expected ~λ.
        let bits = Bits::from_bytes(&[0x55; 4000]);
        let p = non_overlapping_template(&bits, 9).unwrap();
        assert_eq!(p.len(), 148);
        assert!(p[0] < 1e-10, "{}", p[0]);
        assert!(non_overlapping_template(&bits, 22).is_err());
        assert!(non_overlapping_template(&Bits::from_bytes(&[0; 8]), 9).is_err());
    }
}
