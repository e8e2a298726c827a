//! Assesses a sample file (one sample per byte) and prints the JSON report and the time
//! taken on stderr: `cargo run --release -p wellspring-assess --example assess_file -- FILE BITS [--iid]`.

use std::time::Instant;

use wellspring_assess::sp800_90b::{AssessOptions, assess};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: assess_file FILE BITS [--iid]");
        std::process::exit(2);
    }
    let data = std::fs::read(&args[1]).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e}", args[1]);
        std::process::exit(2)
    });
    let bits: u8 = args[2].parse().unwrap_or(0);
    let opts = AssessOptions {
        bits_per_sample: bits,
        iid: args.iter().any(|a| a == "--iid"),
        ..Default::default()
    };
    let start = Instant::now();
    match assess(&data, &opts) {
        Ok(report) => {
            eprintln!("assessed in {:.3} s", start.elapsed().as_secs_f64());
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}
