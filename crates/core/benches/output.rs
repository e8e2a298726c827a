//! Criterion benches of the output path: conditioning and CTR_DRBG generation at 32 B,
//! 1 KiB and 1 MiB requests.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use wellspring_core::conditioning::{Conditioner, ConditionerKind};
use wellspring_core::drbg::{CtrDrbg, DrbgPolicy, MAX_REQUEST, SEED_LEN};

const SIZES: [(usize, &str); 3] = [(32, "32B"), (1024, "1KiB"), (1 << 20, "1MiB")];

/// Conditioning cost per byte of *input*: absorbing harvested samples credited at 2.5 bits
/// each (a typical fast source at the 0.5 safety factor) and squeezing blocks.
fn conditioning(c: &mut Criterion) {
    let mut group = c.benchmark_group("conditioning");
    for kind in [ConditionerKind::Sha256, ConditionerKind::HmacSha256] {
        for (size, label) in SIZES {
            let input: Vec<u8> = (0..size).map(|i| (i * 31 + 7) as u8).collect();
            group.throughput(Throughput::Bytes(size as u64));
            group.bench_with_input(
                BenchmarkId::new(format!("{kind:?}"), label),
                &input,
                |b, input| {
                    let mut conditioner = Conditioner::new(kind);
                    b.iter(|| {
                        // 128 samples × 2.5 bits = 320 bits: one block per 128 input bytes.
                        for chunk in input.chunks(128) {
                            conditioner.absorb(chunk, chunk.len() as f64 * 2.5);
                            std::hint::black_box(conditioner.squeeze());
                        }
                    });
                },
            );
        }
    }
    group.finish();
}

fn drbg(c: &mut Criterion) {
    let mut group = c.benchmark_group("ctr_drbg_generate");
    let policy = DrbgPolicy::strict(u64::MAX, std::time::Duration::from_secs(3600));
    for (size, label) in SIZES {
        let mut drbg = CtrDrbg::new(&[0x5a; SEED_LEN], policy);
        let mut out = vec![0u8; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(label, |b| {
            b.iter(|| {
                for chunk in out.chunks_mut(MAX_REQUEST) {
                    drbg.generate(chunk).unwrap();
                }
                std::hint::black_box(&out);
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(2));
    targets = conditioning, drbg
}
criterion_main!(benches);
