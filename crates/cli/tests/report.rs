//! `wellspring report` as a user runs it: the JSON contract on the first 10^6 bits of e
//! (whose p-values SP 800-22 rev1a appendix B publishes), input formats, overrides, the
//! Markdown report with its figures, the self-contained HTML report, multi-stream analysis,
//! a source's samples, the graded run over the default sources (whose raw samples are
//! expected to fail SP 800-22), tests that did not run, and bad input.

mod common;

use std::path::PathBuf;
use std::process::Output;

use common::{wellspring, wellspring_ok};

fn e_bits() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../assess/tests/data/e_1e6.bin")
        .to_string_lossy()
        .into_owned()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wellspring-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", common::report(out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}): {}", common::report(out)))
}

const NAMES: [&str; 15] = [
    "frequency",
    "block_frequency",
    "cumulative_sums",
    "runs",
    "longest_run",
    "rank",
    "dft",
    "non_overlapping_template",
    "overlapping_template",
    "universal",
    "approximate_entropy",
    "random_excursions",
    "random_excursions_variant",
    "serial",
    "linear_complexity",
];

#[test]
fn json_follows_the_contract_on_the_bits_of_e() {
    let v = json(&wellspring(&[
        "report",
        "--file",
        &e_bits(),
        "--bits",
        "1000000",
        "--json",
    ]));
    assert_eq!(v["bits"], 1_000_000);
    assert_eq!(v["alpha"], 0.01);
    let tests = v["tests"].as_array().unwrap();
    let names: Vec<&str> = tests.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, NAMES);
    let p = |i: usize| tests[i]["p_values"].as_array().unwrap().clone();
    // SP 800-22 rev1a appendix B, the first 10^6 bits of e: frequency 0.953749, block
    // frequency (M=128) 0.211072, runs 0.561917.
    assert!((p(0)[0].as_f64().unwrap() - 0.953749).abs() < 1e-6);
    assert!((p(1)[0].as_f64().unwrap() - 0.211072).abs() < 1e-6);
    assert!((p(3)[0].as_f64().unwrap() - 0.561917).abs() < 1e-6);
    assert_eq!(p(2).len(), 2);
    assert_eq!(p(7).len(), 148, "sts's 148 templates of length 9");
    assert_eq!(p(11).len(), 8);
    assert_eq!(p(12).len(), 18);
    assert_eq!(p(13).len(), 2);
    assert_eq!(tests[1]["params"]["m"], 128);
    assert_eq!(tests[13]["params"]["m"], 16);
    assert_eq!(tests[14]["params"]["m"], 500);
    for t in tests {
        assert!(t["passed"].is_boolean());
    }
}

#[test]
fn set_overrides_one_parameter_and_rejects_nonsense() {
    let v = json(&wellspring(&[
        "report",
        "--file",
        &e_bits(),
        "--bits",
        "100000",
        "--set",
        "block_frequency.m=20",
        "--json",
    ]));
    assert_eq!(v["tests"][1]["params"]["m"], 20);
    for bad in [
        "block_frequency.m=abc",
        "nosuch.m=3",
        "serial",
        "frequency.m=4",
    ] {
        let out = wellspring(&["report", "--file", &e_bits(), "--set", bad]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{bad}: {}",
            common::report(&out)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            err.trim().lines().count(),
            1,
            "{bad}: {}",
            common::report(&out)
        );
    }
}

#[test]
fn ascii_and_bytes_read_the_same_bits() {
    let bytes: Vec<u8> = (0..4000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let bin = temp("same.bin");
    std::fs::write(&bin, &bytes).unwrap();
    // The same bits as text, with spaces, newlines and stray characters that are ignored.
    let mut text = String::new();
    for (i, b) in bytes.iter().enumerate() {
        text.push_str(&format!("{b:08b}"));
        text.push(if i % 8 == 7 { '\n' } else { ' ' });
    }
    let txt = temp("same.txt");
    std::fs::write(&txt, format!("# header x\n{text}")).unwrap();
    let a = json(&wellspring(&[
        "report",
        "--file",
        bin.to_str().unwrap(),
        "--json",
    ]));
    let b = json(&wellspring(&[
        "report",
        "--file",
        txt.to_str().unwrap(),
        "--input-format",
        "ascii",
        "--json",
    ]));
    assert_eq!(a["bits"], 32_000);
    assert_eq!(a, b);
}

#[test]
fn markdown_report_with_figures() {
    let md = temp("e.md");
    let out = wellspring_ok(&[
        "report",
        "--file",
        &e_bits(),
        "--bits",
        "200000",
        "--output",
        md.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# SP 800-22 statistical test report"));
    for name in NAMES {
        assert!(
            text.contains(&format!("| {name} |")),
            "summary row for {name}"
        );
    }
    let figures = md.with_file_name("e_figures");
    for f in [
        "p_values.svg",
        "bytes.svg",
        "bias.svg",
        "autocorrelation.svg",
    ] {
        assert!(text.contains(&format!("(e_figures/{f})")));
        let svg = std::fs::read_to_string(figures.join(f)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{f}"
        );
    }
    // The terminal summary names every test too.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("linear_complexity") && stdout.contains("report written to"),
        "{stdout}\n{}",
        common::report(&out)
    );
}

#[test]
fn streams_add_sts_final_analysis() {
    let v = json(&wellspring(&[
        "report",
        "--file",
        &e_bits(),
        "--bits",
        "1000000",
        "--streams",
        "10",
        "--json",
    ]));
    let s = &v["streams"];
    assert_eq!(s["streams"], 10);
    assert_eq!(s["bits_per_stream"], 100_000);
    let frequency = &s["tests"][0]["rows"][0];
    assert_eq!(frequency["sample_size"], 10);
    let hist: u64 = frequency["histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .sum();
    assert_eq!(hist, 10);
    // The whole-input battery is still there, as the contract requires.
    assert_eq!(v["tests"].as_array().unwrap().len(), 15);
}

#[test]
fn a_source_can_be_tested_directly() {
    // --bits keeps its meaning: bits of the source, even when not a whole number of samples.
    let v = json(&wellspring(&[
        "report",
        "--source",
        "clock_jitter",
        "--bits",
        "20001",
        "--json",
    ]));
    assert_eq!(v["bits"], 20_001);
}

#[test]
fn samples_count_samples_of_eight_bits() {
    let v = json(&wellspring(&[
        "report",
        "--source",
        "memory_timing",
        "--samples",
        "20000",
        "--json",
    ]));
    assert_eq!(v["bits"], 160_000);
    assert_eq!(v["tests"].as_array().unwrap().len(), 15);
}

#[test]
fn samples_and_bits_together_are_a_usage_error() {
    for source in [&["--source", "memory_timing"][..], &[]] {
        let mut args = vec!["report"];
        args.extend_from_slice(source);
        args.extend_from_slice(&["--samples", "1000", "--bits", "8000", "--json"]);
        let out = wellspring(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            common::report(&out)
        );
        assert!(out.stdout.is_empty(), "{args:?}: {}", common::report(&out));
        // The parser finds the conflict: its whole message, with the usage line.
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("Usage: wellspring report"),
            "{args:?}: {}",
            common::report(&out)
        );
        assert!(
            err.contains("--samples") && err.contains("--bits"),
            "{args:?}: {}",
            common::report(&out)
        );
    }
}

/// The default sources as `scan` lists them: available, not slow, not platform generators.
fn scan_names() -> Vec<String> {
    let v = json(&wellspring(&["scan", "--json"]));
    v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["available"] == true)
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn without_arguments_every_default_source_is_graded() {
    // 2,000 samples (16,000 bits) keep the run short; the contract is the same.
    let v = json(&wellspring(&["report", "--samples", "2000", "--json"]));
    let entries = v["sources"].as_array().unwrap();
    let failed = v
        .get("failed")
        .and_then(|f| f.as_array())
        .map_or(0, Vec::len);
    assert!(entries.len() >= 10, "{} sources", entries.len());
    let available = scan_names();
    let mut names: Vec<&str> = Vec::new();
    for e in entries {
        let name = e["name"].as_str().unwrap();
        assert!(available.iter().any(|a| a == name), "{name} is available");
        names.push(name);
        let grade = e["grade"].as_str().unwrap();
        assert!(
            ["A", "B", "C", "D", "F"].contains(&grade),
            "{name}: {grade}"
        );
        let h = e["h_assessed"].as_f64().expect("h_assessed is a number");
        assert!((0.0..=8.0).contains(&h), "{name}: {h}");
        let report = &e["report"];
        assert_eq!(report["bits"], 16_000, "{name}");
        assert_eq!(report["alpha"], 0.01);
        let tests: Vec<&str> = report["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(tests, NAMES, "{name}");
        assert_eq!(
            e.as_object().unwrap().len(),
            4,
            "exactly name, grade, h_assessed, report"
        );
    }
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), entries.len(), "one entry per source");
    assert!(
        names.contains(&"clock_jitter"),
        "clock_jitter runs everywhere"
    );
    assert_eq!(failed, 0, "{}", v["failed"]);
}

#[test]
fn without_arguments_text_and_markdown_have_a_section_per_source() {
    let md = temp("sources.md");
    let out = wellspring_ok(&[
        "report",
        "--samples",
        "1000",
        "--output",
        md.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("== clock_jitter: grade "),
        "{stdout}\n{}",
        common::report(&out)
    );
    assert!(
        stdout.contains("== summary ==") && stdout.contains("report written to"),
        "{stdout}\n{}",
        common::report(&out)
    );
    // Nothing on stderr when it is a pipe: no progress bar.
    assert!(out.stderr.is_empty(), "{}", common::report(&out));
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# SP 800-22 and SP 800-90B report of the default sources"));
    assert!(text.contains("\n## clock_jitter\n"), "a section per source");
    assert!(text.contains("### Summary") && text.contains("#### frequency"));
    let svg = md.with_file_name("sources_figures/clock_jitter/bytes.svg");
    assert!(std::fs::read_to_string(svg).unwrap().starts_with("<svg"));
    assert!(text.contains("(sources_figures/clock_jitter/bytes.svg)"));
}

#[test]
fn bad_input_is_a_usage_error() {
    let empty = temp("empty.bin");
    std::fs::write(&empty, b"").unwrap();
    let short = temp("short.bin");
    std::fs::write(&short, [1u8; 10]).unwrap();
    let cases: Vec<Vec<String>> = vec![
        vec!["--file".into(), empty.to_string_lossy().into()],
        vec![
            "--file".into(),
            short.to_string_lossy().into(),
            "--bits".into(),
            "81".into(),
        ],
        vec!["--file".into(), "/nonexistent/bits.bin".into()],
        vec![
            "--file".into(),
            short.to_string_lossy().into(),
            "--streams".into(),
            "100".into(),
        ],
        vec!["--source".into(), "no_such_source".into()],
        // --samples counts a source's samples; a file takes --bits.
        vec![
            "--file".into(),
            short.to_string_lossy().into(),
            "--samples".into(),
            "10".into(),
        ],
        // --streams more than the bits of each source.
        vec![
            "--samples".into(),
            "1".into(),
            "--streams".into(),
            "9".into(),
        ],
    ];
    for case in cases {
        let mut args = vec!["report"];
        args.extend(case.iter().map(String::as_str));
        let out = wellspring(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{case:?}: {}",
            common::report(&out)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            err.trim().lines().count(),
            1,
            "{case:?}: {}",
            common::report(&out)
        );
    }
    // A value the parser rejects: its whole message, naming the flag.
    let args = ["report", "--source", "clock_jitter", "--samples", "0"];
    let out = wellspring(&args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?}: {}",
        common::report(&out)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--samples") && err.contains("For more information, try '--help'"),
        "{args:?}: {}",
        common::report(&out)
    );
}

/// A fresh, empty folder of this test's own.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = temp(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The files and folders directly in `dir`, sorted.
fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort_unstable();
    names
}

/// The sentence printed before any result on raw samples.
const RAW_NOTE_START: &str = "Raw samples: these are unconditioned samples";

#[test]
fn html_report_is_one_self_contained_file() {
    let dir = fresh_dir("html");
    let page = dir.join("x.html");
    let out = wellspring_ok(&[
        "report",
        "--samples",
        "1000",
        "--output",
        page.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>") || html.starts_with("<html"),
        "{}",
        &html[..html.len().min(200)]
    );
    assert!(html.trim_end().ends_with("</html>"));
    // Nothing fetched from anywhere: no external references, no scripts.
    for fetch in ["src=\"http", "href=\"http", "<script", "<link", "url("] {
        assert!(!html.contains(fetch), "{fetch} in the page");
    }
    // The figures are inline: four SVGs per source, and no folder of figures beside the page.
    let sources = html.matches("<h2>").count();
    assert!(sources >= 10, "{sources} source sections");
    assert!(html.matches("<svg").count() >= 4 * sources);
    assert_eq!(listing(&dir), ["x.html"]);
    // Real HTML, not Markdown in an .html file; the note on raw samples comes first.
    assert!(html.contains("<table>") && !html.contains("\n## ") && !html.contains("|---|"));
    let note = html.find(RAW_NOTE_START).expect("the note on raw samples");
    assert!(note < html.find("<h2>").unwrap());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("report written to"), "{stdout}");

    // One input makes the same kind of page.
    let one = dir.join("e.htm");
    wellspring_ok(&[
        "report",
        "--file",
        &e_bits(),
        "--bits",
        "20000",
        "--output",
        one.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&one).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 4);
    assert!(!html.contains("src=") && !html.contains("href="));
    assert_eq!(listing(&dir), ["e.htm", "x.html"]);
}

#[test]
fn markdown_figures_are_in_a_folder_named_after_the_report() {
    let dir = fresh_dir("naming");
    for name in ["x.md", "y.md"] {
        let out = common::wellspring_command()
            .current_dir(&dir)
            .args([
                "report",
                "--file",
                &e_bits(),
                "--bits",
                "20000",
                "--output",
                name,
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", common::report(&out));
    }
    // Two reports, two folders: neither writes into a shared report_figures/.
    assert_eq!(listing(&dir), ["x.md", "x_figures", "y.md", "y_figures"]);
    let text = std::fs::read_to_string(dir.join("x.md")).unwrap();
    assert!(text.contains("(x_figures/bytes.svg)"), "{text}");
    assert!(
        !text.contains("data:image"),
        "the figures are files, not inline"
    );
    assert!(dir.join("x_figures/bytes.svg").is_file());
}

#[test]
fn an_unknown_report_extension_is_refused_before_any_work() {
    let dir = fresh_dir("refused");
    for name in ["x.pdf", "x", "x.txt"] {
        let path = dir.join(name);
        for input in [&["--samples", "1000"][..], &["--file", &e_bits()]] {
            let mut args = vec!["report", "--output", path.to_str().unwrap()];
            args.extend_from_slice(input);
            let out = wellspring(&args);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{args:?}: {}",
                common::report(&out)
            );
            assert!(out.stdout.is_empty(), "{args:?}: {}", common::report(&out));
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
            assert!(
                err.contains(".html") && err.contains(".md"),
                "names the accepted extensions: {err}"
            );
        }
    }
    // Nothing written: no report, no folder of figures.
    assert!(listing(&dir).is_empty(), "{:?}", listing(&dir));
}

#[test]
fn a_test_that_did_not_run_has_passed_null_and_a_reason() {
    // 20,000 bits of e: universal needs 387,840 bits, and the random walk of the excursion
    // tests has too few cycles.
    let v = json(&wellspring(&[
        "report",
        "--file",
        &e_bits(),
        "--bits",
        "20000",
        "--streams",
        "2",
        "--json",
    ]));
    let tests = v["tests"].as_array().unwrap();
    let universal = &tests[9];
    assert_eq!(universal["name"], "universal");
    assert!(universal["passed"].is_null(), "{universal}");
    assert!(
        universal["skipped"].as_str().unwrap().contains("387,840"),
        "{universal}"
    );
    for t in tests {
        match t.get("skipped") {
            Some(why) => {
                assert!(why.is_string() && t["passed"].is_null(), "{t}");
                assert!(t["p_values"].as_array().unwrap().is_empty(), "{t}");
            }
            None => assert!(t["passed"].is_boolean(), "{t}"),
        }
    }
    // The same in the multi-stream analysis: universal ran on no stream.
    let universal = &v["streams"]["tests"][9];
    assert!(
        universal["rows"].as_array().unwrap().is_empty(),
        "{universal}"
    );
    assert!(
        universal["passed"].is_null() && universal["skipped"].is_string(),
        "{universal}"
    );
    assert_eq!(v["streams"]["tests"][0]["passed"], true);
}

#[test]
fn raw_samples_failures_are_presented_as_expected() {
    let out = wellspring_ok(&["report", "--samples", "1000"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    // Said up front, before the first source's block.
    assert!(lines[0].starts_with(RAW_NOTE_START), "{stdout}");
    assert!(
        lines[0].contains("expected to fail") && lines[0].contains("not alarms"),
        "{}",
        lines[0]
    );
    assert!(!stdout.contains("tests that ran passed"), "{stdout}");
    let mut blocks = 0;
    for (i, line) in lines.iter().enumerate() {
        if !(line.starts_with("== ") && line.contains(": grade ")) {
            continue;
        }
        blocks += 1;
        // Each block's summary names its samples as raw; failures there are expected.
        let summary = lines[i + 1];
        assert!(summary.starts_with("raw samples: "), "{line}\n{summary}");
        let (passed, ran) = summary["raw samples: ".len()..]
            .split_once(" tests passed")
            .and_then(|(counts, _)| counts.split_once(" of "))
            .unwrap_or_else(|| panic!("{summary}"));
        if passed != ran {
            assert!(
                summary.contains("(expected: raw noise is not uniform)"),
                "{summary}"
            );
        }
    }
    assert!(blocks >= 10, "{blocks} blocks:\n{stdout}");
    assert!(
        !stdout.contains("FAIL"),
        "failures on raw samples are not shouted"
    );

    // A file (conditioned output, say) is plain pass/fail: all-ones bits fail, loudly.
    let ones = temp("ones.bin");
    std::fs::write(&ones, [0xffu8; 2500]).unwrap();
    let out = wellspring_ok(&["report", "--file", ones.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("raw samples") && !stdout.contains("Raw samples"));
    assert!(stdout.contains("FAIL"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.contains(" tests passed; failed: frequency")),
        "{stdout}"
    );
}
