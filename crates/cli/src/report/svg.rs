//! Three small chart kinds as standalone SVG: bars (histograms), a line with a band (running
//! bias, autocorrelation, spectrum) and a heat map (cross-correlation of sources).
//! Hand-written rather than a plotting crate because the reports need only these, and SVG
//! text needs no font files this way.

use std::fmt::Write;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 280.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 32.0;
const BOTTOM: f64 = 44.0;

/// A horizontal reference band drawn behind a line chart (e.g. ±3σ of chance).
pub(crate) struct Band {
    pub(crate) low: f64,
    pub(crate) high: f64,
    pub(crate) label: String,
}

/// Plot area and value → pixel mapping.
struct Frame {
    x_min: f64,
    x_max: f64,
    y_min: f64,
    y_max: f64,
}

impl Frame {
    fn x(&self, v: f64) -> f64 {
        LEFT + (v - self.x_min) / (self.x_max - self.x_min).max(f64::MIN_POSITIVE)
            * (WIDTH - LEFT - RIGHT)
    }
    fn y(&self, v: f64) -> f64 {
        HEIGHT
            - BOTTOM
            - (v - self.y_min) / (self.y_max - self.y_min).max(f64::MIN_POSITIVE)
                * (HEIGHT - TOP - BOTTOM)
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A short tick label: integers as such, others with up to 4 significant digits.
fn tick(v: f64) -> String {
    if v == v.round() && v.abs() < 1e9 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').to_string()
    }
}

fn open(svg: &mut String, title: &str, frame: &Frame, x_label: &str, y_label: &str) {
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">"#
    );
    let _ = write!(
        svg,
        r##"<rect width="100%" height="100%" fill="#fff"/><text x="{}" y="18" text-anchor="middle" font-size="13" font-weight="bold">{}</text>"##,
        WIDTH / 2.0,
        escape(title)
    );
    let (x0, x1, y0, y1) = (LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM);
    let _ = write!(
        svg,
        r##"<path d="M{x0},{y0} V{y1} H{x1}" fill="none" stroke="#444"/>"##
    );
    for i in 0..=4 {
        let v = frame.y_min + (frame.y_max - frame.y_min) * f64::from(i) / 4.0;
        let y = frame.y(v);
        let _ = write!(
            svg,
            r##"<line x1="{}" x2="{x0}" y1="{y}" y2="{y}" stroke="#444"/><text x="{}" y="{}" text-anchor="end">{}</text>"##,
            x0 - 4.0,
            x0 - 6.0,
            y + 4.0,
            tick(v)
        );
        let v = frame.x_min + (frame.x_max - frame.x_min) * f64::from(i) / 4.0;
        let x = frame.x(v);
        let _ = write!(
            svg,
            r##"<line x1="{x}" x2="{x}" y1="{y1}" y2="{}" stroke="#444"/><text x="{x}" y="{}" text-anchor="middle">{}</text>"##,
            y1 + 4.0,
            y1 + 16.0,
            tick(v)
        );
    }
    let _ = write!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text><text transform="translate(14,{}) rotate(-90)" text-anchor="middle">{}</text>"#,
        (x0 + x1) / 2.0,
        HEIGHT - 8.0,
        escape(x_label),
        (y0 + y1) / 2.0,
        escape(y_label)
    );
}

/// Bars over `[x_min, x_max)`, one per value, with an optional dashed "expected" level.
pub(crate) fn bars(
    title: &str,
    x_label: &str,
    y_label: &str,
    (x_min, x_max): (f64, f64),
    values: &[f64],
    expected: Option<f64>,
) -> String {
    let top = values
        .iter()
        .copied()
        .chain(expected)
        .fold(0.0f64, f64::max)
        .max(1e-12)
        * 1.1;
    let frame = Frame {
        x_min,
        x_max,
        y_min: 0.0,
        y_max: top,
    };
    let mut svg = String::new();
    open(&mut svg, title, &frame, x_label, y_label);
    let step = (x_max - x_min) / values.len().max(1) as f64;
    for (i, &v) in values.iter().enumerate() {
        let left = frame.x(x_min + step * i as f64);
        let right = frame.x(x_min + step * (i + 1) as f64);
        let y = frame.y(v);
        let _ = write!(
            svg,
            r##"<rect x="{left:.2}" y="{y:.2}" width="{:.2}" height="{:.2}" fill="#4c78a8"/>"##,
            (right - left - 0.5).max(0.5),
            frame.y(0.0) - y
        );
    }
    if let Some(e) = expected {
        let y = frame.y(e);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.2}" y2="{y:.2}" stroke="#e45756" stroke-dasharray="5,4"/><text x="{}" y="{:.2}" text-anchor="end" fill="#e45756">expected</text>"##,
            WIDTH - RIGHT,
            WIDTH - RIGHT,
            y - 4.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// A line through `points` with a shaded band behind it.
pub(crate) fn line(
    title: &str,
    x_label: &str,
    y_label: &str,
    points: &[(f64, f64)],
    band: &Band,
) -> String {
    let (mut x_min, mut x_max) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut y_min, mut y_max) = (band.low, band.high);
    for &(x, y) in points {
        x_min = x_min.min(x);
        x_max = x_max.max(x);
        y_min = y_min.min(y);
        y_max = y_max.max(y);
    }
    if !x_min.is_finite() {
        (x_min, x_max) = (0.0, 1.0);
    }
    let pad = (y_max - y_min).max(1e-9) * 0.1;
    let frame = Frame {
        x_min,
        x_max,
        y_min: y_min - pad,
        y_max: y_max + pad,
    };
    let mut svg = String::new();
    open(&mut svg, title, &frame, x_label, y_label);
    let (top, bottom) = (frame.y(band.high), frame.y(band.low));
    let _ = write!(
        svg,
        r##"<rect x="{LEFT}" y="{top:.2}" width="{:.2}" height="{:.2}" fill="#f2cf5b" fill-opacity="0.35"/><text x="{}" y="{:.2}" text-anchor="end" fill="#8a6d00">{}</text>"##,
        WIDTH - LEFT - RIGHT,
        (bottom - top).max(0.5),
        WIDTH - RIGHT - 4.0,
        top + 12.0,
        escape(&band.label)
    );
    let path: Vec<String> = points
        .iter()
        .map(|&(x, y)| format!("{:.2},{:.2}", frame.x(x), frame.y(y)))
        .collect();
    let _ = write!(
        svg,
        r##"<polyline points="{}" fill="none" stroke="#4c78a8" stroke-width="1.5"/>"##,
        path.join(" ")
    );
    svg.push_str("</svg>\n");
    svg
}

/// A symmetric matrix of values in [-1, 1] (correlations) as coloured cells, blue for
/// negative and red for positive, with `labels` along both axes and each value written in
/// its cell.
pub(crate) fn heatmap(title: &str, labels: &[String], values: &[Vec<f64>]) -> String {
    let n = labels.len().max(1);
    let label_width = 150.0;
    let cell = ((WIDTH - label_width - RIGHT) / n as f64).clamp(14.0, 60.0);
    let height = TOP + label_width + cell * n as f64 + 8.0;
    let width = label_width + cell * n as f64 + RIGHT;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="10"><rect width="100%" height="100%" fill="#fff"/><text x="{:.0}" y="18" text-anchor="middle" font-size="13" font-weight="bold">{}</text>"##,
        width / 2.0,
        escape(title)
    );
    let top = TOP + label_width;
    for (i, label) in labels.iter().enumerate() {
        let y = top + cell * (i as f64 + 0.5) + 3.0;
        let x = label_width + cell * (i as f64 + 0.5);
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{y:.1}" text-anchor="end">{label}</text><text transform="translate({x:.1},{:.1}) rotate(-60)">{label}</text>"#,
            label_width - 4.0,
            top - 4.0,
            label = escape(label)
        );
    }
    for (i, row) in values.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            let v = if v.is_finite() {
                v.clamp(-1.0, 1.0)
            } else {
                0.0
            };
            // White at 0, full red at +1, full blue at -1.
            let fade = (255.0 * (1.0 - v.abs())) as u8;
            let colour = if v >= 0.0 {
                format!("rgb(255,{fade},{fade})")
            } else {
                format!("rgb({fade},{fade},255)")
            };
            let (x, y) = (label_width + cell * j as f64, top + cell * i as f64);
            let _ = write!(
                svg,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{cell:.1}" height="{cell:.1}" fill="{colour}" stroke="#ccc"/>"##
            );
            if cell >= 28.0 {
                let _ = write!(
                    svg,
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{v:.2}</text>"#,
                    x + cell / 2.0,
                    y + cell / 2.0 + 3.0
                );
            }
        }
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_scaled_to_the_plot_area() {
        let svg = bars("t", "x", "y", (0.0, 2.0), &[1.0, 2.0], Some(1.5));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        // Two bars; the taller one (2.0) reaches 2 / 2.2 of the plot height.
        assert_eq!(svg.matches("fill=\"#4c78a8\"").count(), 2);
        let plot = HEIGHT - TOP - BOTTOM;
        let expected_height = format!("height=\"{:.2}\"", plot * 2.0 / 2.2);
        assert!(svg.contains(&expected_height), "{svg}");
    }

    #[test]
    fn heatmap_colours_signs_and_strength() {
        let labels = vec!["a".to_owned(), "b<c".to_owned()];
        let svg = heatmap("r", &labels, &[vec![1.0, -0.5], vec![-0.5, 1.0]]);
        // Full red on the diagonal, half-faded blue off it; labels escaped.
        assert_eq!(svg.matches("fill=\"rgb(255,0,0)\"").count(), 2);
        assert_eq!(svg.matches("fill=\"rgb(127,127,255)\"").count(), 2);
        assert!(svg.contains("b&lt;c") && svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn text_is_escaped() {
        let band = Band {
            low: -1.0,
            high: 1.0,
            label: "a<b".into(),
        };
        let svg = line("x & y", "x", "y", &[(0.0, 0.0), (1.0, 0.5)], &band);
        assert!(svg.contains("x &amp; y") && svg.contains("a&lt;b"));
        assert!(!svg.contains("x & y"));
    }
}
