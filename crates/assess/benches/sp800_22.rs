//! Criterion benchmarks of the SP 800-22 battery: all fifteen tests (default parameters, run
//! in parallel) on 10^6 and 10^7 bits (and 10^8 with `SP800_22_BENCH_1E8=1`), and each test
//! alone on 10^6 bits. The data are
//! splitmix64 words, little-endian (the same generator and seed as the sts golden tests, so
//! NIST's sts can be timed on the very same 10^6 bits). Short runs (10 samples) keep
//! `cargo bench` quick.

// criterion's macros generate undocumented functions.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use wellspring_assess::sp800_22::{self as sp, BatteryParams, Bits, run_battery};

fn splitmix_bits(seed: u64, bytes: usize) -> Bits {
    let mut state = seed;
    let mut out = Vec::with_capacity(bytes + 8);
    while out.len() < bytes {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(bytes);
    Bits::from_bytes(&out)
}

fn battery(c: &mut Criterion) {
    let params = BatteryParams::default();
    let mut g = c.benchmark_group("sp800_22_battery");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    let mut sizes = vec![("1e6_bits", 125_000), ("1e7_bits", 1_250_000)];
    // 10^8 bits take seconds per run and ~2 GB for the FFT: only on request.
    if std::env::var_os("SP800_22_BENCH_1E8").is_some() {
        sizes.push(("1e8_bits", 12_500_000));
    }
    for (label, bytes) in sizes {
        let bits = splitmix_bits(22, bytes);
        g.bench_function(label, |b| b.iter(|| run_battery(black_box(&bits), &params)));
    }
    g.finish();
}

fn each_test(c: &mut Criterion) {
    let bits = splitmix_bits(22, 125_000);
    let mut g = c.benchmark_group("sp800_22_1e6");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(1))
        .warm_up_time(Duration::from_millis(200));
    let b = &bits;
    g.bench_function("frequency", |x| x.iter(|| sp::frequency(black_box(b))));
    g.bench_function("block_frequency", |x| {
        x.iter(|| sp::block_frequency(black_box(b), 128))
    });
    g.bench_function("cumulative_sums", |x| {
        x.iter(|| sp::cumulative_sums(black_box(b)))
    });
    g.bench_function("runs", |x| x.iter(|| sp::runs(black_box(b))));
    g.bench_function("longest_run", |x| x.iter(|| sp::longest_run(black_box(b))));
    g.bench_function("rank", |x| x.iter(|| sp::rank(black_box(b))));
    g.bench_function("dft", |x| x.iter(|| sp::dft(black_box(b))));

    g.bench_function("non_overlapping_template", |x| {
        x.iter(|| sp::non_overlapping_template(black_box(b), 9))
    });
    g.bench_function("overlapping_template", |x| {
        x.iter(|| sp::overlapping_template(black_box(b), 9))
    });
    g.bench_function("universal", |x| x.iter(|| sp::universal(black_box(b))));
    g.bench_function("approximate_entropy", |x| {
        x.iter(|| sp::approximate_entropy(black_box(b), 10))
    });
    g.bench_function("random_excursions", |x| {
        x.iter(|| sp::random_excursions(black_box(b)))
    });
    g.bench_function("random_excursions_variant", |x| {
        x.iter(|| sp::random_excursions_variant(black_box(b)))
    });
    g.bench_function("serial", |x| x.iter(|| sp::serial(black_box(b), 16)));
    g.bench_function("linear_complexity", |x| {
        x.iter(|| sp::linear_complexity(black_box(b), 500))
    });
    g.finish();
}

criterion_group!(benches, battery, each_test);
criterion_main!(benches);
