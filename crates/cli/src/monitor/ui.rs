//! Drawing: the source table, the selected source's chart (the view `g` chose), its figures
//! and physics note, and the pool state. Laid out to fit an 80×24 terminal.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Row, Sparkline, Table, Wrap};

use super::app::App;
use super::views::series;

/// The keys, in one line of at most 80 columns.
const HELP: &str = " ↑↓ move ⏎ select ␣ on/off g view p pause s snapshot +/- rate n window q quit";

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
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body);
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
        let health = if !s.enabled {
            "off"
        } else if s.quarantined {
            "QUAR"
        } else {
            "ok"
        };
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
    let text = vec![
        Line::from(format!(
            "{} samples: Shannon {:.2}, MCV {}",
            app.samples.len(),
            app.recent_shannon,
            app.recent_mcv.map_or("-".into(), |h| format!("{h:.2}"))
        )),
        Line::from(app.physics()).dim(),
    ];
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
