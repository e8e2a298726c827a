//! `wellspring sessions [DIR]`: the recorded sessions in a folder (default `./sessions`), as
//! a table or `--json`; `wellspring sessions show ID`: one session's manifest summary.
//! Sessions cut short by a crash are listed as incomplete, with the samples found on disk.

use std::path::Path;

use wellspring_session::list::{self, Session};

use crate::args::{SessionsAction, SessionsArgs};
use crate::error::{CliError, CliResult};

pub(crate) fn run(args: SessionsArgs) -> CliResult {
    match args.action {
        Some(SessionsAction::Show { id, dir, json }) => show(&dir, &id, json),
        None => list_all(&args.dir, args.json),
    }
}

fn list_all(dir: &Path, json: bool) -> CliResult {
    let found = list::list(dir).map_err(|e| CliError::usage(e.to_string()))?;
    let mut sessions = Vec::new();
    for result in found {
        match result {
            Ok(session) => sessions.push(session.info()),
            Err(e) => eprintln!("wellspring: skipped: {e}"),
        }
    }
    if json {
        return crate::output::print_json(&serde_json::json!({ "sessions": sessions }));
    }
    if sessions.is_empty() {
        println!("no sessions in {}", dir.display());
        return Ok(());
    }
    println!(
        "{:<8} {:<25} {:>10} {:>12}  {:<8} {:<30} tags",
        "id", "started", "duration", "samples", "complete", "sources"
    );
    for s in &sessions {
        let duration = s
            .duration_seconds
            .map_or("–".to_owned(), |d| format!("{d:.1} s"));
        let tags: Vec<String> = s.tags.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        println!(
            "{:<8} {:<25} {:>10} {:>12}  {:<8} {:<30} {}",
            s.id,
            s.started_at,
            duration,
            s.samples,
            if s.complete { "yes" } else { "no" },
            s.sources.join(","),
            tags.join(" ")
        );
    }
    Ok(())
}

fn show(dir: &Path, id: &str, json: bool) -> CliResult {
    let session = list::find(dir, id).map_err(|e| CliError::usage(e.to_string()))?;
    if json {
        return crate::output::print_json(&serde_json::json!({
            "path": session.path.display().to_string(),
            "crashed": session.crashed,
            "manifest": session.manifest,
        }));
    }
    print_summary(&session);
    Ok(())
}

fn print_summary(session: &Session) {
    let m = &session.manifest;
    let info = session.info();
    println!("session {} in {}", m.id, session.path.display());
    println!(
        "  started {}, ended {}",
        m.started_at,
        m.ended_at.as_deref().unwrap_or("never (crashed)")
    );
    println!(
        "  complete: {} ({}), {} samples in {}",
        if m.complete { "yes" } else { "no" },
        m.end_reason,
        info.samples,
        info.duration_seconds
            .map_or("?".to_owned(), |d| format!("{d:.1} s"))
    );
    println!("  command: {}", m.command.join(" "));
    if !m.tags.is_empty() {
        let tags: Vec<String> = m.tags.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        println!("  tags: {}", tags.join(" "));
    }
    if let Some(note) = &m.note {
        println!("  note: {note}");
    }
    let machine = &m.machine;
    println!(
        "  machine: {} ({} cores), kernel {}, virtualization {}, clock source {}",
        machine.cpu.as_deref().unwrap_or("?"),
        machine.cores,
        machine.kernel.as_deref().unwrap_or("?"),
        machine.virtualization.as_deref().unwrap_or("?"),
        machine.clocksource.as_deref().unwrap_or("?")
    );
    for s in &m.sources {
        let h = |h: Option<f64>| h.map_or("–".to_owned(), |h| format!("{h:.3}"));
        println!(
            "  {:<22} {:<10} {:>12} samples {:>12.0}/s  h {} → {}  health: {} RCT, {} APT, {} persistent",
            s.name,
            s.category,
            s.samples,
            s.samples_per_second,
            h(s.h_start),
            h(s.h_end),
            s.health_events.rct_failures,
            s.health_events.apt_failures,
            s.health_events.persistent_failures
        );
    }
}
