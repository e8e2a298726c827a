//! t-Tuple (SP 800-90B §6.3.5) and Longest Repeated Substring (§6.3.6) estimates, which
//! share one suffix array and LCP array.
//!
//! Every group of equal length-W substrings is a node ("lcp-interval") of the suffix
//! tree read off the LCP array with a stack: a node of depth ℓ whose parent has depth ℓp
//! and which spans c suffixes stands for a substring repeated c times for every W in
//! (ℓp, ℓ]. So `Q[W]` (largest count of any W-tuple) is a suffix maximum over node depths,
//! and Σ C(c, 2) over W-tuples is a range sum — one linear pass serves both estimators.

use super::numeric::Z_ALPHA;

/// A tuple must occur at least this often to count (§6.3.5 step 1: "at least 35 times").
const TUPLE_CUTOFF: u64 = 35;

/// Outcome of the t-tuple and LRS estimators on one sequence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TupleResult {
    /// t-Tuple min-entropy per symbol; `None` when no tuple occurs 35 times.
    pub t_tuple: Option<f64>,
    /// LRS min-entropy per symbol; `None` when the LRS is shorter than u = t + 1.
    pub lrs: Option<f64>,
    /// t: the longest tuple length with a count of at least 35 (u - 1).
    pub t: usize,
    /// v: the length of the longest repeated substring.
    pub v: usize,
}

/// Suffix array and LCP array (`lcp[i]` = common prefix of suffixes `sa[i-1]`, `sa[i]`;
/// `lcp[0] = 0`).
pub(crate) fn suffix_lcp(text: &[u8]) -> (Vec<u32>, Vec<u32>) {
    let n = text.len();
    if n == 0 {
        return (Vec::new(), Vec::new());
    }
    let (_, sa) = divsufsort::sort(text).into_parts();
    let sa: Vec<u32> = sa.into_iter().map(|i| i as u32).collect();
    // The Φ algorithm (Kärkkäinen, Manzini and Puglisi, CPM 2009): the LCP of each suffix
    // with its predecessor in sorted order, computed in text order (as Kasai et al. 2001,
    // but with fewer random accesses), then permuted into sorted order.
    const NONE: u32 = u32::MAX;
    let mut plcp = vec![0u32; n];
    plcp[sa[0] as usize] = NONE;
    for pair in sa.windows(2) {
        plcp[pair[1] as usize] = pair[0];
    }
    let mut h = 0usize;
    for i in 0..n {
        // plcp[i] still holds Φ(i), the suffix sorted just before suffix i.
        let previous = plcp[i];
        if previous == NONE {
            plcp[i] = 0;
            h = 0;
            continue;
        }
        let j = previous as usize;
        while i + h < n && j + h < n && text[i + h] == text[j + h] {
            h += 1;
        }
        plcp[i] = h as u32;
        h = h.saturating_sub(1);
    }
    let lcp: Vec<u32> = sa.iter().map(|&s| plcp[s as usize]).collect();
    (sa, lcp)
}

/// Length of the longest repeated substring of `text` (0 if none repeats).
pub fn longest_repeat(text: &[u8]) -> usize {
    if text.len() < 2 {
        return 0;
    }
    let (_, lcp) = suffix_lcp(text);
    lcp.iter().copied().max().unwrap_or(0) as usize
}

/// Runs the t-tuple and LRS estimators on `text` (any symbols). `None` for fewer than two
/// symbols.
pub fn t_tuple_and_lrs(text: &[u8]) -> Option<TupleResult> {
    let n = text.len();
    if n < 2 {
        return None;
    }
    let lcp = super::bit_prefix::lcp_of_bits(text).unwrap_or_else(|| suffix_lcp(text).1);
    let v = lcp.iter().copied().max().unwrap_or(0) as usize;
    // best[ℓ]: largest node size at depth ℓ; pairs[W]: difference array of Σ C(c,2).
    let mut best = vec![1u64; v + 2];
    let mut pairs = vec![0i128; v + 2];
    let mut stack: Vec<(u32, usize)> = vec![(0, 0)];
    for (i, &l) in lcp.iter().skip(1).chain(std::iter::once(&0)).enumerate() {
        let i = i + 1;
        let mut lb = i - 1;
        while l < stack.last().map_or(0, |t| t.0) {
            let (depth, start) = stack.pop().unwrap_or((0, 0));
            lb = start;
            let count = (i - start) as u64;
            let parent = l.max(stack.last().map_or(0, |t| t.0));
            let d = depth as usize;
            best[d] = best[d].max(count);
            let c2 = i128::from(count * (count - 1) / 2);
            pairs[parent as usize + 1] += c2;
            pairs[d + 1] -= c2;
        }
        if l > stack.last().map_or(0, |t| t.0) {
            stack.push((l, lb));
        }
    }
    // Q[W] = max over nodes at depth ≥ W.
    let mut q = vec![1u64; v + 2];
    let mut running = 1u64;
    for w in (1..=v).rev() {
        running = running.max(best[w]);
        q[w] = running;
    }
    let mut u = 1;
    while u <= v && q[u] >= TUPLE_CUTOFF {
        u += 1;
    }
    let nf = n as f64;
    let bound = |p: f64| {
        let pu = (p + Z_ALPHA * (p * (1.0 - p) / (nf - 1.0)).sqrt()).min(1.0);
        -pu.log2()
    };
    let t_tuple = (u > 1).then(|| {
        let p_max = (1..u)
            .map(|i| (q[i] as f64 / (n - i + 1) as f64).powf(1.0 / i as f64))
            .fold(-1.0, f64::max);
        bound(p_max)
    });
    let lrs = (v >= u).then(|| {
        let mut sum = 0i128;
        let mut p_max = 0.0f64;
        for (w, &delta) in pairs.iter().enumerate().take(v + 1).skip(1) {
            sum += delta;
            if w < u {
                continue;
            }
            // §6.3.6 step 3: P_W = Σ C(c_x, 2) / C(n - W + 1, 2).
            let choices = ((n - w) as f64) * ((n - w + 1) as f64) / 2.0;
            let p = (sum as f64 / choices).powf(1.0 / w as f64);
            p_max = p_max.max(p);
        }
        bound(p_max)
    });
    Some(TupleResult {
        t_tuple,
        lrs,
        t: u - 1,
        v,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute-force counts of every W-tuple.
    fn counts(text: &[u8], w: usize) -> std::collections::HashMap<&[u8], u64> {
        let mut m = std::collections::HashMap::new();
        for t in text.windows(w) {
            *m.entry(t).or_insert(0) += 1;
        }
        m
    }

    #[test]
    fn matches_brute_force() {
        let mut x = 12345u64;
        let text: Vec<u8> = (0..3000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 3) as u8
            })
            .collect();
        let r = t_tuple_and_lrs(&text).unwrap();
        let n = text.len();
        let mut t = 0;
        let mut p_max: f64 = -1.0;
        while counts(&text, t + 1).values().copied().max().unwrap() >= 35 {
            t += 1;
            let q = *counts(&text, t).values().max().unwrap() as f64;
            p_max = p_max.max((q / (n - t + 1) as f64).powf(1.0 / t as f64));
        }
        assert_eq!(r.t, t);
        let expected =
            -(p_max + Z_ALPHA * (p_max * (1.0 - p_max) / (n as f64 - 1.0)).sqrt()).log2();
        assert!((r.t_tuple.unwrap() - expected).abs() < 1e-12);
        let v = (1..n)
            .take_while(|&w| counts(&text, w).values().any(|&c| c > 1))
            .last()
            .unwrap();
        assert_eq!(r.v, v);
        let mut p_lrs: f64 = 0.0;
        for w in t + 1..=v {
            let s: u64 = counts(&text, w).values().map(|&c| c * (c - 1) / 2).sum();
            let choices = ((n - w + 1) * (n - w) / 2) as f64;
            p_lrs = p_lrs.max((s as f64 / choices).powf(1.0 / w as f64));
        }
        let expected =
            -(p_lrs + Z_ALPHA * (p_lrs * (1.0 - p_lrs) / (n as f64 - 1.0)).sqrt()).log2();
        assert!((r.lrs.unwrap() - expected).abs() < 1e-12);
        assert_eq!(longest_repeat(&text), v);
    }
}
