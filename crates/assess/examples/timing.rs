//! Times each estimator on one file: `cargo run --release -p wellspring-assess --example timing -- FILE BITS`.

use std::time::Instant;

use wellspring_assess::sp800_90b::{
    collision, compression, markov, mcv, predictors, symbols, tuple,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let data = std::fs::read(&args[1]).expect("readable file");
    let bits: u8 = args[2].parse().expect("bits");
    let s = symbols::Symbols::new(&data, bits).expect("valid samples");
    let b = s.bitstring(None);
    let t = |name: &str, f: &dyn Fn() -> Option<f64>| {
        let start = Instant::now();
        let r = f();
        eprintln!("{name:>20}: {:8.3} s  {r:?}", start.elapsed().as_secs_f64());
    };
    t("mcv bytes", &|| mcv::mcv(&s.symbols, s.k));
    t("collision bits", &|| collision::collision(&b));
    t("markov bits", &|| markov::markov(&b));
    t("compression bits", &|| compression::compression(&b));
    t("tuple bytes", &|| {
        tuple::t_tuple_and_lrs(&s.symbols).and_then(|r| r.lrs)
    });
    t("tuple bits", &|| {
        tuple::t_tuple_and_lrs(&b).and_then(|r| r.lrs)
    });
    t("mcw bytes", &|| {
        predictors::multi_mcw::multi_mcw(&s.symbols, s.k)
    });
    t("mcw bits", &|| predictors::multi_mcw::multi_mcw(&b, 2));
    t("lag bytes", &|| predictors::lag::lag(&s.symbols, s.k));
    t("lag bits", &|| predictors::lag::lag(&b, 2));
    t("mmc bytes", &|| {
        predictors::multi_mmc::multi_mmc(&s.symbols, s.k)
    });
    t("mmc bits", &|| predictors::multi_mmc::multi_mmc(&b, 2));
    t("lz78y bytes", &|| predictors::lz78y::lz78y(&s.symbols, s.k));
    t("lz78y bits", &|| predictors::lz78y::lz78y(&b, 2));
}
