//! The compression statistic's length (SP 800-90B §5.1.11) on the text of 1,000,000 samples
//! at 8, 4 and 1 bits: counted by `Bzip2Length` against libbz2 compressing the same text, in
//! the same run. Kept short (10 samples) so `cargo bench` stays quick.

// criterion's macros generate undocumented functions.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256StarStar;
use wellspring_assess::sp800_90b::iid::bzip2_length::{Bzip2Length, decimal_text, libbz2_len};

fn samples(n: usize, bits: u32) -> Vec<u8> {
    // Deterministic, uniform: the generator the permutation tests shuffle with.
    let mut rng = Xoshiro256StarStar::seed_from_u64(0x1234_5678);
    (0..n)
        .map(|_| (rng.next_u64() & ((1 << bits) - 1)) as u8)
        .collect()
}

fn lengths(c: &mut Criterion) {
    let mut g = c.benchmark_group("bzip2_length_1m");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    for bits in [8, 4, 1] {
        let raw = samples(1_000_000, bits);
        let mut text = Vec::new();
        decimal_text(&raw, &mut text);
        let mut counter = Bzip2Length::default();
        assert_eq!(counter.compressed_len(&text, 5), libbz2_len(&text, 5));
        g.bench_function(format!("counted_{bits}bit"), |b| {
            b.iter(|| counter.compressed_len(black_box(&text), 5))
        });
        g.bench_function(format!("libbz2_{bits}bit"), |b| {
            b.iter(|| libbz2_len(black_box(&text), 5))
        });
        g.bench_function(format!("text_{bits}bit"), |b| {
            b.iter(|| decimal_text(black_box(&raw), &mut text))
        });
    }
    g.finish();
}

criterion_group!(benches, lengths);
criterion_main!(benches);
