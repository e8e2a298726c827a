//! `wellspring compare` and the `--output` reports of `analyze` and `compare`, as a researcher
//! uses them: two recordings of one generator do not differ, a generator that lost two bits
//! does (with the reasons named), two sessions are compared source by source, the reports are
//! self-contained files with the figures, and bad input is refused with exit 2.

mod common;

use std::path::{Path, PathBuf};

use common::{stdout_json, wellspring, wellspring_ok};
use serde_json::Value;

fn output(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ws-compare-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `n` bytes of splitmix64 output, masked.
fn generator(n: usize, seed: u64, mask: u8) -> Vec<u8> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) as u8 & mask
        })
        .collect()
}

fn write(dir: &Path, name: &str, data: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    path.to_str().unwrap().to_owned()
}

fn entry(doc: &Value) -> &Value {
    let sources = doc["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1, "{doc}");
    &sources[0]
}

#[test]
fn two_files_of_one_generator_do_not_differ_and_a_weakened_one_does() {
    let dir = output("files");
    let a = write(&dir, "run1.bin", &generator(131_072, 1, 0xff));
    let b = write(&dir, "run2.bin", &generator(131_072, 2, 0xff));
    let weak = write(&dir, "weak.bin", &generator(131_072, 3, 0x3f));

    let doc = stdout_json(&["compare", &a, &b, "--json"]);
    let s = entry(&doc);
    assert_eq!(s["name"], "run1 vs run2");
    assert_eq!(s["differ"], false, "{s}");
    // The contract's fields, consistent with each other.
    let (ha, hb) = (s["h_a"].as_f64().unwrap(), s["h_b"].as_f64().unwrap());
    let d = s["h_difference"].as_f64().unwrap();
    assert!((d - (hb - ha)).abs() < 1e-12);
    let ci: Vec<f64> = s["h_difference_ci"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    // The interval is for the window difference, and covers it.
    let w = s["h_window_difference"].as_f64().unwrap();
    assert!(
        ci[0] <= w && w <= ci[1] && ci[0] < 0.0 && ci[1] > 0.0,
        "{ci:?} {w} {d}"
    );
    assert!(s["distribution_p"].as_f64().unwrap() > 0.001);
    assert!(
        s["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("no test rejects")
    );
    // The assessed figures are `assess`'s on the same files.
    assert_eq!(
        s["h_a"],
        stdout_json(&["assess", &a, "--json"])["h_assessed"]
    );

    let doc = stdout_json(&["compare", &a, &weak, "--json"]);
    let s = entry(&doc);
    assert_eq!(s["differ"], true, "{s}");
    assert!(s["distribution_p"].as_f64().unwrap() < 1e-100);
    assert!(s["h_difference"].as_f64().unwrap() < -1.5);
    let reasons: Vec<&str> = s["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        reasons.iter().any(|r| r.starts_with("distribution_p ")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("h_window_difference = ")),
        "{reasons:?}"
    );

    // The table names the verdict.
    let out = wellspring_ok(&["compare", &a, &weak]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("run1 vs weak") && table.contains("yes"),
        "{table}\n{}",
        common::report(&out)
    );
    // A p-value that underflowed reads `< 1e-300`, not `0.00e0`, in the table and reasons.
    assert!(
        table.contains("< 1e-300")
            && table.contains("distribution_p < 1e-300")
            && !table.contains("e0 "),
        "{table}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_sessions_are_compared_source_by_source() {
    let dir = output("sessions");
    for sources in ["clock_jitter,branch_timing", "branch_timing"] {
        wellspring_ok(&[
            "record",
            "--sources",
            sources,
            "--samples",
            "70000",
            "--output",
            dir.to_str().unwrap(),
        ]);
    }
    let mut sessions: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    sessions.sort();
    let report = dir.join("compare.html");
    let doc = stdout_json(&[
        "compare",
        sessions[0].to_str().unwrap(),
        sessions[1].to_str().unwrap(),
        "--json",
        "--output",
        report.to_str().unwrap(),
    ]);
    assert_eq!(doc["sources"].as_array().unwrap().len(), 1);
    assert_eq!(doc["sources"][0]["name"], "branch_timing");
    assert_eq!(doc["only_in_a"], serde_json::json!(["clock_jitter"]));
    assert_eq!(doc["only_in_b"], serde_json::json!([]));
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Histogram and autocorrelation of both sides.
    assert_eq!(html.matches("<svg").count(), 4, "{html}");
    assert!(html.contains("Only in A: clock_jitter"));

    // A session id is looked up under --sessions-dir.
    let id = std::fs::read_to_string(sessions[1].join("session.json")).unwrap();
    let id: Value = serde_json::from_str(&id).unwrap();
    let doc = stdout_json(&[
        "compare",
        sessions[0].to_str().unwrap(),
        id["id"].as_str().unwrap(),
        "--sessions-dir",
        dir.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(doc["sources"][0]["name"], "branch_timing");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn analyze_writes_self_contained_html_and_markdown_reports() {
    let dir = output("reports");
    // A period-32 square wave in noise: the spectrum figure must show it.
    let noise = generator(65_536, 5, 0x0f);
    let data: Vec<u8> = noise
        .iter()
        .enumerate()
        .map(|(i, x)| x + if i % 32 < 16 { 40 } else { 0 })
        .collect();
    let file = write(&dir, "wave.bin", &data);
    let html = dir.join("report.html");
    let md = dir.join("report.md");
    for report in [&html, &md] {
        let out = wellspring_ok(&[
            "analyze",
            "--file",
            &file,
            "--output",
            report.to_str().unwrap(),
        ]);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("wave"),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            common::report(&out)
        );
    }
    let page = std::fs::read_to_string(&html).unwrap();
    for title in [
        "wave: first 512 samples",
        "wave: values",
        "wave: autocorrelation",
        "wave: power spectrum",
        "wave: min-entropy per window",
    ] {
        assert!(page.contains(title), "missing {title}");
    }
    assert_eq!(page.matches("<svg").count(), 5);
    assert!(!page.contains("<script") && !page.contains("src=") && !page.contains("href="));
    let text = std::fs::read_to_string(&md).unwrap();
    assert_eq!(text.matches("](data:image/svg+xml;base64,").count(), 5);
    assert!(text.contains("| wave | 65536 |"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_a_usage_error_with_one_line_and_writes_nothing() {
    let dir = output("bad");
    let a = write(&dir, "a.bin", &generator(8192, 1, 0xff));
    let tiny = write(&dir, "tiny.bin", &[1, 2, 3]);
    let session = dir.join("not-a-session");
    std::fs::create_dir_all(&session).unwrap();
    let report = dir.join("report.pdf");
    for args in [
        vec!["compare", &a],
        vec!["compare", &a, "/no/such/file"],
        vec!["compare", &a, &tiny],
        vec!["compare", &a, session.to_str().unwrap()],
        vec!["compare", &a, &a, "--output", report.to_str().unwrap()],
        vec!["compare", &a, &a, "--bits-per-sample", "9"],
        vec![
            "analyze",
            "--file",
            &a,
            "--output",
            report.to_str().unwrap(),
        ],
    ] {
        let out = wellspring(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            common::report(&out)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.trim().is_empty(),
            "{args:?}: {}",
            common::report(&out)
        );
        assert!(
            !stderr.contains("panicked"),
            "{args:?}: {}",
            common::report(&out)
        );
    }
    assert!(!report.exists());
    let _ = std::fs::remove_dir_all(&dir);
}
