//! Times the IID track on one file for a few fixed shuffle seeds and prints how many shuffles
//! each run needed (the IID time is set by that number, which is random):
//! `cargo run --release -p wellspring-assess --example iid_timing -- FILE BITS [SEEDS]`.

use std::time::Instant;

use wellspring_assess::sp800_90b::{AssessOptions, Symbols, iid};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let data = std::fs::read(&args[1]).expect("readable file");
    let bits: u8 = args[2].parse().expect("bits");
    let seeds: u64 = args.get(3).map_or(3, |s| s.parse().expect("seed count"));
    let symbols = Symbols::new(&data, bits).expect("valid samples");
    for seed in 1..=seeds {
        let opts = AssessOptions {
            seed: Some(seed),
            ..Default::default()
        };
        let start = Instant::now();
        let report = iid::assess_iid(&symbols, &opts).expect("an IID report");
        let shuffles = |s: &iid::Statistic| s.counts.iter().sum::<u32>();
        let most = report.permutation.iter().map(shuffles).max().unwrap_or(0);
        let compression = report.permutation.last().map_or(0, shuffles);
        let slowest = report
            .permutation
            .iter()
            .max_by_key(|s| shuffles(s))
            .map_or("-", |s| s.name);
        println!(
            "seed {seed}: {:.3} s, {most} shuffles (slowest: {slowest}), compression decided \
             after {compression}, passed {}",
            start.elapsed().as_secs_f64(),
            report.passed
        );
    }
}
