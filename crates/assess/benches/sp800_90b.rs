//! Criterion benchmarks of the SP 800-90B estimators, one per estimator, on 100,000 8-bit
//! samples (800,000-bit bitstring) and on the whole assessment of 1,000,000 samples.
//! Kept short (10 samples, 2 s measurement) so `cargo bench` stays quick.

// criterion's macros generate undocumented functions.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use wellspring_assess::sp800_90b::{
    AssessOptions, assess, collision, compression, markov, mcv, predictors, symbols, tuple,
};

fn samples(n: usize) -> Vec<u8> {
    // splitmix64 bytes: deterministic, uniform.
    let mut state = 0x1234_5678u64;
    (0..n)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) as u8
        })
        .collect()
}

fn estimators(c: &mut Criterion) {
    let bytes = samples(100_000);
    let bits = symbols::bitstring(&bytes, 8, None);
    let mut g = c.benchmark_group("sp800_90b_100k");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(300));
    g.bench_function("mcv_bytes", |b| b.iter(|| mcv::mcv(black_box(&bytes), 256)));
    g.bench_function("collision_bits", |b| {
        b.iter(|| collision::collision(black_box(&bits)))
    });
    g.bench_function("markov_bits", |b| {
        b.iter(|| markov::markov(black_box(&bits)))
    });
    g.bench_function("compression_bits", |b| {
        b.iter(|| compression::compression(black_box(&bits)))
    });
    g.bench_function("tuple_lrs_bytes", |b| {
        b.iter(|| tuple::t_tuple_and_lrs(black_box(&bytes)))
    });
    g.bench_function("tuple_lrs_bits", |b| {
        b.iter(|| tuple::t_tuple_and_lrs(black_box(&bits)))
    });
    g.bench_function("multi_mcw_bytes", |b| {
        b.iter(|| predictors::multi_mcw::multi_mcw(black_box(&bytes), 256))
    });
    g.bench_function("multi_mcw_bits", |b| {
        b.iter(|| predictors::multi_mcw::multi_mcw(black_box(&bits), 2))
    });
    g.bench_function("lag_bytes", |b| {
        b.iter(|| predictors::lag::lag(black_box(&bytes), 256))
    });
    g.bench_function("lag_bits", |b| {
        b.iter(|| predictors::lag::lag(black_box(&bits), 2))
    });
    g.bench_function("multi_mmc_bytes", |b| {
        b.iter(|| predictors::multi_mmc::multi_mmc(black_box(&bytes), 256))
    });
    g.bench_function("multi_mmc_bits", |b| {
        b.iter(|| predictors::multi_mmc::multi_mmc(black_box(&bits), 2))
    });
    g.bench_function("lz78y_bytes", |b| {
        b.iter(|| predictors::lz78y::lz78y(black_box(&bytes), 256))
    });
    g.bench_function("lz78y_bits", |b| {
        b.iter(|| predictors::lz78y::lz78y(black_box(&bits), 2))
    });
    g.finish();
}

fn whole(c: &mut Criterion) {
    let bytes = samples(1_000_000);
    let mut g = c.benchmark_group("sp800_90b_1m");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .warm_up_time(Duration::from_millis(100));
    let opts = AssessOptions {
        bits_per_sample: 8,
        ..Default::default()
    };
    g.bench_function("assess_non_iid_8bit", |b| {
        b.iter(|| assess(black_box(&bytes), &opts).unwrap())
    });
    g.finish();
}

criterion_group!(benches, estimators, whole);
criterion_main!(benches);
