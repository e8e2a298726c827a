//! A self-contained report file for `analyze --output`, `compare --output` and `report
//! --output`: HTML with the SVG figures inline, or Markdown with each figure as a `data:`
//! image, so that one file carries everything (no scripts, no network, no folder of figures
//! beside it). `report`'s Markdown instead links its figures in a folder named after it
//! (`Section::figure_files`).

use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;

use crate::error::{CliError, CliResult};

/// The report formats, chosen by the output file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Html,
    Markdown,
}

impl Kind {
    /// `.html`/`.htm` or `.md`; anything else is a usage error (exit 2).
    pub(crate) fn of(path: &Path) -> CliResult<Kind> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("html" | "htm") => Ok(Kind::Html),
            Some("md") => Ok(Kind::Markdown),
            _ => Err(CliError::usage(format!(
                "--output {}: the report is written as .html or .md",
                path.display()
            ))),
        }
    }
}

/// A figure: an SVG and what it shows.
pub(crate) struct Figure {
    pub(crate) svg: String,
    pub(crate) caption: String,
}

/// A titled part of the report: paragraphs, an optional table (first row the header), figures.
#[derive(Default)]
pub(crate) struct Section {
    /// The heading; none when empty (text right below the document's title).
    pub(crate) title: String,
    /// Heading levels below a top-level section (0: `<h2>`/`##`, 1: `<h3>`/`###`, …).
    pub(crate) depth: usize,
    pub(crate) paragraphs: Vec<String>,
    pub(crate) table: Vec<Vec<String>>,
    pub(crate) figures: Vec<Figure>,
    /// Where each figure was written, relative to the document, when the figures are files
    /// beside it: Markdown then links them instead of embedding them (HTML always inlines
    /// them). Empty, or one path per figure.
    pub(crate) figure_files: Vec<String>,
}

impl Section {
    /// The heading level of this section: 2 and deeper, at most 6.
    fn level(&self) -> usize {
        (2 + self.depth).min(6)
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The whole report as HTML.
pub(crate) fn html(title: &str, sections: &[Section]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}}\
         table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;\
         padding:3px 8px;text-align:left;font-size:13px}}figure{{display:inline-block;\
         margin:8px}}figcaption{{font-size:12px;max-width:640px}}</style></head><body>\n\
         <h1>{}</h1>\n",
        escape(title),
        escape(title)
    );
    for section in sections {
        if !section.title.is_empty() {
            let level = section.level();
            let _ = writeln!(out, "<h{level}>{}</h{level}>", escape(&section.title));
        }
        for p in &section.paragraphs {
            let _ = writeln!(out, "<p>{}</p>", escape(p));
        }
        if let Some((header, rows)) = section.table.split_first() {
            out.push_str("<table><tr>");
            for h in header {
                let _ = write!(out, "<th>{}</th>", escape(h));
            }
            out.push_str("</tr>\n");
            for row in rows {
                out.push_str("<tr>");
                for cell in row {
                    let _ = write!(out, "<td>{}</td>", escape(cell));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</table>\n");
        }
        for figure in &section.figures {
            let _ = writeln!(
                out,
                "<figure>{}<figcaption>{}</figcaption></figure>",
                figure.svg.trim_end(),
                escape(&figure.caption)
            );
        }
    }
    out.push_str("</body></html>\n");
    out
}

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The whole report as Markdown.
pub(crate) fn markdown(title: &str, sections: &[Section]) -> String {
    let mut out = format!("# {title}\n\n");
    for section in sections {
        if !section.title.is_empty() {
            let _ = writeln!(out, "{} {}\n", "#".repeat(section.level()), section.title);
        }
        for p in &section.paragraphs {
            let _ = writeln!(out, "{p}\n");
        }
        if let Some((header, rows)) = section.table.split_first() {
            let cells = |row: &[String]| {
                row.iter()
                    .map(|c| md_cell(c))
                    .collect::<Vec<_>>()
                    .join(" | ")
            };
            let _ = writeln!(out, "| {} |", cells(header));
            let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
            for row in rows {
                let _ = writeln!(out, "| {} |", cells(row));
            }
            out.push('\n');
        }
        for (i, figure) in section.figures.iter().enumerate() {
            let target = match section.figure_files.get(i) {
                Some(file) => file.clone(),
                None => format!(
                    "data:image/svg+xml;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(figure.svg.as_bytes())
                ),
            };
            let _ = writeln!(
                out,
                "![{}]({target})\n\n*{}*\n",
                md_cell(&figure.caption),
                figure.caption
            );
        }
    }
    out
}

/// Writes the report to `path` in the format its extension names.
pub(crate) fn write(path: &Path, title: &str, sections: &[Section]) -> CliResult {
    let text = match Kind::of(path)? {
        Kind::Html => html(title, sections),
        Kind::Markdown => markdown(title, sections),
    };
    std::fs::write(path, text).map_err(|e| super::write_error(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Section> {
        vec![Section {
            title: "a & b".into(),
            paragraphs: vec!["x < y".into()],
            table: vec![vec!["k".into(), "v".into()], vec!["p|q".into(), "1".into()]],
            figures: vec![Figure {
                svg: "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>\n".into(),
                caption: "c".into(),
            }],
            ..Section::default()
        }]
    }

    #[test]
    fn html_is_self_contained_and_escaped() {
        let page = html("t", &sample());
        assert!(page.contains("<h2>a &amp; b</h2>") && page.contains("<p>x &lt; y</p>"));
        assert!(page.contains("<figure><svg xmlns"));
        assert!(!page.contains("<script") && !page.contains("src="));
    }

    #[test]
    fn markdown_embeds_figures_as_data_images() {
        let text = markdown("t", &sample());
        assert!(text.contains("| p\\|q | 1 |"), "{text}");
        let encoded = base64::engine::general_purpose::STANDARD
            .encode("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>\n");
        assert!(text.contains(&format!("(data:image/svg+xml;base64,{encoded})")));
    }

    #[test]
    fn depth_untitled_sections_and_linked_figures() {
        let mut sections = sample();
        sections[0].depth = 1;
        sections[0].figure_files = vec!["r_figures/a.svg".into()];
        sections.insert(
            0,
            Section {
                paragraphs: vec!["intro".into()],
                ..Section::default()
            },
        );
        let page = html("t", &sections);
        assert!(page.contains("<h1>t</h1>\n<p>intro</p>"), "{page}");
        assert!(page.contains("<h3>a &amp; b</h3>") && !page.contains("<h2>"));
        // HTML inlines the figure even when it was written beside a Markdown report.
        assert!(page.contains("<figure><svg xmlns") && !page.contains("r_figures"));
        let text = markdown("t", &sections);
        assert!(text.starts_with("# t\n\nintro\n\n### a & b\n"), "{text}");
        assert!(text.contains("(r_figures/a.svg)") && !text.contains("data:image"));
    }

    #[test]
    fn the_extension_chooses_the_format() {
        assert_eq!(Kind::of(Path::new("r.HTML")).unwrap(), Kind::Html);
        assert_eq!(Kind::of(Path::new("r.md")).unwrap(), Kind::Markdown);
        assert!(Kind::of(Path::new("r.pdf")).is_err());
    }
}
