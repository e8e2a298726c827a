//! Runs one SP 800-90B estimator on a file, for memory and time profiling:
//! `cargo run --release -p wellspring-assess --example one_estimator -- FILE NAME [bits|bytes]`.

use wellspring_assess::sp800_90b::{
    collision, compression, markov, mcv, predictors, symbols, tuple,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let data = std::fs::read(&args[1]).expect("readable file");
    let s = symbols::Symbols::new(&data, 8).expect("valid samples");
    let bits = s.bitstring(None);
    let (seq, k): (&[u8], usize) = if args.get(3).map(String::as_str) == Some("bits") {
        (&bits, 2)
    } else {
        (&s.symbols, s.k)
    };
    let h = match args[2].as_str() {
        "mcv" => mcv::mcv(seq, k),
        "collision" => collision::collision(seq),
        "markov" => markov::markov(seq),
        "compression" => compression::compression(seq),
        "tuple" => tuple::t_tuple_and_lrs(seq).and_then(|r| r.t_tuple),
        "multi_mcw" => predictors::multi_mcw::multi_mcw(seq, k),
        "lag" => predictors::lag::lag(seq, k),
        "multi_mmc" => predictors::multi_mmc::multi_mmc(seq, k),
        "lz78y" => predictors::lz78y::lz78y(seq, k),
        other => panic!("unknown estimator {other}"),
    };
    println!("{h:?}");
}
