//! `wellspring assess` as a user runs it: the JSON contract, exit codes and messages.

mod common;

use common::{report, stdout_json, wellspring};

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("wellspring-assess-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// 20,000 bytes from splitmix64 (deterministic, uniform).
fn uniform_bytes() -> Vec<u8> {
    let mut state = 42u64;
    (0..20_000)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) as u8
        })
        .collect()
}

#[test]
fn json_follows_the_contract() {
    let path = temp_file("uniform.bin", &uniform_bytes());
    let v = stdout_json(&[
        "assess",
        path.to_str().unwrap(),
        "--bits-per-sample",
        "8",
        "--json",
    ]);
    assert_eq!(v["samples"], 20_000);
    assert_eq!(v["bits_per_sample"], 8);
    let keys = [
        "mcv",
        "collision",
        "markov",
        "compression",
        "t_tuple",
        "lrs",
        "multi_mcw",
        "lag",
        "multi_mmc",
        "lz78y",
    ];
    for set in ["original", "bitstring"] {
        let obj = v["estimators"][set].as_object().expect("estimator set");
        for key in keys {
            assert!(obj.contains_key(key), "{set}.{key} missing");
        }
    }
    // Binary-only estimators are null on 8-bit symbols and present on the bitstring.
    assert!(v["estimators"]["original"]["collision"].is_null());
    assert!(v["estimators"]["bitstring"]["collision"].is_f64());
    let h = v["h_assessed"].as_f64().unwrap();
    let ho = v["h_original"].as_f64().unwrap();
    let hb = v["h_bitstring"].as_f64().unwrap();
    assert!((h - ho.min(8.0 * hb)).abs() < 1e-12);
    assert!(h > 6.0 && h <= 8.0, "{h}");
    assert!(v["iid"].is_null());
    std::fs::remove_file(path).ok();
}

#[test]
fn binary_data_have_no_bitstring_and_iid_reports() {
    let bits: Vec<u8> = uniform_bytes().iter().map(|b| b & 1).collect();
    let path = temp_file("bits.bin", &bits);
    let v = stdout_json(&[
        "assess",
        path.to_str().unwrap(),
        "--bits-per-sample",
        "1",
        "--iid",
        "--seed",
        "7",
        "--json",
    ]);
    assert!(v["estimators"]["bitstring"].is_null());
    assert!(v["h_bitstring"].is_null());
    assert!(v["estimators"]["original"]["markov"].is_f64());
    assert!(v["iid"]["passed"].is_boolean());
    assert!(v["iid"]["h"].as_f64().unwrap() > 0.9);
    std::fs::remove_file(path).ok();
}

#[test]
fn bad_input_is_a_usage_error() {
    let path = temp_file("wide.bin", &[1, 2, 200]);
    let out = wellspring(&["assess", path.to_str().unwrap(), "--bits-per-sample", "4"]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{}", report(&out));
    assert!(err.contains("does not fit in 4 bits"), "{}", report(&out));

    let empty = temp_file("empty.bin", &[]);
    let out = wellspring(&["assess", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));

    let out = wellspring(&["assess", "/nonexistent/samples.bin"]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    let out = wellspring(&["assess", path.to_str().unwrap(), "--bits-per-sample", "9"]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    let out = wellspring(&["assess", "--source", "no_such_source", "--samples", "100"]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    std::fs::remove_file(path).ok();
    std::fs::remove_file(empty).ok();
}

#[test]
fn a_source_can_be_assessed_directly() {
    let v = stdout_json(&[
        "assess",
        "--source",
        "clock_jitter",
        "--samples",
        "20000",
        "--json",
    ]);
    assert_eq!(v["samples"], 20_000);
    assert!(v["h_assessed"].as_f64().unwrap() >= 0.0);
}
