//! `wellspring record`: raw samples of chosen sources into a session folder (the format of
//! `wellspring-session`, documented in docs/SESSIONS.md), with the machine's facts, a system
//! snapshot a second, tags and a note. SIGINT or SIGTERM ends the session cleanly (its
//! manifest says so); a write error (a full disk) ends it keeping everything written.
//! Before it starts, each source is timed briefly and the expected size is printed on
//! stderr (one byte per sample adds up: a fast source gives gigabytes in minutes);
//! `--max-bytes` ends the session at a size.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, HumanCount};
use wellspring_core::{EntropySource, SpeedClass};
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

/// `--max-bytes`: whole bytes, or a number with a unit: K, M, G, T or KiB, MiB, GiB, TiB
/// (powers of 1,024, as `dd` and `head -c` read them), KB, MB, GB, TB (powers of 1,000);
/// at least 1 byte.
pub(crate) fn parse_size(text: &str) -> Result<u64, String> {
    let bad =
        || format!("'{text}' is not a size: bytes, or a number with K, M, G or T (e.g. 500M, 2G)");
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => (&text[..i], &text[i..]),
        None => (text, ""),
    };
    let power = |base: f64, unit: &str| -> Option<f64> {
        let exponent = ["K", "M", "G", "T"].iter().position(|u| *u == unit)?;
        Some(base.powi(exponent as i32 + 1))
    };
    let unit = unit.to_ascii_uppercase();
    let scale = match unit.as_str() {
        "" | "B" => Some(1.0),
        u => match (u.strip_suffix("IB"), u.strip_suffix('B')) {
            (Some(prefix), _) => power(1024.0, prefix),
            (None, Some(prefix)) => power(1000.0, prefix),
            (None, None) => power(1024.0, u),
        },
    }
    .ok_or_else(bad)?;
    match number.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v * scale >= 1.0 && v * scale < u64::MAX as f64 => {
            Ok((v * scale) as u64)
        }
        _ => Err(bad()),
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
    let rates = time_sources(&sources);
    let timed: Vec<Timed> = sources
        .iter()
        .zip(rates)
        .map(|(source, rate)| Timed {
            name: source.name(),
            batch: batch_size(source.as_ref()),
            rate,
        })
        .collect();
    for line in plan(&timed, length, args.max_bytes, &args.output) {
        eprintln!("{line}");
    }
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
    let mut recorder = Recorder::start(Request {
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
    if let Some(cap) = args.max_bytes {
        recorder
            .limit_bytes(cap)
            .map_err(|e| CliError::runtime(e.to_string()))?;
    }
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
    }
    if let (true, Some(cap)) = (recording.cap_reached, args.max_bytes) {
        eprintln!(
            "wellspring: stopped at the --max-bytes cap of {} ({cap} bytes): the raw files \
             hold what was recorded until then",
            HumanBytes(cap)
        );
    } else if !args.json && !m.complete && recording.write_error.is_none() {
        // A write error is reported once, as the error below.
        eprintln!("wellspring: session incomplete: {}", m.end_reason);
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

/// How long each source is timed before recording, for the expected size.
const TIMING: Duration = Duration::from_millis(250);
/// How long the timing may take in all: a source that has given nothing by then is slow.
const TIMING_LIMIT: Duration = Duration::from_secs(1);
/// Bytes of one batch's line in `raw/<source>.idx` ("<ns> <offset>\n"), about.
const INDEX_LINE: u64 = 24;

/// A source's rate, timed before recording.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rate {
    /// Samples per second.
    Measured(f64),
    /// Fewer samples per second than this: its first batch took longer than the limit.
    Below(f64),
    /// Its collection failed (the recording says how).
    Unknown,
}

/// One source as the plan sees it.
struct Timed {
    name: &'static str,
    /// Samples per batch the recorder collects (one index line each).
    batch: u64,
    rate: Rate,
}

/// The recorder's batch size (`wellspring-session`'s: 4,096 samples for a fast source, 256
/// for a slow one).
fn batch_size(source: &dyn EntropySource) -> u64 {
    match source.info().speed {
        SpeedClass::Fast => 4096,
        SpeedClass::Slow => 256,
    }
}

/// Samples of the first timing batch: small, so that a slow source answers quickly.
fn first_batch(source: &dyn EntropySource) -> usize {
    match source.info().speed {
        SpeedClass::Fast => 256,
        SpeedClass::Slow => 8,
    }
}

/// Times every source at once (as the recording runs them) for [`TIMING`], waiting at most
/// [`TIMING_LIMIT`] for all.
fn time_sources(sources: &[Arc<dyn EntropySource>]) -> Vec<Rate> {
    let (tx, rx) = std::sync::mpsc::channel();
    for (i, source) in sources.iter().enumerate() {
        let (source, tx) = (Arc::clone(source), tx.clone());
        // Not joined: a source slower than the limit ends its batch on its own.
        std::thread::spawn(move || {
            let start = Instant::now();
            let (mut samples, mut batch) = (0usize, first_batch(source.as_ref()));
            while start.elapsed() < TIMING {
                match source.collect(batch) {
                    Ok(got) => samples += got.len(),
                    Err(_) => {
                        let _ = tx.send((i, Rate::Unknown));
                        return;
                    }
                }
                batch = (batch * 2).min(4096);
            }
            let rate = samples as f64 / start.elapsed().as_secs_f64();
            let _ = tx.send((i, Rate::Measured(rate)));
        });
    }
    drop(tx);
    let mut rates: Vec<Rate> = sources
        .iter()
        .map(|s| Rate::Below(first_batch(s.as_ref()) as f64 / TIMING_LIMIT.as_secs_f64()))
        .collect();
    let deadline = Instant::now() + TIMING_LIMIT;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok((i, rate)) => rates[i] = rate,
            Err(_) => break,
        }
    }
    rates
}

/// Seconds for people: `0.05 s`, `4.2 s`, `42 s`, `15 min`, `2.5 h`.
fn human_seconds(seconds: f64) -> String {
    match seconds {
        s if s < 1.0 => format!("{s:.2} s"),
        s if s < 10.0 => format!("{s:.1} s"),
        s if s < 120.0 => format!("{s:.0} s"),
        s if s < 7200.0 => format!("{:.0} min", s / 60.0),
        s => format!("{:.1} h", s / 3600.0),
    }
}

/// The lines printed on stderr before recording: per source its rate and the bytes it will
/// write (samples, one byte each, plus the batch index), then the total and the cap.
fn plan(sources: &[Timed], length: Length, max_bytes: Option<u64>, output: &Path) -> Vec<String> {
    let bytes =
        |samples: f64, batch: u64| samples + (samples / batch as f64).ceil() * INDEX_LINE as f64;
    let rate_text = |rate: f64| format!("{} samples/s", HumanCount(rate.round() as u64));
    let mut lines = Vec::new();
    let (mut total, mut total_rate, mut bound) = (0.0, 0.0, false);
    for s in sources {
        let line = match (length, s.rate) {
            (Length::Duration(d), Rate::Measured(rate)) => {
                let b = bytes(rate * d.as_secs_f64(), s.batch);
                (total, total_rate) = (total + b, total_rate + b / d.as_secs_f64());
                format!(
                    "{} at {} for {}: about {}",
                    s.name,
                    rate_text(rate),
                    human_seconds(d.as_secs_f64()),
                    HumanBytes(b as u64)
                )
            }
            (Length::Duration(d), Rate::Below(rate)) => {
                let b = bytes(rate * d.as_secs_f64(), s.batch);
                (total, bound) = (total + b, true);
                format!(
                    "{} at under {} (slow to answer) for {}: under {}",
                    s.name,
                    rate_text(rate),
                    human_seconds(d.as_secs_f64()),
                    HumanBytes(b as u64)
                )
            }
            (Length::Duration(_), Rate::Unknown) => {
                format!("{}: not timed (its collection failed)", s.name)
            }
            (Length::Samples(n), rate) => {
                let b = bytes(n as f64, s.batch);
                total += b;
                let time = match rate {
                    Rate::Measured(r) => {
                        total_rate += r * b / n as f64;
                        format!(
                            ", about {} at {}",
                            human_seconds(n as f64 / r),
                            rate_text(r)
                        )
                    }
                    Rate::Below(r) => {
                        format!(
                            ", over {} at under {}",
                            human_seconds(n as f64 / r),
                            rate_text(r)
                        )
                    }
                    Rate::Unknown => " (not timed: its collection failed)".to_owned(),
                };
                format!(
                    "{} {} samples: about {}{time}",
                    s.name,
                    HumanCount(n),
                    HumanBytes(b as u64)
                )
            }
        };
        lines.push(format!("expected size: {line}"));
    }
    let about = if bound { "up to about" } else { "about" };
    let mut summary = format!(
        "expected size: {about} {} in all, in {}",
        HumanBytes(total as u64),
        output.display()
    );
    match max_bytes {
        Some(cap) if (cap as f64) < total => {
            summary += &format!(", capped at {} by --max-bytes", HumanBytes(cap));
            if total_rate > 0.0 {
                summary += &format!(
                    " (reached after about {})",
                    human_seconds(cap as f64 / total_rate)
                );
            }
        }
        Some(cap) => summary += &format!(", under the --max-bytes cap of {}", HumanBytes(cap)),
        None => summary += "; --max-bytes SIZE (e.g. 500M) stops it at a size",
    }
    lines.push(summary);
    lines
}

type ProgressThread = (
    indicatif::ProgressBar,
    Arc<AtomicBool>,
    std::thread::JoinHandle<()>,
);

/// The `--duration` bar's length: whole seconds, rounded up.
fn bar_seconds(duration: Duration) -> u64 {
    duration.as_secs_f64().ceil() as u64
}

/// Where the `--duration` bar stands: the whole seconds recorded, never past its length.
/// (The sources stop at the duration, but the bar is shown until the recording has been
/// assessed, seconds later: unclamped it read "8/6 s".)
fn seconds_shown(elapsed: Duration, duration: Duration) -> u64 {
    elapsed.as_secs().min(bar_seconds(duration))
}

/// Where the `--samples` bar stands: the samples recorded, each source counted up to its
/// `per_source`, so the bar never passes its length (sources x `per_source`).
fn samples_shown(samples: &[u64], per_source: u64) -> u64 {
    samples.iter().map(|&s| s.min(per_source)).sum()
}

/// A progress bar on a terminal (elapsed, samples per source); nothing on a pipe.
fn show_progress(recorder: &Recorder, length: Length) -> Option<ProgressThread> {
    let progress = recorder.progress();
    let bar = match length {
        Length::Samples(n) => crate::progress::count(n * progress.names.len() as u64, "recording")?,
        Length::Duration(d) => crate::progress::count(bar_seconds(d), "recording (s)")?,
    };
    let done = Arc::new(AtomicBool::new(false));
    let (shown, stop) = (bar.clone(), Arc::clone(&done));
    let thread = std::thread::spawn(move || {
        // Once the sources stop, the bar shows where they stopped (within one update) and
        // stays there while the recording is assessed.
        let mut recorded = false;
        while !stop.load(Ordering::Relaxed) {
            if !recorded {
                recorded = progress.sources_done();
                let samples = progress.samples();
                match length {
                    Length::Samples(n) => shown.set_position(samples_shown(&samples, n)),
                    Length::Duration(d) => {
                        shown.set_position(seconds_shown(progress.elapsed(), d));
                    }
                }
                if recorded {
                    shown.set_message("recorded; assessing (SP 800-90B, health tests)");
                } else {
                    let parts: Vec<String> = progress
                        .names
                        .iter()
                        .zip(&samples)
                        .map(|(n, s)| format!("{n} {s}"))
                        .collect();
                    shown.set_message(parts.join(", "));
                }
            }
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

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("48K"), Ok(48 * 1024));
        assert_eq!(parse_size("100M"), Ok(100 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("2GB"), Ok(2_000_000_000));
        assert_eq!(parse_size("1T"), Ok(1 << 40));
        assert_eq!(parse_size("10B"), Ok(10));
        for bad in [
            "",
            "0",
            "-1M",
            "0.5",
            "5 parsecs",
            "1X",
            "1e300G",
            "nan",
            "M",
        ] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_duration_bar_never_passes_its_length() {
        let six = Duration::from_secs(6);
        assert_eq!(bar_seconds(six), 6);
        assert_eq!(seconds_shown(Duration::from_millis(2500), six), 2);
        // The assessments after the recording: the bar read "8/6 s".
        assert_eq!(seconds_shown(Duration::from_secs(8), six), 6);
        let short = Duration::from_millis(1500);
        assert_eq!(bar_seconds(short), 2);
        assert_eq!(seconds_shown(Duration::from_secs(3), short), 2);
        // `--samples 100` of two sources: a source past its count does not carry the other.
        assert_eq!(samples_shown(&[40, 60], 100), 100);
        assert_eq!(samples_shown(&[130, 20], 100), 120);
        assert_eq!(samples_shown(&[100, 100], 100), 200);
    }

    #[test]
    fn the_plan_states_rate_and_size_per_source_and_in_all() {
        let sources = [
            Timed {
                name: "branch_timing",
                batch: 4096,
                rate: Rate::Measured(1_000_000.0),
            },
            Timed {
                name: "slow_one",
                batch: 256,
                rate: Rate::Below(8.0),
            },
        ];
        let five_minutes = Length::Duration(Duration::from_secs(300));
        let lines = plan(&sources, five_minutes, None, Path::new("sessions"));
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines.iter().all(|l| l.starts_with("expected size: ")));
        // 3·10^8 samples and 73,243 index lines of 24 bytes: 301,757,832 bytes.
        assert_eq!(
            lines[0],
            "expected size: branch_timing at 1,000,000 samples/s for 5 min: about 287.78 MiB"
        );
        assert!(lines[1].contains("slow_one at under 8 samples/s") && lines[1].contains("under"));
        assert!(
            lines[2].contains("up to about 287.78 MiB in all, in sessions")
                && lines[2].contains("--max-bytes"),
            "{}",
            lines[2]
        );
        let capped = plan(&sources[..1], five_minutes, Some(100 << 20), Path::new("s"));
        assert!(
            capped[1].ends_with("capped at 100.00 MiB by --max-bytes (reached after about 104 s)"),
            "{capped:?}"
        );
        let samples = plan(
            &sources[..1],
            Length::Samples(1_000_000),
            None,
            Path::new("s"),
        );
        assert!(
            samples[0].starts_with("expected size: branch_timing 1,000,000 samples: about ")
                && samples[0].ends_with("about 1.0 s at 1,000,000 samples/s"),
            "{samples:?}"
        );
    }
}
