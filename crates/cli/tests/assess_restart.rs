//! `wellspring assess FILE --restart`: the restart test of SP 800-90B §3.1.4 as NIST's
//! `ea_restart` runs it: the JSON contract, the text summary, exit codes and messages.
//!
//! The expected figures are `ea_restart`'s (SP800-90B_EntropyAssessment v1.1.7, commit
//! 68ed165f): `ea_restart -i -v uniform4.bin 4 3.3`, `ea_restart -v binary.bin 1 0.6` and
//! `ea_restart -v biased_column.bin 8 7.0` on the files generated below (the same
//! generators as crates/assess/tests/restart_golden.rs, which records the full provenance).

mod common;

use common::{cold_wellspring_command, report};

const N: usize = 1_000_000;

fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut x = seed;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }
}

/// 4-bit uniform samples (`x >> 60`).
fn uniform4() -> Vec<u8> {
    let mut g = xorshift(0xD1B5_4A32_D192_ED03);
    (0..N).map(|_| (g() >> 60) as u8).collect()
}

/// Bits with P(1) = 0.625.
fn binary() -> Vec<u8> {
    let mut g = xorshift(0x2545_F491_4F6C_DD1D);
    (0..N).map(|_| u8::from((g() >> 56) < 160)).collect()
}

/// 8-bit uniform samples whose column 17 is 0x2a in about 40 % of the restarts.
fn biased_column() -> Vec<u8> {
    let mut g = xorshift(0x8CB9_2BA7_2F3D_8DD7);
    let mut m: Vec<u8> = (0..N).map(|_| (g() >> 56) as u8).collect();
    for i in 0..1000 {
        if (g() >> 56) < 102 {
            m[i * 1000 + 17] = 0x2a;
        }
    }
    m
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("wellspring-restart-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn run(args: &[&str]) -> std::process::Output {
    cold_wellspring_command()
        .args(args)
        .output()
        .expect("run wellspring")
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", report(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", report(&out)))
}

fn close(v: &serde_json::Value, tool: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - tool).abs() <= 5e-7 + 1e-12)
}

/// Exit 2 with one line on stderr.
fn usage_error(args: &[&str], needle: &str) {
    let out = run(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", report(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err}");
    assert!(out.stdout.is_empty(), "{args:?}");
}

#[test]
fn iid_restart_json_follows_the_contract() {
    let path = temp_file("uniform4.bin", &uniform4());
    let p = path.to_str().unwrap();
    let v = json(&[
        "assess",
        p,
        "--restart",
        "--bits-per-sample",
        "4",
        "--h-initial",
        "3.3",
        "--iid",
        "--json",
    ]);
    let r = &v["restart"];
    assert_eq!(r["h_initial"], 3.3);
    // ea_restart -i: H_r = H_c = 3.974494 (the MCV estimate), min(H_r, H_c, H_I) = 3.3.
    assert!(close(&r["h_r"], 3.974494), "{r}");
    assert!(close(&r["h_c"], 3.974494), "{r}");
    assert_eq!(r["h_validated"], 3.3);
    let s = &r["sanity"];
    assert_eq!(s["passed"], true);
    assert_eq!(s["max_row_count"], 98);
    assert_eq!(s["max_column_count"].as_u64().map(|c| c <= 98), Some(true));
    // The tool's simulated cutoff was 151 and 152 on two runs; the exact quantile is 151.
    assert_eq!(s["cutoff"], 151);
    for set in ["rows", "columns"] {
        let d = &r[set];
        assert_eq!(d["samples"], 1_000_000, "{set}");
        assert_eq!(d["bits_per_sample"], 4, "{set}");
        assert!(
            close(&d["estimators"]["original"]["mcv"], 3.974494),
            "{set}"
        );
        assert!(d["estimators"]["original"]["lz78y"].is_null(), "{set}");
        assert!(d["estimators"]["bitstring"].is_null(), "{set}");
        assert!(close(&d["h_assessed"], 3.974494), "{set}");
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn non_iid_binary_restart_matches_ea_restart() {
    let path = temp_file("binary.bin", &binary());
    let p = path.to_str().unwrap();
    let v = json(&[
        "assess",
        p,
        "--restart",
        "--bits-per-sample",
        "1",
        "--h-initial",
        "0.6",
        "--json",
    ]);
    let r = &v["restart"];
    assert!(close(&r["h_r"], 0.464812), "{r}");
    assert!(close(&r["h_c"], 0.464224), "{r}");
    assert!(close(&r["h_validated"], 0.464224), "{r}");
    assert_eq!(r["sanity"]["passed"], true);
    assert_eq!(
        r["sanity"]["max_row_count"]
            .as_u64()
            .max(r["sanity"]["max_column_count"].as_u64()),
        Some(676)
    );
    let rows = &r["rows"]["estimators"]["original"];
    assert!(close(&rows["compression"], 0.464812), "{rows}");
    assert!(close(&rows["collision"], 0.667882), "{rows}");
    assert!(close(&rows["lag"], 0.909047), "{rows}");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_biased_column_fails_the_sanity_check() {
    let path = temp_file("biased.bin", &biased_column());
    let p = path.to_str().unwrap();
    let args = [
        "assess",
        p,
        "--restart",
        "--bits-per-sample",
        "8",
        "--h-initial",
        "7",
    ];
    let v = json(&[&args[..], &["--json"]].concat());
    let r = &v["restart"];
    // ea_restart: X_cutoff 27, X_max 394, "*** Restart Sanity Check Failed ***".
    assert_eq!(r["sanity"]["passed"], false);
    assert_eq!(r["sanity"]["max_column_count"], 394);
    assert_eq!(r["sanity"]["cutoff"], 27);
    for key in ["h_validated", "h_r", "h_c", "rows", "columns", "validation"] {
        assert!(r[key].is_null(), "{key}: {r}");
    }
    // Text summary.
    let out = run(&args);
    assert!(out.status.success(), "{}", report(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("sanity        FAILED: X_max 394"), "{text}");
    assert!(text.contains("cutoff 27"), "{text}");
    assert!(text.contains("h_validated   -"), "{text}");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn bad_input_is_a_one_line_usage_error() {
    let short = temp_file("short.bin", &[1u8; 999_999]);
    let s = short.to_str().unwrap();
    usage_error(
        &["assess", s, "--restart", "--h-initial", "4", "--json"],
        "1000 x 1000 samples, not 999999",
    );
    let good = temp_file("good.bin", &uniform4());
    let g = good.to_str().unwrap();
    usage_error(
        &[
            "assess",
            g,
            "--restart",
            "--bits-per-sample",
            "4",
            "--h-initial",
            "4.5",
        ],
        "--h-initial 4.5 must be between 0 and the bits per sample (4)",
    );
    usage_error(
        &["assess", g, "--restart", "--bits-per-sample", "4"],
        "--restart needs --h-initial",
    );
    usage_error(
        &["assess", g, "--bits-per-sample", "4", "--h-initial", "3"],
        "--h-initial is for --restart",
    );
    usage_error(
        &[
            "assess",
            g,
            "--restart",
            "--bits-per-sample",
            "3",
            "--h-initial",
            "2",
        ],
        "does not fit in 3 bits",
    );
    let _ = std::fs::remove_file(&short);
    let _ = std::fs::remove_file(&good);
}
