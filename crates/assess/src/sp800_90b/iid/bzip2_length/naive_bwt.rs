//! The Burrows–Wheeler transform by sorting rotations one comparison at a time: slow, obvious,
//! and the reference the fast transform and the coder are tested with.

/// Last column of the sorted cyclic rotations of `block`.
pub(crate) fn bwt(block: &[u8]) -> Vec<u8> {
    let n = block.len();
    let doubled: Vec<u8> = block.iter().chain(block).copied().collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| doubled[a..a + n].cmp(&doubled[b..b + n]));
    order.iter().map(|&i| block[(i + n - 1) % n]).collect()
}
