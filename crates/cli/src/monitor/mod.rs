//! `wellspring monitor`: a live terminal dashboard over a running engine.
//!
//! The terminal is restored on every exit path: normal quit, error, and panic (ratatui's
//! `init` installs a panic hook that restores the terminal before the message prints).

mod app;
mod ui;

use std::time::{Duration, Instant};

use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind};
use wellspring_core::engine::Engine;

use crate::args::MonitorArgs;
use crate::error::{CliError, CliResult};
use app::App;

pub(crate) fn run(args: MonitorArgs) -> CliResult {
    let sources = crate::camera::registry()?.select(args.sources.as_deref())?;
    let engine = Engine::start(crate::engine::config(sources)?).map_err(CliError::engine)?;
    let refresh = Duration::from_secs_f64(args.refresh);
    let mut app = App::new(engine);
    let mut terminal = ratatui::init();
    let result = (|| -> std::io::Result<()> {
        let mut next_refresh = Instant::now();
        loop {
            if Instant::now() >= next_refresh {
                app.refresh();
                next_refresh = Instant::now() + refresh;
            }
            terminal.draw(|frame| ui::draw(frame, &app))?;
            let wait = next_refresh
                .saturating_duration_since(Instant::now())
                .min(Duration::from_millis(250));
            if !event::poll(wait)? {
                continue;
            }
            if let Event::Key(key) = event::read()? {
                if key.kind != KeyEventKind::Press {
                    continue;
                }
                match key.code {
                    KeyCode::Char('q') | KeyCode::Esc => return Ok(()),
                    KeyCode::Up | KeyCode::Char('k') => app.move_cursor(-1),
                    KeyCode::Down | KeyCode::Char('j') => app.move_cursor(1),
                    KeyCode::Char(' ') | KeyCode::Enter => app.select(),
                    KeyCode::Char('r') => next_refresh = Instant::now(),
                    _ => {}
                }
            }
        }
    })();
    ratatui::restore();
    result.map_err(|e| CliError::runtime(format!("terminal error: {e}")))
}
