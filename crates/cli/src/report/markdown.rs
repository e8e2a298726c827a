//! The Markdown report: a summary table a person can read at a glance, the figures, then
//! every p-value with its label, and the multi-stream analysis when there is one.

use std::fmt::Write;

use wellspring_assess::sp800_22::{BatteryReport, StreamsReport, TestResult};

use super::grade::Outcome;
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

/// One input's part of a document: the battery, its figures and where they are.
pub(crate) struct Section<'a> {
    pub(crate) report: &'a BatteryReport,
    pub(crate) streams: Option<&'a StreamsReport>,
    pub(crate) figures: &'a [Figure],
    /// Folder of the figures, relative to the document.
    pub(crate) figure_dir: &'a str,
    pub(crate) provenance: &'a Provenance,
}

/// The whole document of one input.
pub(crate) fn render(section: &Section) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# SP 800-22 statistical test report\n");
    render_body(&mut md, 2, section);
    md
}

/// `depth` hashes: the heading level of a section's parts.
fn heading(depth: usize) -> String {
    "#".repeat(depth)
}

/// Everything below a title: provenance, result, summary table, figures, per-test detail
/// and streams, with parts at heading level `depth` and tests one below.
pub(crate) fn render_body(md: &mut String, depth: usize, section: &Section) {
    let Section {
        report,
        streams,
        figures,
        figure_dir,
        provenance,
    } = section;
    let (h2, h3) = (heading(depth), heading(depth + 1));
    let ran: Vec<_> = report
        .tests
        .iter()
        .filter(|t| t.skipped.is_none())
        .collect();
    let failed: Vec<_> = ran.iter().filter(|t| !t.passed).map(|t| t.name).collect();
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
        "{h2} Summary\n\n| test | parameters | p-value | result |\n|---|---|---|---|"
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
    let _ = writeln!(md, "\n{h2} Figures\n");
    for f in figures.iter() {
        let _ = writeln!(
            md,
            "![{}]({figure_dir}/{})\n\n{}\n",
            f.file, f.file, f.caption
        );
    }
    let _ = writeln!(md, "{h2} Per-test detail\n");
    for t in &report.tests {
        let _ = writeln!(md, "{h3} {}\n", t.name);
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
        render_streams(md, &h2, s);
    }
}

/// One source's part of the document over the default sources.
pub(crate) struct SourceSection<'a> {
    pub(crate) name: &'a str,
    pub(crate) grade: &'a str,
    pub(crate) h: Option<f64>,
    pub(crate) outcome: Outcome,
    pub(crate) section: Section<'a>,
}

fn h_text(h: Option<f64>) -> String {
    h.map_or_else(|| "not assessed".into(), |h| format!("{h:.3}"))
}

/// The document over the default sources: a table of grades, the sources that could not be
/// tested, then one section per source.
pub(crate) fn render_sources(
    sources: &[SourceSection],
    failed: &[(&str, String)],
    rule: &str,
) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# SP 800-22 and SP 800-90B report of the default sources\n\n\
         Each source's raw (unconditioned) samples, one byte each, were tested with the SP 800-22 \
         battery (bits MSB first) and assessed with SP 800-90B (h: min-entropy per sample, 0-8 \
         bits). {rule}\n\n\
         | source | grade | h | SP 800-22 passed |\n|---|---|---|---|"
    );
    for s in sources {
        let _ = writeln!(
            md,
            "| [{}](#{}) | {} | {} | {} of {} |",
            s.name,
            s.name,
            s.grade,
            h_text(s.h),
            s.outcome.ran - s.outcome.failed,
            s.outcome.ran
        );
    }
    if !failed.is_empty() {
        let _ = writeln!(md, "\nNot tested:\n");
        for (name, error) in failed {
            let _ = writeln!(md, "- {name}: {error}");
        }
    }
    let _ = writeln!(md);
    for s in sources {
        let _ = writeln!(
            md,
            "## {}\n\n**Grade {}**, h = {} bits per sample.\n",
            s.name,
            s.grade,
            h_text(s.h)
        );
        render_body(&mut md, 3, &s.section);
    }
    md
}

fn render_streams(md: &mut String, h2: &str, s: &StreamsReport) {
    let _ = writeln!(
        md,
        "{h2} {} streams of {} bits\n\nAs sts's final analysis: per p-value, the streams passing \
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
