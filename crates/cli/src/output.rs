//! Shared output helpers: JSON printing and plain tables.

use std::io::Write;

use serde::Serialize;

use crate::error::{CliError, CliResult};

/// Prints exactly one JSON document on stdout.
pub(crate) fn print_json<T: Serialize>(value: &T) -> CliResult {
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out));
    match written {
        // A reader that stops early (`| head`) is not an error.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::runtime(format!("cannot write JSON: {e}")))
        }
        _ => Ok(()),
    }
}

/// Renders rows as left-aligned columns under a header.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let line = |cells: Vec<&str>, text: &mut String| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        text.push_str(parts.join("  ").trim_end());
        text.push('\n');
    };
    line(header.to_vec(), &mut text);
    if color_enabled() {
        // Bold header: ANSI codes go around the padded line so the columns stay aligned.
        let header_line = text.trim_end_matches('\n').to_owned();
        text = format!("\x1b[1m{header_line}\x1b[0m\n");
    }
    for row in rows {
        line(row.iter().map(String::as_str).collect(), &mut text);
    }
    text
}

/// Whether to use ANSI styling: only on a terminal, and never when `NO_COLOR` is set
/// (https://no-color.org: any non-empty value).
pub(crate) fn color_enabled() -> bool {
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stdout().is_terminal()
}
