//! Shared output helpers: JSON printing and plain tables.

use std::io::Write;

use serde::Serialize;

use crate::error::{CliError, CliResult};

/// Prints exactly one JSON document on stdout.
pub(crate) fn print_json<T: Serialize>(value: &T) -> CliResult {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)
        .map_err(|e| CliError::runtime(format!("cannot write JSON: {e}")))?;
    let _ = writeln!(out);
    Ok(())
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
    for row in rows {
        line(row.iter().map(String::as_str).collect(), &mut text);
    }
    text
}

/// A letter grade for a min-entropy per 8-bit sample: A ≥ 6, B ≥ 4, C ≥ 2, D ≥ 0.5, else F.
pub(crate) fn grade(min_entropy: f64) -> &'static str {
    match min_entropy {
        h if h >= 6.0 => "A",
        h if h >= 4.0 => "B",
        h if h >= 2.0 => "C",
        h if h >= 0.5 => "D",
        _ => "F",
    }
}
