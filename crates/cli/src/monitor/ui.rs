//! Drawing: the source table, the selected source's chart (the view `g` chose), its figures
//! and physics note, and the pool state. Laid out to fit an 80×24 terminal.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Row, Sparkline, Table, Wrap};
use wellspring_core::engine::SourceReport;
use wellspring_core::health::FailedTest;

use super::app::App;
use super::views::series;

/// The keys, in one line of at most 80 columns.
const HELP: &str = " ↑↓ move ⏎ select ␣ on/off g view p pause s snapshot +/- rate n window q quit";

/// Width of the source table's health column: `QUAR apt≥512` (quarantined: the APT count
/// reached its cutoff 512).
const HEALTH_WIDTH: usize = 12;

/// A source's health cell, at most [`HEALTH_WIDTH`] characters: `ok`, `off`, or `QUAR` with
/// its cause: the failed test and the cutoff its count reached (`QUAR rct≥801`), `err` for a
/// collection error, `weak` for a source too weak to credit here.
pub(crate) fn health_cell(s: &SourceReport) -> String {
    health_text(
        s.enabled,
        s.quarantined,
        s.too_weak,
        s.failed_test.as_ref(),
        s.last_error.is_some(),
    )
}

fn health_text(
    enabled: bool,
    quarantined: bool,
    too_weak: bool,
    failed_test: Option<&FailedTest>,
    error: bool,
) -> String {
    if !enabled {
        return "off".into();
    }
    if !quarantined {
        return "ok".into();
    }
    let cause = match failed_test {
        Some(failed) => format!("{}≥{}", failed.test.short_name(), failed.cutoff),
        None if too_weak => "weak".into(),
        None if error => "err".into(),
        None => return "QUAR".into(),
    };
    let cell = format!("QUAR {cause}");
    if cell.chars().count() <= HEALTH_WIDTH {
        cell
    } else {
        format!("Q {cause}")
    }
}

/// Why the source is quarantined, in a line for the selected source's panel.
pub(crate) fn quarantine_line(s: &SourceReport) -> Option<String> {
    if !s.quarantined {
        return None;
    }
    Some(match (&s.failed_test, &s.last_error) {
        (Some(failed), _) => format!("quarantined: {}", failed.brief()),
        (None, Some(error)) => format!("quarantined: {error}"),
        (None, None) => "quarantined".into(),
    })
}

pub(crate) fn draw(frame: &mut Frame, app: &App) {
    let [header, body, pool, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(10),
        Constraint::Length(4),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let title = if app.paused {
        " wellspring monitor [paused] "
    } else {
        " wellspring monitor "
    };
    frame.render_widget(Line::from(title).bold().reversed(), header);
    // The source table takes 62%: at 80 columns, the longest source name and a health cell
    // with its cause both fit.
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(body);
    draw_sources(frame, app, left);
    draw_selected(frame, app, right);
    draw_pool(frame, app, pool);
    let footer = match &app.message {
        Some(message) => Line::from(format!(" {message}")).bold(),
        None => Line::from(HELP).dim(),
    };
    frame.render_widget(footer, help);
}

fn draw_sources(frame: &mut Frame, app: &App, area: ratatui::layout::Rect) {
    let rows = app.status.sources.iter().enumerate().map(|(i, s)| {
        let health = health_cell(s);
        let marker = if i == app.selected { "*" } else { " " };
        let row = Row::new(vec![
            format!("{marker}{}", s.name),
            health,
            s.min_entropy.map_or("-".into(), |h| format!("{h:.2}")),
            format!("{:.0}", s.credited_bits),
        ]);
        if i == app.cursor {
            row.style(Style::new().add_modifier(Modifier::REVERSED))
        } else {
            row
        }
    });
    let table = Table::new(
        rows,
        [
            Constraint::Min(14),
            Constraint::Length(HEALTH_WIDTH as u16),
            Constraint::Length(5),
            Constraint::Length(9),
        ],
    )
    .header(Row::new(vec!["source", "hlth", "H", "credit"]).bold())
    .block(Block::bordered().title(" sources "));
    frame.render_widget(table, area);
}

fn draw_selected(frame: &mut Frame, app: &App, area: ratatui::layout::Rect) {
    let selected = app.status.sources.get(app.selected);
    let name = selected.map_or("-", |s| s.name);
    let [chart, stats] = Layout::vertical([Constraint::Min(4), Constraint::Length(7)]).areas(area);
    let width = chart.width.saturating_sub(2) as usize;
    let (data, top) = series(app.view, &app.samples, &app.history(), width);
    frame.render_widget(
        Sparkline::default()
            .block(Block::bordered().title(format!(" {} ", app.view.title())))
            .data(&data)
            .max(top.max(1)),
        chart,
    );
    let mut text = vec![Line::from(format!(
        "{} samples: Shannon {:.2}, MCV {}",
        app.samples.len(),
        app.recent_shannon,
        app.recent_mcv.map_or("-".into(), |h| format!("{h:.2}"))
    ))];
    if let Some(line) = selected.and_then(quarantine_line) {
        text.push(Line::from(line).bold());
    }
    text.push(Line::from(app.physics()).dim());
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title(format!(" {name} "))),
        stats,
    );
}

fn draw_pool(frame: &mut Frame, app: &App, area: ratatui::layout::Rect) {
    let s = &app.status;
    let text = vec![
        Line::from(format!(
            "credited {:.0} bits ({:.0} bits/s)   blocks {} made, {} served, {} ready",
            s.credited_bits,
            app.credit_rate,
            s.blocks_produced,
            s.blocks_served,
            s.blocks_available
        )),
        Line::from(format!(
            "reseeds {}   healthy {}/{}   quarantined {}   harvest cpu {:.2} cores",
            s.reseeds,
            s.sources_healthy,
            s.sources_total,
            s.quarantined.len(),
            s.harvest_cpu_cores
        )),
    ];
    frame.render_widget(
        Paragraph::new(text).block(Block::bordered().title(" pool ")),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use wellspring_core::health::HealthFailure;

    fn failed(test: HealthFailure, observed: u32, cutoff: u32) -> FailedTest {
        FailedTest {
            test,
            observed,
            cutoff,
            window: (test == HealthFailure::AdaptiveProportion).then_some(512),
            persistent: true,
        }
    }

    #[test]
    fn a_quarantined_source_shows_its_failed_test_and_cutoff_within_the_column() {
        let apt = failed(HealthFailure::AdaptiveProportion, 512, 512);
        let rct = failed(HealthFailure::RepetitionCount, 1024, 801);
        assert_eq!(
            health_text(true, true, false, Some(&apt), true),
            "QUAR apt≥512"
        );
        assert_eq!(
            health_text(true, true, false, Some(&rct), true),
            "QUAR rct≥801"
        );
        // A four-digit cutoff drops to `Q` rather than being cut off by the column.
        let wide = failed(HealthFailure::RepetitionCount, 2048, 1601);
        assert_eq!(
            health_text(true, true, false, Some(&wide), true),
            "Q rct≥1601"
        );
        // Other causes, and sources in service.
        assert_eq!(health_text(true, true, false, None, true), "QUAR err");
        assert_eq!(health_text(true, true, true, None, true), "QUAR weak");
        assert_eq!(health_text(true, false, false, None, false), "ok");
        assert_eq!(health_text(false, true, false, Some(&apt), true), "off");
        for cutoff in [1, 99, 999, 9_999, 99_999] {
            let f = failed(HealthFailure::RepetitionCount, cutoff, cutoff);
            let cell = health_text(true, true, false, Some(&f), true);
            assert!(cell.chars().count() <= HEALTH_WIDTH, "{cell}");
        }
    }
}
