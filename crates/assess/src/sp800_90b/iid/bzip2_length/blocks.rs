//! How libbz2 cuts its input into blocks when it is given everything at once with
//! `BZ_FINISH` (as `BZ2_bzBuffToBuffCompress` does), after its first run-length stage (RLE1:
//! a run of 4-255 equal bytes becomes 4 bytes and a count byte).
//!
//! libbz2 keeps the current run pending and adds it to the block only when the run ends, and
//! it checks "is the block full" (at least `100000 × level − 19` bytes) before it takes each
//! input byte. So a block holds whole runs, often a byte or two over the limit, the pending
//! run moves on to the next block, and the last block takes whatever is left.

use std::ops::Range;

/// Bytes after which libbz2 closes a block at `level` (1-9), `nblockMAX`.
pub(crate) fn block_limit(level: u32) -> usize {
    100_000 * level as usize - 19
}

/// The blocks of `input` as ranges of it, when RLE1 leaves it unchanged (no run of four or
/// more equal bytes); `None` otherwise.
pub(crate) fn plain_blocks(input: &[u8], level: u32) -> Option<Vec<Range<usize>>> {
    if has_run_of_four(input) {
        return None;
    }
    let limit = block_limit(level);
    let mut blocks = Vec::with_capacity(input.len() / limit + 1);
    let mut start = 0;
    // Before taking byte i the block holds everything before the run that byte i - 1 is in;
    // so the block closes at the first run start r ≥ start + limit that has a byte after it.
    loop {
        let mut r = start + limit;
        while r < input.len() && input[r] == input[r - 1] {
            r += 1;
        }
        if r + 1 >= input.len() {
            break;
        }
        blocks.push(start..r);
        start = r;
    }
    if !input.is_empty() {
        blocks.push(start..input.len());
    }
    Some(blocks)
}

/// Whether four consecutive bytes of `input` are equal (checked a chunk at a time, so the
/// comparisons vectorize).
fn has_run_of_four(input: &[u8]) -> bool {
    const CHUNK: usize = 4096;
    if input.len() < 4 {
        return false;
    }
    let last = input.len() - 3;
    (0..last).step_by(CHUNK).any(|from| {
        let to = (from + CHUNK).min(last);
        let (a, b, c, d) = (
            &input[from..to],
            &input[from + 1..to + 1],
            &input[from + 2..to + 2],
            &input[from + 3..to + 3],
        );
        a.iter()
            .zip(b)
            .zip(c)
            .zip(d)
            .fold(false, |found, (((a, b), c), d)| {
                found | ((a == b) & (b == c) & (c == d))
            })
    })
}

/// The same cut by following libbz2's loop byte by byte (the reference for [`plain_blocks`]).
#[cfg(test)]
fn plain_blocks_bytewise(input: &[u8], level: u32) -> Option<Vec<Range<usize>>> {
    let limit = block_limit(level);
    let mut blocks = Vec::new();
    let mut start = 0; // first byte of the open block
    let mut run_start = 0; // first byte of the pending run, which is not yet in the block
    for (i, &b) in input.iter().enumerate() {
        if run_start - start >= limit {
            blocks.push(start..run_start);
            start = run_start;
        }
        if i > 0 && b == input[i - 1] {
            if i - run_start >= 3 {
                return None;
            }
        } else {
            run_start = i;
        }
    }
    if !input.is_empty() {
        blocks.push(start..input.len());
    }
    Some(blocks)
}

/// RLE1 output of `input` cut into blocks, for any input (slower; the reference path).
#[cfg(test)]
pub(crate) fn rle1_blocks(input: &[u8], level: u32) -> Vec<Vec<u8>> {
    let limit = block_limit(level);
    let mut blocks = Vec::new();
    let mut block = Vec::new();
    let mut run: Option<(u8, usize)> = None;
    let flush = |block: &mut Vec<u8>, run: Option<(u8, usize)>| {
        if let Some((b, n)) = run {
            block.extend(std::iter::repeat_n(b, n.min(4)));
            if n >= 4 {
                block.push((n - 4) as u8);
            }
        }
    };
    for &b in input {
        if block.len() >= limit {
            blocks.push(std::mem::take(&mut block));
        }
        run = match run {
            Some((c, n)) if c == b && n < 255 => Some((c, n + 1)),
            other => {
                flush(&mut block, other);
                Some((b, 1))
            }
        };
    }
    flush(&mut block, run);
    if !block.is_empty() {
        blocks.push(block);
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_blocks_agree_with_rle1_when_there_are_no_long_runs() {
        let limit = block_limit(1);
        // Runs of 1-3 placed so that some fall across the limit.
        let mut input = Vec::new();
        let mut x = 7u32;
        while input.len() < 3 * limit + 1000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let byte = b'0' + (x >> 16) as u8 % 3;
            let run = 1 + (x >> 24) as usize % 3;
            if input.last() != Some(&byte) {
                input.extend(std::iter::repeat_n(byte, run));
            }
        }
        for cut in [
            limit - 2,
            limit - 1,
            limit,
            limit + 1,
            limit + 2,
            2 * limit,
            input.len(),
        ] {
            let part = &input[..cut];
            let plain: Vec<Vec<u8>> = plain_blocks(part, 1)
                .expect("no long runs")
                .into_iter()
                .map(|r| part[r].to_vec())
                .collect();
            assert_eq!(plain, rle1_blocks(part, 1), "cut at {cut}");
            assert_eq!(plain_blocks(part, 1), plain_blocks_bytewise(part, 1));
            // Every tail, so that each place a block can end meets the end of the input.
            for tail in limit - 4..(limit + 8).min(part.len()) {
                let p = &part[..tail];
                assert_eq!(plain_blocks(p, 1), plain_blocks_bytewise(p, 1), "{tail}");
            }
        }
        assert_eq!(plain_blocks(b"12 3333 4", 1), None);
        let one_block = plain_blocks(b"12 333 4", 1).expect("no long runs");
        assert_eq!((one_block.len(), one_block[0].clone()), (1, 0..8));
        assert_eq!(plain_blocks(b"4444", 1), None);
        let mut long = vec![b'1'; 9000];
        long.iter_mut().step_by(3).for_each(|b| *b = b' ');
        assert!(plain_blocks(&long, 1).is_some());
        long[8000..8004].fill(b'7');
        assert_eq!(plain_blocks(&long, 1), None, "a run far into the input");
        assert_eq!(plain_blocks(b"", 1), Some(vec![]));
    }
}
