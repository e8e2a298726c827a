//! `wellspring record`: raw samples of chosen sources into a session folder (the format of
//! `wellspring-session`, documented in docs/SESSIONS.md), with the machine's facts, a system
//! snapshot a second, tags and a note. SIGINT or SIGTERM ends the session cleanly (its
//! manifest says so); a write error (a full disk) ends it keeping everything written.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wellspring_session::recorder::{Length, Recorder, Request};

use crate::args::RecordArgs;
use crate::error::{CliError, CliResult};

/// `30s`, `5m`, `1h`, `1.5h`, or plain seconds.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => (&text[..i], &text[i..]),
        None => (text, "s"),
    };
    let scale = match unit {
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(format!("'{text}' is not a duration like 30s, 5m or 1h")),
    };
    match number.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v * scale <= 366.0 * 86_400.0 => {
            Ok(Duration::from_secs_f64(v * scale))
        }
        _ => Err(format!("'{text}' is not a duration like 30s, 5m or 1h")),
    }
}

/// `key:value`.
pub(crate) fn parse_tag(text: &str) -> Result<(String, String), String> {
    match text.split_once(':') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
        _ => Err(format!("'{text}' is not a tag like key:value")),
    }
}

pub(crate) fn run(args: RecordArgs) -> CliResult {
    let length = match (args.samples, args.duration) {
        (Some(n), None) => Length::Samples(n),
        (None, Some(d)) => Length::Duration(d),
        _ => {
            return Err(CliError::usage(
                "give how much to record: --samples N (per source) or --duration 30s|5m|1h",
            ));
        }
    };
    let sources = crate::camera::registry()?.select(Some(&args.sources))?;
    let tags: BTreeMap<String, String> = args.tag.into_iter().collect();
    let sigint = Arc::new(AtomicBool::new(false));
    let sigterm = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    for (signal, flag) in [
        (signal_hook::consts::SIGINT, &sigint),
        (signal_hook::consts::SIGTERM, &sigterm),
    ] {
        for target in [flag, &stop] {
            signal_hook::flag::register(signal, Arc::clone(target))
                .map_err(|e| CliError::runtime(format!("cannot install signal handlers: {e}")))?;
        }
    }
    let recorder = Recorder::start(Request {
        sources,
        length,
        tags,
        note: args.note,
        output: args.output.clone(),
        command: std::env::args().collect(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        conditioned: args.conditioned,
    })
    .map_err(|e| CliError::runtime(e.to_string()))?;
    let path = recorder.path().to_owned();
    let bar = show_progress(&recorder, length);
    let recording = recorder
        .run(&stop, || {
            if sigterm.load(Ordering::Relaxed) {
                "interrupted by SIGTERM".to_owned()
            } else if sigint.load(Ordering::Relaxed) {
                "interrupted by SIGINT".to_owned()
            } else {
                "stopped".to_owned()
            }
        })
        .map_err(|e| CliError::runtime(e.to_string()))?;
    if let Some((bar, done, thread)) = bar {
        done.store(true, Ordering::Relaxed);
        let _ = thread.join();
        bar.finish_and_clear();
    }
    let m = &recording.manifest;
    if args.json {
        crate::output::print_json(&serde_json::json!({
            "path": path.display().to_string(),
            "manifest": m,
        }))?;
    } else {
        println!("{}", path.display());
        for s in &m.sources {
            let h = |h: Option<f64>| h.map_or("–".to_owned(), |h| format!("{h:.3}"));
            println!(
                "  {:<22} {:>12} samples  {:>12.0}/s  h {} → {}{}",
                s.name,
                s.samples,
                s.samples_per_second,
                h(s.h_start),
                h(s.h_end),
                s.error
                    .as_deref()
                    .map(|e| format!("  ({e})"))
                    .unwrap_or_default()
            );
        }
        // A write error is reported once, as the error below.
        if !m.complete && recording.write_error.is_none() {
            eprintln!("wellspring: session incomplete: {}", m.end_reason);
        }
    }
    match &recording.write_error {
        Some(e) => Err(CliError::runtime(format!(
            "recording stopped, everything written so far is kept in {}: {e}",
            path.display()
        ))),
        None if m.sources.iter().any(|s| s.error.is_some()) && !m.complete => {
            Err(CliError::runtime(format!(
                "a source failed; the session is in {}",
                path.display()
            )))
        }
        None => Ok(()),
    }
}

type ProgressThread = (
    indicatif::ProgressBar,
    Arc<AtomicBool>,
    std::thread::JoinHandle<()>,
);

/// A progress bar on a terminal (elapsed, samples per source); nothing on a pipe.
fn show_progress(recorder: &Recorder, length: Length) -> Option<ProgressThread> {
    let progress = recorder.progress();
    let bar = match length {
        Length::Samples(n) => crate::progress::count(n * progress.names.len() as u64, "recording")?,
        Length::Duration(d) => crate::progress::count(d.as_secs(), "recording (s)")?,
    };
    let done = Arc::new(AtomicBool::new(false));
    let (shown, stop) = (bar.clone(), Arc::clone(&done));
    let thread = std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            let samples = progress.samples();
            match length {
                Length::Samples(_) => shown.set_position(samples.iter().sum()),
                Length::Duration(_) => shown.set_position(progress.elapsed().as_secs()),
            }
            let parts: Vec<String> = progress
                .names
                .iter()
                .zip(&samples)
                .map(|(n, s)| format!("{n} {s}"))
                .collect();
            shown.set_message(parts.join(", "));
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    Some((bar, done, thread))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_tags() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        for bad in ["", "0s", "-1m", "5 parsecs", "1e300h", "nan"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_tag("room:lab 3"),
            Ok(("room".to_owned(), "lab 3".to_owned()))
        );
        assert!(parse_tag("novalue").is_err());
        assert!(parse_tag(":x").is_err());
    }
}
