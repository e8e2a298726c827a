//! `wellspring monitor`: a live terminal dashboard over a running engine. Keys: ↑/↓ move,
//! Enter selects the source the chart and physics panel show, Space switches the source under
//! the cursor off or on in the engine, `g` cycles the chart (sample values, Shannon,
//! min-entropy, collection time, random walk, byte distribution, autocorrelation), `p` pauses,
//! `s` writes a JSON snapshot to the working directory, `+`/`-` change the refresh rate, `n`
//! the sample window, `r` refreshes now, `q` quits.
//!
//! The terminal is restored on every exit path: normal quit, error, panic (ratatui's
//! `init` installs a panic hook that restores the terminal before the message prints), and
//! SIGTERM or SIGHUP (a flag checked at least every 250 ms; the monitor then quits as with
//! `q`). When the terminal itself is gone (a closed window, a dropped SSH session, a killed
//! tmux pane), crossterm's event poll can spin on the dead terminal and never return to check
//! the flag: a watchdog thread then ends the process [`HANGUP_GRACE`] after the signal, so a
//! monitor never outlives its terminal.

mod app;
mod ui;
mod views;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind};
use wellspring_core::engine::Engine;

use crate::args::MonitorArgs;
use crate::error::{CliError, CliResult};
use app::App;

pub(crate) fn run(args: MonitorArgs) -> CliResult {
    let sources = crate::camera::registry()?.select(args.sources.as_deref())?;
    let engine =
        Engine::start(crate::engine::config(sources.clone())?).map_err(CliError::engine)?;
    let mut app = App::new(engine, &sources, Duration::from_secs_f64(args.refresh));
    let here = std::env::current_dir()
        .map_err(|e| CliError::runtime(format!("no working directory for snapshots: {e}")))?;
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .map_err(|e| CliError::runtime(format!("cannot install signal handlers: {e}")))?;
    }
    watch_for_a_stuck_exit(Arc::clone(&stop));
    let mut terminal = ratatui::init();
    let result = (|| -> std::io::Result<()> {
        let mut next_refresh = Instant::now();
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            if Instant::now() >= next_refresh {
                app.refresh();
                next_refresh = Instant::now() + app.refresh;
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
                app.message = None;
                match key.code {
                    KeyCode::Char('q') | KeyCode::Esc => return Ok(()),
                    KeyCode::Up | KeyCode::Char('k') => app.move_cursor(-1),
                    KeyCode::Down | KeyCode::Char('j') => app.move_cursor(1),
                    KeyCode::Enter => app.select(),
                    KeyCode::Char(' ') => app.toggle(),
                    KeyCode::Char('g') => app.cycle_view(),
                    KeyCode::Char('p') => app.toggle_pause(),
                    KeyCode::Char('s') => app.snapshot(&here),
                    KeyCode::Char('+') | KeyCode::Char('=') => app.change_refresh(true),
                    KeyCode::Char('-') => app.change_refresh(false),
                    KeyCode::Char('n') => {
                        app.cycle_window();
                        next_refresh = Instant::now();
                    }
                    KeyCode::Char('r') => next_refresh = Instant::now(),
                    _ => {}
                }
            }
        }
    })();
    ratatui::restore();
    result.map_err(|e| CliError::runtime(format!("terminal error: {e}")))
}

/// How long after SIGTERM or SIGHUP the main loop has to quit before the watchdog ends the
/// process.
const HANGUP_GRACE: Duration = Duration::from_secs(2);

/// Once `stop` is set, gives the main loop [`HANGUP_GRACE`] to quit as with `q`, then
/// restores what it can of the terminal and exits (status 0, as a quit): the loop may be
/// stuck polling a terminal that hung up.
fn watch_for_a_stuck_exit(stop: Arc<AtomicBool>) {
    std::thread::Builder::new()
        .name("ws-monitor-watchdog".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
            }
            std::thread::sleep(HANGUP_GRACE);
            ratatui::restore();
            std::process::exit(0);
        })
        .ok();
}
