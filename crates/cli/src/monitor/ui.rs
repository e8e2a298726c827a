//! Drawing: the source table, the selected source's live samples, and the pool state.
//! Laid out to fit an 80×24 terminal.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Row, Sparkline, Table};

use super::app::App;

pub(crate) fn draw(frame: &mut Frame, app: &App) {
    let [header, body, pool, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(10),
        Constraint::Length(4),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(Line::from(" wellspring monitor ").bold().reversed(), header);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body);
    draw_sources(frame, app, left);
    draw_selected(frame, app, right);
    draw_pool(frame, app, pool);
    frame.render_widget(
        Line::from(" ↑/↓ move  space select  r refresh  q quit").dim(),
        help,
    );
}

fn draw_sources(frame: &mut Frame, app: &App, area: ratatui::layout::Rect) {
    let rows = app.status.sources.iter().enumerate().map(|(i, s)| {
        let health = if s.quarantined { "QUAR" } else { "ok" };
        let marker = if i == app.selected { "*" } else { " " };
        let row = Row::new(vec![
            format!("{marker}{}", s.name),
            health.to_owned(),
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
            Constraint::Length(4),
            Constraint::Length(5),
            Constraint::Length(9),
        ],
    )
    .header(Row::new(vec!["source", "hlth", "H", "credit"]).bold())
    .block(Block::bordered().title(" sources "));
    frame.render_widget(table, area);
}

fn draw_selected(frame: &mut Frame, app: &App, area: ratatui::layout::Rect) {
    let name = app.status.sources.get(app.selected).map_or("-", |s| s.name);
    let [chart, stats] = Layout::vertical([Constraint::Min(4), Constraint::Length(4)]).areas(area);
    let width = chart.width.saturating_sub(2) as usize;
    let data: Vec<u64> = app
        .samples
        .iter()
        .rev()
        .take(width)
        .rev()
        .map(|&b| b as u64)
        .collect();
    frame.render_widget(
        Sparkline::default()
            .block(Block::bordered().title(format!(" {name} samples ")))
            .data(&data)
            .max(255),
        chart,
    );
    let text = vec![
        Line::from(format!("Shannon {:.2} bits/byte", app.recent_shannon)),
        Line::from(format!(
            "MCV min-entropy {} bits",
            app.recent_mcv.map_or("-".into(), |h| format!("{h:.2}"))
        )),
    ];
    frame.render_widget(
        Paragraph::new(text).block(Block::bordered().title(" last samples ")),
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
