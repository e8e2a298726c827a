//! The Markdown report: a summary table a person can read at a glance, the figures, then
//! every p-value with its label, and the multi-stream analysis when there is one.

use std::fmt::Write;

use wellspring_assess::sp800_22::{BatteryReport, StreamsReport, TestResult};

use super::plots::Figure;

/// What was tested, for the report's header.
pub(crate) struct Provenance {
    /// "file samples.bin (bytes)" or "source clock_jitter (raw samples)".
    pub(crate) input: String,
    /// Parameter overrides as given with `--set`.
    pub(crate) overrides: Vec<String>,
}

fn params(t: &TestResult) -> String {
    if t.params.is_empty() {
        "".into()
    } else {
        t.params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn verdict(t: &TestResult) -> &'static str {
    match (&t.skipped, t.passed) {
        (Some(_), _) => "skipped",
        (None, true) => "pass",
        (None, false) => "**FAIL**",
    }
}

fn p_summary(t: &TestResult) -> String {
    match t.p_values.as_slice() {
        [] => "—".into(),
        [p] => format!("{p:.6}"),
        ps if ps.iter().any(|p| p.is_nan()) => "NaN among the values".into(),
        ps => {
            let min = ps.iter().copied().fold(f64::INFINITY, f64::min);
            let low = ps.iter().filter(|&&p| p < 0.01).count();
            format!("{} values, min {min:.6}, {low} below 0.01", ps.len())
        }
    }
}

/// The whole document; figures are linked from `figure_dir` (relative to the report).
pub(crate) fn render(
    report: &BatteryReport,
    streams: Option<&StreamsReport>,
    figures: &[Figure],
    figure_dir: &str,
    provenance: &Provenance,
) -> String {
    let mut md = String::new();
    let ran: Vec<_> = report
        .tests
        .iter()
        .filter(|t| t.skipped.is_none())
        .collect();
    let failed: Vec<_> = ran.iter().filter(|t| !t.passed).map(|t| t.name).collect();
    let _ = writeln!(md, "# SP 800-22 statistical test report\n");
    let _ = writeln!(
        md,
        "- Input: {}, {} bits\n- Tests: NIST SP 800-22 rev1a, computed as NIST's sts 2.1.2 does; α = {}\n- Produced by wellspring {}",
        provenance.input,
        report.bits,
        report.alpha,
        env!("CARGO_PKG_VERSION")
    );
    if !provenance.overrides.is_empty() {
        let _ = writeln!(md, "- Parameters set: {}", provenance.overrides.join(", "));
    }
    let _ = writeln!(
        md,
        "\n**Result: {} of {} tests that ran passed{}.**\n",
        ran.len() - failed.len(),
        ran.len(),
        if failed.is_empty() {
            String::new()
        } else {
            format!("; failed: {}", failed.join(", "))
        }
    );
    let _ = writeln!(
        md,
        "A test with several p-values passes when the share at or above α is within sts's \
         proportion interval. At α = 0.01 about one test in a hundred fails by chance alone on \
         good data; a failure is a reason to test more data, not proof of a defect.\n"
    );
    let _ = writeln!(
        md,
        "## Summary\n\n| test | parameters | p-value | result |\n|---|---|---|---|"
    );
    for t in &report.tests {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            t.name,
            params(t),
            p_summary(t),
            verdict(t)
        );
    }
    let _ = writeln!(md, "\n## Figures\n");
    for f in figures {
        let _ = writeln!(
            md,
            "![{}]({figure_dir}/{})\n\n{}\n",
            f.file, f.file, f.caption
        );
    }
    let _ = writeln!(md, "## Per-test detail\n");
    for t in &report.tests {
        let _ = writeln!(md, "### {}\n", t.name);
        if let Some(why) = &t.skipped {
            let _ = writeln!(md, "Skipped: {why}.\n");
            continue;
        }
        if t.p_values.len() == 1 {
            let _ = writeln!(md, "p = {:.6} ({})\n", t.p_values[0], verdict(t));
            continue;
        }
        let _ = writeln!(md, "| p-value | of | result |\n|---|---|---|");
        for (i, p) in t.p_values.iter().enumerate() {
            let label = t.labels.get(i).map(String::as_str).unwrap_or("");
            let mark = if *p < report.alpha { "below α" } else { "" };
            let _ = writeln!(md, "| {p:.6} | {label} | {mark} |");
        }
        let _ = writeln!(md);
    }
    if let Some(s) = streams {
        render_streams(&mut md, s);
    }
    md
}

fn render_streams(md: &mut String, s: &StreamsReport) {
    let _ = writeln!(
        md,
        "## {} streams of {} bits\n\nAs sts's final analysis: per p-value, the streams passing \
         at α against sts's interval, and the uniformity p-value of the stream p-values \
         (ten bins; flagged below 0.0001).\n",
        s.streams, s.bits_per_stream
    );
    let _ = writeln!(
        md,
        "| test | of | passing | interval | uniformity | result |\n|---|---|---|---|---|---|"
    );
    for t in &s.tests {
        for r in &t.rows {
            let uniformity = r.uniformity.map_or("—".into(), |u| format!("{u:.6}"));
            let _ = writeln!(
                md,
                "| {} | {} | {}/{} | {}-{} | {uniformity} | {} |",
                t.name,
                r.label,
                r.passing,
                r.sample_size,
                r.passing_interval[0],
                r.passing_interval[1],
                if r.passed { "pass" } else { "**FAIL**" }
            );
        }
    }
}
