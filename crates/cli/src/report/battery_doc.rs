//! The document `wellspring report --output` writes, built as sections of `super::document`
//! and written by its renderers: `.html` is one self-contained page with every figure inline,
//! `.md` is Markdown that links its SVG figures in a folder named after the report
//! (`NAME_figures/` beside `NAME.md`, so two reports never share one). For one input: the
//! result, a summary table a person can read at a glance, the figures, every p-value with its
//! label, and the multi-stream analysis when there is one; over the default sources, a table
//! of grades first and then that part for each source.

use std::path::{Path, PathBuf};

use wellspring_assess::noise::format_p;
use wellspring_assess::sp800_22::{BatteryReport, Bits, StreamsReport, TestResult};

use super::document::{self, Figure, Kind, Section};
use super::grade::Outcome;
use super::{RAW_NOTE, battery_summary, plots, write_figures};
use crate::error::CliResult;

/// What was tested, for the report's header.
pub(crate) struct Provenance {
    /// "file `samples.bin` (bytes, MSB first)" or "source `clock_jitter` (raw samples, …)".
    pub(crate) input: String,
    /// Parameter overrides as given with `--set`.
    pub(crate) overrides: Vec<String>,
    /// The input is a source's raw samples, on which SP 800-22 failures are expected.
    pub(crate) raw: bool,
}

/// One input: its bits (for the figures), the battery, streams and provenance.
pub(crate) struct Part<'a> {
    pub(crate) bits: &'a Bits,
    pub(crate) report: &'a BatteryReport,
    pub(crate) streams: Option<&'a StreamsReport>,
    pub(crate) provenance: &'a Provenance,
}

/// One default source's part of the document over the default sources.
pub(crate) struct SourcePart<'a> {
    pub(crate) name: &'a str,
    pub(crate) grade: &'a str,
    pub(crate) h: Option<f64>,
    pub(crate) part: Part<'a>,
}

/// Where the figures go: inline (HTML), or SVG files in the folder named after a Markdown
/// report.
enum Figures {
    Inline,
    Files {
        /// The folder's name, as the document links it.
        name: String,
        dir: PathBuf,
    },
}

impl Figures {
    fn for_report(path: &Path) -> CliResult<Figures> {
        Ok(match Kind::of(path)? {
            Kind::Html => Figures::Inline,
            Kind::Markdown => {
                let (name, dir) = super::figures_dir(path);
                Figures::Files { name, dir }
            }
        })
    }

    /// The figures of `bits`, and where each was written (in subfolder `sub`) when they are
    /// files.
    fn of(
        &self,
        sub: Option<&str>,
        bits: &Bits,
        report: &BatteryReport,
    ) -> CliResult<(Vec<Figure>, Vec<String>)> {
        let (figures, files) = match self {
            Figures::Inline => (plots::figures(bits, report), Vec::new()),
            Figures::Files { name, dir } => {
                let (dir, prefix) = match sub {
                    Some(sub) => (dir.join(sub), format!("{name}/{sub}")),
                    None => (dir.clone(), name.clone()),
                };
                let figures = write_figures(&dir, bits, report)?;
                let files = figures
                    .iter()
                    .map(|f| format!("{prefix}/{}", f.file))
                    .collect();
                (figures, files)
            }
        };
        let figures = figures
            .into_iter()
            .map(|f| Figure {
                svg: f.svg,
                caption: f.caption,
            })
            .collect();
        Ok((figures, files))
    }
}

/// Writes the document of one input to `path` (`.html` or `.md`).
pub(crate) fn write_one(path: &Path, part: &Part) -> CliResult {
    let figures = Figures::for_report(path)?;
    let mut sections = Vec::new();
    body(&mut sections, String::new(), 0, part, &figures, None)?;
    document::write(path, "SP 800-22 statistical test report", &sections)
}

/// Writes the document over the default sources to `path` (`.html` or `.md`): what was done
/// and why failures on raw samples are expected, a table of grades, the sources that could
/// not be tested, then one part per source (its figures in `NAME_figures/SOURCE/`).
pub(crate) fn write_sources(
    path: &Path,
    sources: &[SourcePart],
    failed: &[(&str, String)],
    rule: &str,
) -> CliResult {
    let figures = Figures::for_report(path)?;
    let mut intro = Section {
        paragraphs: vec![
            "Each source's raw (unconditioned) samples, one byte each, were tested with the SP \
             800-22 battery (bits MSB first) and assessed with SP 800-90B (h: min-entropy per \
             sample, 0-8 bits)."
                .into(),
            RAW_NOTE.into(),
            rule.into(),
        ],
        ..Section::default()
    };
    intro.table.push(
        ["source", "grade", "h", "SP 800-22 on raw samples"]
            .map(String::from)
            .to_vec(),
    );
    for s in sources {
        intro.table.push(vec![
            s.name.to_owned(),
            s.grade.to_owned(),
            h_text(s.h),
            passed_of_ran(s.part.report),
        ]);
    }
    for (name, error) in failed {
        intro
            .paragraphs
            .push(format!("Not tested: {name}: {error}"));
    }
    let mut sections = vec![intro];
    for s in sources {
        let first = format!("Grade {}, h = {} bits per sample.", s.grade, h_text(s.h));
        body(
            &mut sections,
            s.name.to_owned(),
            0,
            &s.part,
            &figures,
            Some(first),
        )?;
    }
    document::write(
        path,
        "SP 800-22 and SP 800-90B report of the default sources",
        &sections,
    )
}

/// "2 of 10 passed (5 did not run)".
fn passed_of_ran(report: &BatteryReport) -> String {
    let o = Outcome::of(report);
    let not_run = report.tests.len() - o.ran;
    let mut text = format!("{} of {} passed", o.ran - o.failed, o.ran);
    if not_run > 0 {
        text.push_str(&format!(" ({not_run} did not run)"));
    }
    text
}

fn h_text(h: Option<f64>) -> String {
    h.map_or_else(|| "not assessed".into(), |h| format!("{h:.3}"))
}

fn params(t: &TestResult) -> String {
    t.params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A test's result in a table: failures on raw samples in lower case, as the expected outcome
/// they are.
fn verdict(t: &TestResult, raw: bool) -> String {
    match (&t.skipped, t.passed) {
        (Some(_), _) => "did not run".into(),
        (None, true) => "pass".into(),
        (None, false) if raw => "fail".into(),
        (None, false) => "FAIL".into(),
    }
}

/// `= p` with six decimals (or two significant digits), or `< 1e-300` when it underflowed.
fn p_relation(p: f64) -> String {
    let text = format_p(p, 6);
    if text.starts_with('<') {
        text
    } else {
        format!("= {text}")
    }
}

fn p_summary(t: &TestResult) -> String {
    match t.p_values.as_slice() {
        [] => "—".into(),
        [p] => format_p(*p, 6),
        ps if ps.iter().any(|p| p.is_nan()) => "NaN among the values".into(),
        ps => {
            let min = ps.iter().copied().fold(f64::INFINITY, f64::min);
            let low = ps.iter().filter(|&&p| p < 0.01).count();
            format!(
                "{} values, min {}, {low} below 0.01",
                ps.len(),
                format_p(min, 6)
            )
        }
    }
}

/// One input's sections: a header titled `title` at `depth` (untitled: right below the
/// document's title) with provenance and result, then summary, figures, per-test detail and
/// streams one level below it. `first` opens the header (a source's grade).
fn body(
    out: &mut Vec<Section>,
    title: String,
    depth: usize,
    part: &Part,
    figures: &Figures,
    first: Option<String>,
) -> CliResult {
    let Part {
        bits,
        report,
        streams,
        provenance,
    } = part;
    let raw = provenance.raw;
    let sub = if title.is_empty() { depth } else { depth + 1 };
    let mut header = Section {
        depth,
        paragraphs: first.into_iter().collect(),
        ..Section::default()
    };
    header.paragraphs.extend([
        format!("Input: {}, {} bits.", provenance.input, report.bits),
        format!(
            "Tests: NIST SP 800-22 rev1a, computed as NIST's sts 2.1.2 does; α = {}. Produced \
             by wellspring {}.",
            report.alpha,
            env!("CARGO_PKG_VERSION")
        ),
    ]);
    if !provenance.overrides.is_empty() {
        header.paragraphs.push(format!(
            "Parameters set: {}.",
            provenance.overrides.join(", ")
        ));
    }
    // Over the default sources the note on raw samples opens the document, once.
    if raw && title.is_empty() {
        header.paragraphs.push(RAW_NOTE.into());
    }
    header
        .paragraphs
        .push(format!("Result: {}.", battery_summary(report, raw)));
    if !raw {
        header.paragraphs.push(
            "A test with several p-values passes when the share at or above α is within sts's \
             proportion interval. At α = 0.01 about one test in a hundred fails by chance alone \
             on good data; a failure is a reason to test more data, not proof of a defect."
                .into(),
        );
    }
    header.title = title;
    let sub_folder = (!header.title.is_empty()).then(|| header.title.clone());
    out.push(header);

    let mut summary = Section {
        title: "Summary".into(),
        depth: sub,
        ..Section::default()
    };
    summary.table.push(
        ["test", "parameters", "p-value", "result"]
            .map(String::from)
            .to_vec(),
    );
    for t in &report.tests {
        summary.table.push(vec![
            t.name.to_owned(),
            params(t),
            p_summary(t),
            verdict(t, raw),
        ]);
    }
    out.push(summary);

    let (figures, figure_files) = figures.of(sub_folder.as_deref(), bits, report)?;
    out.push(Section {
        title: "Figures".into(),
        depth: sub,
        figures,
        figure_files,
        ..Section::default()
    });

    out.push(Section {
        title: "Per-test detail".into(),
        depth: sub,
        ..Section::default()
    });
    for t in &report.tests {
        let mut section = Section {
            title: t.name.to_owned(),
            depth: sub + 1,
            ..Section::default()
        };
        if let Some(why) = &t.skipped {
            section.paragraphs.push(format!("Did not run: {why}."));
        } else if let [p] = t.p_values.as_slice() {
            section
                .paragraphs
                .push(format!("p {} ({})", p_relation(*p), verdict(t, raw)));
        } else {
            section.paragraphs.push(format!(
                "{} p-values: {}.",
                t.p_values.len(),
                verdict(t, raw)
            ));
            section
                .table
                .push(["p-value", "of", "result"].map(String::from).to_vec());
            for (i, p) in t.p_values.iter().enumerate() {
                let label = t.labels.get(i).cloned().unwrap_or_default();
                let mark = if *p < report.alpha { "below α" } else { "" };
                section
                    .table
                    .push(vec![format_p(*p, 6), label, mark.to_owned()]);
            }
        }
        out.push(section);
    }
    if let Some(s) = streams {
        out.push(streams_section(s, sub, raw));
    }
    Ok(())
}

fn streams_section(s: &StreamsReport, depth: usize, raw: bool) -> Section {
    let mut section = Section {
        title: format!("{} streams of {} bits", s.streams, s.bits_per_stream),
        depth,
        paragraphs: vec![
            "As sts's final analysis: per p-value, the streams passing at α against sts's \
             interval, and the uniformity p-value of the stream p-values (ten bins; flagged \
             below 0.0001)."
                .into(),
        ],
        ..Section::default()
    };
    section.table.push(
        ["test", "of", "passing", "interval", "uniformity", "result"]
            .map(String::from)
            .to_vec(),
    );
    let fail = if raw { "fail" } else { "FAIL" };
    for t in &s.tests {
        if t.rows.is_empty() {
            let why = t.skipped.as_deref().unwrap_or("no stream");
            section.table.push(vec![
                t.name.to_owned(),
                String::new(),
                "—".into(),
                "—".into(),
                "—".into(),
                format!("did not run: {why}"),
            ]);
        }
        for r in &t.rows {
            section.table.push(vec![
                t.name.to_owned(),
                r.label.clone(),
                format!("{}/{}", r.passing, r.sample_size),
                format!("{}-{}", r.passing_interval[0], r.passing_interval[1]),
                r.uniformity.map_or("—".into(), |u| format_p(u, 6)),
                if r.passed { "pass" } else { fail }.to_owned(),
            ]);
        }
    }
    section
}
