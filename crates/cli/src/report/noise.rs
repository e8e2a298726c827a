//! The sections and figures of the `analyze` and `compare` reports: per source the time
//! series excerpt, histogram, autocorrelation with its band, spectrum, per-window
//! min-entropy, and for a session the cross-correlation heat map.

use wellspring_assess::noise::analysis::SourceAnalysis;
use wellspring_assess::noise::spectrum::averaged_spectrum;
use wellspring_assess::noise::{format_p, p_statement};
use wellspring_session::analysis::Document;
use wellspring_session::compare::CompareDocument;

use super::document::{Figure, Section};
use super::svg::{Band, bars, heatmap, line};

/// Samples shown in the time-series excerpt.
const EXCERPT: usize = 512;
/// Window of the plotted spectrum (the analysis' own default).
const SPECTRUM_WINDOW: usize = 1024;

fn excerpt(name: &str, samples: &[u8]) -> Figure {
    let shown = &samples[..samples.len().min(EXCERPT)];
    let points: Vec<(f64, f64)> = shown
        .iter()
        .enumerate()
        .map(|(i, &x)| (i as f64, f64::from(x)))
        .collect();
    let mean = shown.iter().map(|&x| f64::from(x)).sum::<f64>() / shown.len().max(1) as f64;
    Figure {
        svg: line(
            &format!("{name}: first {} samples", shown.len()),
            "sample",
            "value",
            &points,
            &Band {
                low: mean,
                high: mean,
                label: "mean".into(),
            },
        ),
        caption: format!(
            "The first {} samples as recorded (mean {mean:.1}); a counter shows as a ramp, a \
             stuck source as a flat line.",
            shown.len()
        ),
    }
}

fn histogram(name: &str, samples: &[u8], bits: u8) -> Figure {
    let size = 1usize << bits;
    let mut counts = vec![0.0; size];
    for &s in samples {
        if (s as usize) < size {
            counts[s as usize] += 1.0;
        }
    }
    let seen = counts.iter().filter(|c| **c > 0.0).count().max(1);
    let expected = samples.len() as f64 / seen as f64;
    Figure {
        svg: bars(
            &format!("{name}: values"),
            "value",
            "count",
            (0.0, size as f64),
            &counts,
            Some(expected),
        ),
        caption: format!(
            "Counts of each value; the dashed line is the uniform level over the {seen} values \
             seen ({expected:.1} each)."
        ),
    }
}

fn autocorrelation(a: &SourceAnalysis) -> Figure {
    let ac = &a.autocorrelation;
    let points: Vec<(f64, f64)> = ac
        .values
        .iter()
        .enumerate()
        .map(|(i, &r)| ((i + 1) as f64, r))
        .collect();
    Figure {
        svg: line(
            &format!("{}: autocorrelation", a.name),
            "lag",
            "r",
            &points,
            &Band {
                low: -ac.band,
                high: ac.band,
                label: "±1.96/√n".into(),
            },
        ),
        caption: format!(
            "Autocorrelation at lags 1-{}; independent samples leave the ±{:.2e} band at about \
             one lag in twenty. {}; Holm-significant lags: {}.",
            ac.max_lag,
            ac.band,
            p_statement("Ljung-Box p", ac.ljung_box_p),
            if ac.significant_lags.is_empty() {
                "none".to_owned()
            } else {
                ac.significant_lags
                    .iter()
                    .take(10)
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
    }
}

fn spectrum(name: &str, samples: &[u8]) -> Option<Figure> {
    let window = SPECTRUM_WINDOW.min(samples.len());
    let power = averaged_spectrum(samples, window);
    if power.is_empty() {
        return None;
    }
    let windows = (samples.len() / window) as f64;
    let points: Vec<(f64, f64)> = power
        .iter()
        .enumerate()
        .map(|(k, &p)| ((k + 1) as f64 / window as f64, p))
        .collect();
    // Averaging w periodograms: each ordinate ~ Gamma(w, 1/w), sd 1/√w about 1.
    let spread = 3.29 / windows.sqrt();
    Some(Figure {
        svg: line(
            &format!("{name}: power spectrum"),
            "frequency (cycles per sample)",
            "power / white noise",
            &points,
            &Band {
                low: (1.0 - spread).max(0.0),
                high: 1.0 + spread,
                label: "white noise ±3.29σ".into(),
            },
        ),
        caption: format!(
            "Bartlett-averaged spectrum over {windows:.0} windows of {window} samples, relative \
             to white noise of the same variance (1 everywhere); a peak is a periodic component."
        ),
    })
}

fn window_entropy(a: &SourceAnalysis) -> Option<Figure> {
    let st = a.stationarity.as_ref()?;
    Some(Figure {
        svg: bars(
            &format!("{}: min-entropy per window", a.name),
            "window",
            "MCV min-entropy (bits/sample)",
            (0.0, st.windows as f64),
            &st.min_entropy,
            None,
        ),
        caption: format!(
            "MCV min-entropy of each of {} consecutive windows; {}{}.",
            st.windows,
            p_statement("homogeneity p", st.homogeneity_p),
            if st.drift {
                format!(", drift of {:.2} standard deviations", st.drift_size)
            } else {
                String::new()
            }
        ),
    })
}

fn fmt_p(p: f64) -> String {
    format_p(p, 4)
}

/// The `analyze` report: a summary table, then a section per source; `samples_of` gives a
/// source's samples again for its figures.
pub(crate) fn analyze_sections(
    document: &Document,
    samples_of: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Vec<Section> {
    let mut summary = Section {
        title: "Summary".into(),
        paragraphs: vec![
            "Statistics and their null distributions are described in docs/ANALYSIS.md. \
             h is the SP 800-90B min-entropy per sample."
                .into(),
        ],
        ..Section::default()
    };
    summary.table.push(
        [
            "source",
            "samples",
            "h",
            "Ljung-Box p",
            "runs p",
            "drift",
            "verdict",
        ]
        .map(String::from)
        .to_vec(),
    );
    for s in &document.sources {
        summary.table.push(vec![
            s.name.clone(),
            s.samples.to_string(),
            format!("{:.3}", s.h_assessed),
            fmt_p(s.autocorrelation.ljung_box_p),
            fmt_p(s.runs_p),
            s.stationarity.as_ref().map_or("–".into(), |st| {
                if st.drift { "yes" } else { "no" }.into()
            }),
            s.verdict.to_string(),
        ]);
    }
    let mut sections = vec![summary];
    for s in &document.sources {
        let mut section = Section {
            title: format!("{} — {}", s.name, s.verdict),
            paragraphs: if s.reasons.is_empty() {
                vec!["No test rejects at 0.001.".into()]
            } else {
                s.reasons.clone()
            },
            ..Section::default()
        };
        if let Some(samples) = samples_of(&s.name) {
            section.figures.push(excerpt(&s.name, &samples));
            section
                .figures
                .push(histogram(&s.name, &samples, s.bits_per_sample));
            section.figures.push(autocorrelation(s));
            section.figures.extend(spectrum(&s.name, &samples));
        }
        section.figures.extend(window_entropy(s));
        sections.push(section);
    }
    if !document.cross_correlation.is_empty() {
        let names: Vec<String> = document.sources.iter().map(|s| s.name.clone()).collect();
        let index = |n: &str| names.iter().position(|x| x == n);
        let mut matrix = vec![vec![0.0; names.len()]; names.len()];
        for (i, row) in matrix.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        for p in &document.cross_correlation {
            if let (Some(i), Some(j)) = (index(&p.a), index(&p.b)) {
                matrix[i][j] = p.r;
                matrix[j][i] = p.r;
            }
        }
        let mut section = Section {
            title: "Cross-correlation".into(),
            paragraphs: vec![format!(
                "Pearson's r of every pair of sources on a common clock (samples per time bin \
                 of {:.3} ms), at the strongest of ±8 bin lags.",
                document.cross_correlation[0].bin_seconds * 1e3
            )],
            ..Section::default()
        };
        section.figures.push(Figure {
            svg: heatmap("cross-correlation (r)", &names, &matrix),
            caption: "Red: positive, blue: negative; the diagonal is 1 by definition.".into(),
        });
        section.table.push(
            ["a", "b", "r", "lag (bins)", "significant"]
                .map(String::from)
                .to_vec(),
        );
        for p in &document.cross_correlation {
            section.table.push(vec![
                p.a.clone(),
                p.b.clone(),
                format!("{:.3}", p.r),
                p.lag.to_string(),
                if p.significant { "yes" } else { "no" }.into(),
            ]);
        }
        sections.push(section);
    }
    sections
}

/// The `compare` report: a summary table, then a section per source with both sides'
/// figures; `samples_of(name, side)` gives the samples again (`side` 0 for A, 1 for B).
pub(crate) fn compare_sections(
    document: &CompareDocument,
    samples_of: &dyn Fn(&str, usize) -> Option<Vec<u8>>,
    bits_per_sample: u8,
) -> Vec<Section> {
    let mut summary = Section {
        title: "Summary".into(),
        paragraphs: vec![
            format!("A: {}", document.a),
            format!("B: {}", document.b),
            "h_difference is h_B − h_A (SP 800-90B min-entropy per sample of each whole \
             series); the 95% block-bootstrap interval is for the window difference (mean \
             figure of equal windows, B − A); the tests and the verdict rule are in \
             docs/ANALYSIS.md."
                .into(),
        ],
        ..Section::default()
    };
    for (side, names) in [("A", &document.only_in_a), ("B", &document.only_in_b)] {
        if !names.is_empty() {
            summary
                .paragraphs
                .push(format!("Only in {side}: {}", names.join(", ")));
        }
    }
    summary.table.push(
        [
            "source",
            "h A",
            "h B",
            "difference",
            "window difference",
            "95% interval",
            "distribution p",
            "autocorrelation p",
            "differ",
        ]
        .map(String::from)
        .to_vec(),
    );
    for s in &document.sources {
        let c = &s.comparison;
        summary.table.push(vec![
            s.name.clone(),
            format!("{:.3}", c.h_a),
            format!("{:.3}", c.h_b),
            format!("{:+.3}", c.h_difference),
            c.h_window_difference
                .map_or("–".into(), |d| format!("{d:+.3}")),
            c.h_difference_ci
                .map_or("–".into(), |[l, h]| format!("[{l:+.3}, {h:+.3}]")),
            fmt_p(c.distribution_p),
            fmt_p(c.acf_difference_p),
            if c.differ { "yes" } else { "no" }.into(),
        ]);
    }
    let mut sections = vec![summary];
    for s in &document.sources {
        let mut section = Section {
            title: format!(
                "{} — {}",
                s.name,
                if s.comparison.differ {
                    "differ"
                } else {
                    "no difference found"
                }
            ),
            paragraphs: s.comparison.reasons.clone(),
            ..Section::default()
        };
        for (side, label) in [(0, "A"), (1, "B")] {
            if let Some(samples) = samples_of(&s.name, side) {
                let title = format!("{} ({label})", s.name);
                section
                    .figures
                    .push(histogram(&title, &samples, bits_per_sample));
                let analysis_acf = wellspring_assess::noise::autocorrelation::acf(&samples, 64);
                let band = wellspring_assess::noise::autocorrelation::band(samples.len());
                let points: Vec<(f64, f64)> = analysis_acf
                    .iter()
                    .enumerate()
                    .map(|(i, &r)| ((i + 1) as f64, r))
                    .collect();
                section.figures.push(Figure {
                    svg: line(
                        &format!("{title}: autocorrelation"),
                        "lag",
                        "r",
                        &points,
                        &Band {
                            low: -band,
                            high: band,
                            label: "±1.96/√n".into(),
                        },
                    ),
                    caption: format!("Autocorrelation of side {label} at lags 1-64."),
                });
            }
        }
        sections.push(section);
    }
    sections
}
