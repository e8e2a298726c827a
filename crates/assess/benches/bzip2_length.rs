//! The compression statistic's length (SP 800-90B §5.1.11) on the text of 1,000,000 samples
//! at 8, 4 and 1 bits: counted by `Bzip2Length` against libbz2 compressing the same text, in
//! the same run. Kept short (10 samples) so `cargo bench` stays quick.

// criterion's macros generate undocumented functions.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use wellspring_assess::sp800_90b::iid::bzip2_length::{Bzip2Length, decimal_text, libbz2_len};

fn samples(n: usize, bits: u32) -> Vec<u8> {
    // splitmix64: deterministic, uniform.
    let mut state = 0x1234_5678u64;
    (0..n)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) & ((1 << bits) - 1)) as u8
        })
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
