//! bzip2's Huffman code lengths (libbz2 1.0.8, `huffman.c`), reproduced rule for rule because
//! the compression statistic is the *exact* number of bytes libbz2 writes: a different but
//! equally optimal tree would change a length and so the statistic.
//!
//! The rules that matter: a symbol of frequency 0 weighs 1; weights carry the subtree depth in
//! their low 8 bits, so of two equal frequencies the shallower subtree is taken first; the heap
//! is 1-based with a zero-weight sentinel in slot 0 and is sifted exactly as libbz2 sifts it;
//! and when a code is longer than `max_len`, every weight is halved (`1 + w / 2`) and the tree
//! is built again.

/// Largest alphabet bzip2 codes: 256 byte values, RUNA/RUNB share two, plus end-of-block.
pub(crate) const MAX_ALPHA: usize = 258;

/// Packed weight: frequency in the high 24 bits, subtree depth in the low 8.
fn combine(a: u32, b: u32) -> u32 {
    ((a & !0xff) + (b & !0xff)) | (1 + (a & 0xff).max(b & 0xff))
}

/// Code lengths for `freq` (one per symbol), none longer than `max_len`, written to `len`.
pub(crate) fn code_lengths(freq: &[u32], max_len: u8, len: &mut [u8]) {
    let n = freq.len();
    debug_assert!((2..=MAX_ALPHA).contains(&n) && len.len() == n);
    // Nodes 1..=n are the symbols, n+1.. the merged subtrees; node 0 is the heap's sentinel.
    let mut weight = [0u32; 2 * MAX_ALPHA];
    let mut parent = [0i32; 2 * MAX_ALPHA];
    let mut heap = [0usize; MAX_ALPHA + 2];
    for (w, &f) in weight[1..=n].iter_mut().zip(freq) {
        *w = f.max(1) << 8;
    }
    loop {
        let mut nodes = n;
        let mut size = 0usize;
        heap[0] = 0;
        weight[0] = 0;
        parent[0] = -2;
        parent[1..=n].fill(-1);
        for i in 1..=n {
            size += 1;
            heap[size] = i;
            sift_up(&mut heap, &weight, size);
        }
        while size > 1 {
            let a = heap[1];
            heap[1] = heap[size];
            size -= 1;
            sift_down(&mut heap, &weight, size);
            let b = heap[1];
            heap[1] = heap[size];
            size -= 1;
            sift_down(&mut heap, &weight, size);
            nodes += 1;
            parent[a] = nodes as i32;
            parent[b] = nodes as i32;
            weight[nodes] = combine(weight[a], weight[b]);
            parent[nodes] = -1;
            size += 1;
            heap[size] = nodes;
            sift_up(&mut heap, &weight, size);
        }
        let mut too_long = false;
        for i in 1..=n {
            let mut depth = 0u8;
            let mut k = i;
            while parent[k] >= 0 {
                k = parent[k] as usize;
                depth += 1;
            }
            len[i - 1] = depth;
            too_long |= depth > max_len;
        }
        if !too_long {
            return;
        }
        for w in &mut weight[1..=n] {
            *w = (1 + (*w >> 8) / 2) << 8;
        }
    }
}

/// Moves `heap[at]` towards the root while it is strictly lighter than its parent.
fn sift_up(heap: &mut [usize], weight: &[u32], mut at: usize) {
    let node = heap[at];
    while weight[node] < weight[heap[at >> 1]] {
        heap[at] = heap[at >> 1];
        at >>= 1;
    }
    heap[at] = node;
}

/// Moves `heap[1]` down while a child is not heavier (the lighter child, the left on a tie).
fn sift_down(heap: &mut [usize], weight: &[u32], size: usize) {
    let mut at = 1;
    let node = heap[at];
    loop {
        let mut child = at << 1;
        if child > size {
            break;
        }
        if child < size && weight[heap[child + 1]] < weight[heap[child]] {
            child += 1;
        }
        if weight[node] < weight[heap[child]] {
            break;
        }
        heap[at] = heap[child];
        at = child;
    }
    heap[at] = node;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kraft sum of the lengths, scaled by 2^max.
    fn kraft(len: &[u8]) -> u64 {
        len.iter().map(|&l| 1u64 << (20 - l)).sum()
    }

    #[test]
    fn two_symbols_get_one_bit_each() {
        let mut len = [0u8; 2];
        code_lengths(&[5, 1000], 17, &mut len);
        assert_eq!(len, [1, 1]);
    }

    #[test]
    fn hand_built_tree() {
        // Frequencies 1, 1, 2, 4: the two 1s merge into a subtree of weight 2, which is
        // heavier than the leaf 2 (equal frequency, greater depth); those two merge into 4,
        // which merges with the leaf 4: lengths 3, 3, 2, 1.
        let mut len = [0u8; 4];
        code_lengths(&[1, 1, 2, 4], 17, &mut len);
        assert_eq!(len, [3, 3, 2, 1]);
        assert_eq!(kraft(&len), 1 << 20);
    }

    #[test]
    fn zero_frequencies_still_get_codes_and_lengths_are_capped() {
        // Fibonacci frequencies give a maximally deep tree (length n-1); the cap forces the
        // halving loop to run.
        let mut freq = vec![0u32; 30];
        let (mut a, mut b) = (1u32, 1u32);
        for f in &mut freq {
            *f = a;
            (a, b) = (b, a + b);
        }
        let mut len = vec![0u8; 30];
        code_lengths(&freq, 17, &mut len);
        assert!(len.iter().all(|&l| (1..=17).contains(&l)), "{len:?}");
        assert_eq!(kraft(&len), 1 << 20, "a full prefix code");
        let mut uncapped = vec![0u8; 30];
        code_lengths(&freq, 40, &mut uncapped);
        assert_eq!(*uncapped.iter().max().unwrap(), 29);
    }
}
