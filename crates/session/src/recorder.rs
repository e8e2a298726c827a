//! Recording a session: one thread per source collecting batches and appending them to its
//! raw file and batch index as they come (flushed to the kernel per batch, synced to disk
//! every second), one thread writing a system snapshot a second, and the manifest written
//! atomically at the start and rewritten at the end. A stop request (SIGINT, SIGTERM) or a
//! write error (a full disk) ends the session cleanly: everything written stays, and the
//! manifest says why it ended. After the recording, each source's first and last 65,536
//! samples are assessed (SP 800-90B, as the engine measures a source) and the continuous
//! health tests are run over the whole file with cutoffs from the first figure; with
//! `conditioned`, each source's SHA-256 output is written from the lower figure. A size cap
//! ([`Recorder::limit_bytes`]) ends the session when the raw files reach it.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wellspring_core::accounting::FULL_ASSESSMENT_SAMPLES;
use wellspring_core::engine::default_assessor;
use wellspring_core::health::HealthTests;
use wellspring_core::{EntropySource, SpeedClass};

use crate::format::{
    CONDITIONS, FORMAT_VERSION, HealthEvents, MANIFEST, Manifest, RAW_DIR, RESERVE, RESERVE_BYTES,
    SourceEntry, index_path, raw_path, write_json_atomic,
};
use crate::machine::{Conditions, Machine};
use crate::time;

/// How long to record each source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Length {
    /// This many samples of every source.
    Samples(u64),
    /// For this long.
    Duration(Duration),
}

/// What to record.
pub struct Request {
    /// The sources, each recorded to its own file.
    pub sources: Vec<Arc<dyn EntropySource>>,
    /// How much.
    pub length: Length,
    /// `--tag key:value` pairs.
    pub tags: BTreeMap<String, String>,
    /// `--note`.
    pub note: Option<String>,
    /// The folder sessions are made in (`./sessions` by default).
    pub output: PathBuf,
    /// The exact command line, for the manifest.
    pub command: Vec<String>,
    /// wellspring's version, for the manifest.
    pub version: String,
    /// Also write each source's SHA-256 conditioned output (see [`crate::conditioned`]).
    pub conditioned: bool,
}

/// Why a session could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Creating or writing a file failed before anything was recorded.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// No source was given.
    #[error("no source to record")]
    NoSources,
}

/// Live counts for a progress display: samples recorded per source.
pub struct Progress {
    /// Source names, in request order.
    pub names: Vec<String>,
    samples: Vec<AtomicU64>,
    /// When each source's last batch was written, in ns since the start (its own rate's
    /// denominator: sources finish at different times).
    finished_ns: Vec<AtomicU64>,
    started: Instant,
}

/// A cap on the bytes of the raw files (`raw/<source>.bin` and `.idx`), shared by the
/// sources' threads: each takes its batch's bytes before writing, a batch that would cross
/// the cap is cut to fit, and the cap is then reached.
/// Bytes the first batch of a source reserves under a size cap for the `.idx` closing line
/// (a closing line of a recording under ~27 hours and 10^9 samples is shorter).
const CLOSING_RESERVE: u64 = 32;

struct Budget {
    cap: u64,
    used: AtomicU64,
    reached: AtomicBool,
}

impl Budget {
    /// How many of `samples` may be written with an index line of `line` bytes (taking
    /// their bytes), `None` when not one more sample fits; marks the cap reached when it
    /// cuts.
    fn take(&self, line: u64, samples: u64) -> Option<u64> {
        let mut used = self.used.load(Ordering::Relaxed);
        loop {
            let left = self.cap.saturating_sub(used);
            if left <= line {
                self.reached.store(true, Ordering::Relaxed);
                return None;
            }
            let take = samples.min(left - line);
            match self.used.compare_exchange_weak(
                used,
                used + line + take,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    if take < samples {
                        self.reached.store(true, Ordering::Relaxed);
                    }
                    return Some(take);
                }
                Err(now) => used = now,
            }
        }
    }
}

impl Progress {
    /// Samples recorded so far, per source.
    pub fn samples(&self) -> Vec<u64> {
        self.samples
            .iter()
            .map(|s| s.load(Ordering::Relaxed))
            .collect()
    }

    /// Time since the recording started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Whether every source has stopped collecting (what follows is the assessment of the
    /// recording, which takes seconds more).
    pub fn sources_done(&self) -> bool {
        self.finished_ns
            .iter()
            .all(|f| f.load(Ordering::Relaxed) > 0)
    }
}

/// A session being recorded.
pub struct Recorder {
    request: Request,
    path: PathBuf,
    manifest: Manifest,
    progress: Arc<Progress>,
    max_bytes: Option<u64>,
}

/// A finished session: where it is and its final manifest.
#[derive(Debug)]
pub struct Recording {
    /// The session folder.
    pub path: PathBuf,
    /// `session.json` as written at the end.
    pub manifest: Manifest,
    /// The first write error, if one ended the session.
    pub write_error: Option<String>,
    /// Whether the size cap ([`Recorder::limit_bytes`]) ended the session.
    pub cap_reached: bool,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> RecordError + '_ {
    move |source| RecordError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A short random id: 6 hex digits from the OS generator (only a name, not a secret).
fn short_id() -> String {
    let mut bytes = [0u8; 3];
    if File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .is_err()
    {
        let (s, n) = time::now();
        bytes.copy_from_slice(&(s as u32 ^ n).to_le_bytes()[..3]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Recorder {
    /// Creates the session folder and its files, and writes the manifest (`complete`
    /// false, `end_reason` `recording`), so a session cut short by a crash still opens.
    pub fn start(request: Request) -> Result<Recorder, RecordError> {
        if request.sources.is_empty() {
            return Err(RecordError::NoSources);
        }
        let (secs, nanos) = time::now();
        let id = short_id();
        let path = request.output.join(format!("{}-{id}", time::compact(secs)));
        fs::create_dir_all(path.join(RAW_DIR)).map_err(io_err(&path))?;
        let requested = match request.length {
            Length::Samples(n) => BTreeMap::from([("samples".to_owned(), n as f64)]),
            Length::Duration(d) => BTreeMap::from([("seconds".to_owned(), d.as_secs_f64())]),
        };
        let manifest = Manifest {
            format_version: FORMAT_VERSION,
            id,
            started_at: time::rfc3339(secs, nanos),
            ended_at: None,
            complete: false,
            end_reason: "recording".to_owned(),
            command: request.command.clone(),
            version: request.version.clone(),
            tags: request.tags.clone(),
            note: request.note.clone(),
            requested,
            machine: Machine::detect(),
            sources: request
                .sources
                .iter()
                .map(|s| SourceEntry {
                    name: s.name().to_owned(),
                    category: s.info().category.as_str().to_owned(),
                    samples: 0,
                    samples_per_second: 0.0,
                    h_start: None,
                    h_end: None,
                    health_events: HealthEvents::default(),
                    error: None,
                    conditioned: None,
                })
                .collect(),
        };
        let manifest_path = path.join(MANIFEST);
        write_json_atomic(&manifest_path, &manifest).map_err(io_err(&manifest_path))?;
        let reserve = path.join(RESERVE);
        File::create(&reserve)
            .and_then(|mut f| {
                f.write_all(&vec![0u8; RESERVE_BYTES])?;
                f.sync_all()
            })
            .map_err(io_err(&reserve))?;
        let progress = Arc::new(Progress {
            names: manifest.sources.iter().map(|s| s.name.clone()).collect(),
            samples: manifest.sources.iter().map(|_| AtomicU64::new(0)).collect(),
            finished_ns: manifest.sources.iter().map(|_| AtomicU64::new(0)).collect(),
            started: Instant::now(),
        });
        Ok(Recorder {
            request,
            path,
            manifest,
            progress,
            max_bytes: None,
        })
    }

    /// Ends the session when its raw files (`raw/<source>.bin` and `.idx`, all sources
    /// together) reach `max_bytes`: the batch that would cross it is cut to fit, so they end
    /// at or under it. The manifest's `requested` gets `max_bytes`; a session the cap ends is
    /// not `complete`, and its `end_reason` names the cap.
    pub fn limit_bytes(&mut self, max_bytes: u64) -> Result<(), RecordError> {
        self.max_bytes = Some(max_bytes);
        let _ = self
            .manifest
            .requested
            .insert("max_bytes".to_owned(), max_bytes as f64);
        let manifest_path = self.path.join(MANIFEST);
        write_json_atomic(&manifest_path, &self.manifest).map_err(io_err(&manifest_path))
    }

    /// The session folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Live counts, for a progress display on another thread.
    pub fn progress(&self) -> Arc<Progress> {
        Arc::clone(&self.progress)
    }

    /// Records until every source has its samples (or the duration has passed), `stop`
    /// turns true (then `stop_reason` says why), or a write fails; then finishes the
    /// manifest. Returns the finished session, also when it ended early.
    pub fn run(
        mut self,
        stop: &AtomicBool,
        stop_reason: impl Fn() -> String,
    ) -> Result<Recording, RecordError> {
        let started = self.progress.started;
        let halt = AtomicBool::new(false);
        let write_error: Mutex<Option<String>> = Mutex::new(None);
        let source_errors: Vec<Mutex<Option<String>>> = self
            .request
            .sources
            .iter()
            .map(|_| Mutex::new(None))
            .collect();
        let length = self.request.length;
        let budget = self.max_bytes.map(|cap| Budget {
            cap,
            used: AtomicU64::new(0),
            reached: AtomicBool::new(false),
        });
        let cap_reached = || {
            budget
                .as_ref()
                .is_some_and(|b| b.reached.load(Ordering::Relaxed))
        };
        let stopping =
            || stop.load(Ordering::Relaxed) || halt.load(Ordering::Relaxed) || cap_reached();
        let done = AtomicBool::new(false);
        std::thread::scope(|scope| {
            for (i, source) in self.request.sources.iter().enumerate() {
                let (path, progress) = (&self.path, &self.progress);
                let (write_error, halt, error) = (&write_error, &halt, &source_errors[i]);
                let budget = budget.as_ref();
                scope.spawn(move || {
                    let result = record_source(
                        source.as_ref(),
                        path,
                        started,
                        length,
                        &progress.samples[i],
                        &stopping,
                        budget,
                    );
                    progress.finished_ns[i]
                        .store(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
                    match result {
                        Ok(None) => {}
                        Ok(Some(collect_error)) => {
                            *error.lock().unwrap_or_else(|p| p.into_inner()) = Some(collect_error)
                        }
                        Err(e) => {
                            let mut first = write_error.lock().unwrap_or_else(|p| p.into_inner());
                            first.get_or_insert(e);
                            halt.store(true, Ordering::Relaxed);
                        }
                    }
                });
            }
            let (path, done) = (&self.path, &done);
            let conditions = scope.spawn(move || record_conditions(path, started, done));
            // The sources' threads end by themselves; the conditions thread when told.
            while !self.progress_done(length, &source_errors) && !stopping() {
                std::thread::sleep(Duration::from_millis(50));
            }
            done.store(true, Ordering::Relaxed);
            if let Ok(Err(e)) = conditions.join() {
                let mut first = write_error.lock().unwrap_or_else(|p| p.into_inner());
                first.get_or_insert(e);
            }
        });
        let elapsed = started.elapsed().as_secs_f64();
        // Give the reserved space back for the final manifest (and the conditioned files).
        let _ = fs::remove_file(self.path.join(RESERVE));
        let write_error = write_error.into_inner().unwrap_or_else(|p| p.into_inner());
        let samples = self.progress.samples();
        let reached = |n: u64| match length {
            Length::Samples(want) => n >= want,
            Length::Duration(d) => elapsed >= d.as_secs_f64(),
        };
        let stopped = stop.load(Ordering::Relaxed);
        let capped = cap_reached();
        let (complete, end_reason) = if let Some(e) = &write_error {
            (false, format!("write failed: {e}"))
        } else if stopped {
            (false, stop_reason())
        } else if let (true, Some(cap)) = (capped, self.max_bytes) {
            (false, format!("size cap reached: {cap} bytes"))
        } else if samples.iter().all(|&n| reached(n)) {
            (true, "completed".to_owned())
        } else {
            (false, "a source failed (see its error)".to_owned())
        };
        let (secs, nanos) = time::now();
        self.manifest.ended_at = Some(time::rfc3339(secs, nanos));
        self.manifest.complete = complete;
        self.manifest.end_reason = end_reason;
        for (i, entry) in self.manifest.sources.iter_mut().enumerate() {
            entry.samples = samples[i];
            let seconds = self.progress.finished_ns[i].load(Ordering::Relaxed) as f64 / 1e9;
            entry.samples_per_second = if seconds > 0.0 {
                samples[i] as f64 / seconds
            } else {
                0.0
            };
            entry.error = source_errors[i]
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            let raw = raw_path(&self.path, &entry.name);
            let (h_start, h_end) = assess_ends(&raw, samples[i]);
            entry.h_start = h_start;
            entry.h_end = h_end;
            entry.health_events = health_over(&raw, h_start);
            if self.request.conditioned
                && let Some(h) = h_start.zip(h_end).map(|(a, b)| a.min(b))
            {
                entry.conditioned = crate::conditioned::condition(&self.path, &entry.name, h)
                    .map_err(io_err(&self.path))?;
            }
        }
        let manifest_path = self.path.join(MANIFEST);
        write_json_atomic(&manifest_path, &self.manifest).map_err(io_err(&manifest_path))?;
        Ok(Recording {
            path: self.path,
            manifest: self.manifest,
            write_error,
            cap_reached: capped && !stopped,
        })
    }

    /// Whether every source has its samples or has failed.
    fn progress_done(&self, length: Length, errors: &[Mutex<Option<String>>]) -> bool {
        let samples = self.progress.samples();
        samples.iter().zip(errors).all(|(&n, e)| {
            let failed = e.lock().unwrap_or_else(|p| p.into_inner()).is_some();
            failed
                || match length {
                    Length::Samples(want) => n >= want,
                    Length::Duration(d) => self.progress.started.elapsed() >= d,
                }
        })
    }
}

/// Records one source until its length, a stop, the size cap, or an error.
/// `Ok(Some(message))` when the source itself failed (the session goes on without it);
/// `Err` on a write error.
fn record_source(
    source: &dyn EntropySource,
    session: &Path,
    started: Instant,
    length: Length,
    counter: &AtomicU64,
    stopping: &dyn Fn() -> bool,
    budget: Option<&Budget>,
) -> Result<Option<String>, String> {
    let name = source.name();
    let open = |path: PathBuf| {
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    let write_error = |e: std::io::Error| format!("{}: {e}", raw_path(session, name).display());
    let mut bin = open(raw_path(session, name))?;
    let mut idx = open(index_path(session, name))?;
    let batch_size: u64 = match source.info().speed {
        SpeedClass::Fast => 4096,
        SpeedClass::Slow => 256,
    };
    let (mut offset, mut idx_len) = (0u64, 0u64);
    // When the last written batch's collection ended: the `.idx` file's closing line.
    let mut last_end_ns = None;
    let mut last_sync = Instant::now();
    loop {
        let want = match length {
            Length::Samples(total) if offset >= total => break,
            Length::Samples(total) => batch_size.min(total - offset),
            Length::Duration(d) if started.elapsed() >= d => break,
            Length::Duration(_) => batch_size,
        };
        if stopping() {
            break;
        }
        let at = started.elapsed().as_nanos() as u64;
        let mut samples = match source.collect(want as usize) {
            Ok(samples) => samples,
            Err(e) => return Ok(Some(e.to_string())),
        };
        let end_ns = started.elapsed().as_nanos() as u64;
        let line = format!("{at} {offset}\n");
        if let Some(budget) = budget {
            // The first batch also reserves room for the closing line.
            let reserve = if offset == 0 { CLOSING_RESERVE } else { 0 };
            match budget.take(line.len() as u64 + reserve, samples.len() as u64) {
                None => break,
                Some(fits) => samples.truncate(fits as usize),
            }
        }
        if let Err(e) = bin
            .write_all(&samples)
            .and_then(|()| idx.write_all(line.as_bytes()))
        {
            // Drop the partial batch so that the files end on the last whole one.
            let _ = bin.set_len(offset);
            let _ = idx.set_len(idx_len);
            return Err(write_error(e));
        }
        idx_len += line.len() as u64;
        offset += samples.len() as u64;
        last_end_ns = Some(end_ns);
        counter.store(offset, Ordering::Relaxed);
        if last_sync.elapsed() >= Duration::from_secs(1) {
            bin.sync_data()
                .and_then(|()| idx.sync_data())
                .map_err(write_error)?;
            last_sync = Instant::now();
        }
    }
    // The closing line: when the last batch ended, at the total offset. Without it the last
    // batch's end could only be extrapolated from earlier batches (none for a one-batch
    // source). Under a size cap it uses the room the first batch reserved, and is left out
    // (readers then extrapolate) in the rare case it would not fit there.
    if let Some(end_ns) = last_end_ns {
        let closing = format!("{end_ns} {offset}\n");
        if budget.is_none() || closing.len() as u64 <= CLOSING_RESERVE {
            idx.write_all(closing.as_bytes()).map_err(write_error)?;
        }
    }
    bin.sync_data()
        .and_then(|()| idx.sync_data())
        .map_err(write_error)?;
    Ok(None)
}

/// Appends a system snapshot a second to `conditions.jsonl` until `done`.
fn record_conditions(session: &Path, started: Instant, done: &AtomicBool) -> Result<(), String> {
    let path = session.join(CONDITIONS);
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut next = Duration::ZERO;
    while !done.load(Ordering::Relaxed) {
        let now = started.elapsed();
        if now >= next {
            let line =
                serde_json::to_string(&Conditions::snapshot(now.as_secs_f64())).unwrap_or_default();
            writeln!(file, "{line}").map_err(|e| format!("{}: {e}", path.display()))?;
            next += Duration::from_secs(1);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// SP 800-90B min-entropy of the first and of the last 65,536 samples in `raw` (a
/// full-size assessment each, as the engine credits); none when fewer were recorded.
fn assess_ends(raw: &Path, samples: u64) -> (Option<f64>, Option<f64>) {
    let n = FULL_ASSESSMENT_SAMPLES as u64;
    if samples < n {
        return (None, None);
    }
    let read_at = |offset: u64| -> Option<Vec<u8>> {
        let mut file = File::open(raw).ok()?;
        file.seek(SeekFrom::Start(offset)).ok()?;
        let mut buf = vec![0u8; n as usize];
        file.read_exact(&mut buf).ok()?;
        Some(buf)
    };
    let start = read_at(0).and_then(|s| default_assessor(&s));
    let end = read_at(samples - n).and_then(|s| default_assessor(&s));
    (start, end)
}

/// The continuous health tests over the whole file, with cutoffs from `h` (streamed in
/// 1 MiB pieces).
fn health_over(raw: &Path, h: Option<f64>) -> HealthEvents {
    let Some(h) = h.filter(|h| *h > 0.0) else {
        return HealthEvents::default();
    };
    let mut tests = HealthTests::new(h, false);
    let mut events = HealthEvents {
        cutoffs_from_h: Some(h),
        ..HealthEvents::default()
    };
    if let Ok(mut file) = File::open(raw) {
        let mut buf = vec![0u8; 1 << 20];
        while let Ok(n @ 1..) = file.read(&mut buf) {
            tests.feed_batch(&buf[..n]);
        }
    }
    events.persistent_failures = tests.persistent_failures;
    events.rct_failures = tests.rct_failures;
    events.apt_failures = tests.apt_failures;
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_cuts_the_batch_that_would_cross_the_cap() {
        let budget = Budget {
            cap: 100,
            used: AtomicU64::new(0),
            reached: AtomicBool::new(false),
        };
        assert_eq!(budget.take(10, 50), Some(50));
        assert!(!budget.reached.load(Ordering::Relaxed));
        // 40 bytes left: a 10-byte index line and 30 of the 50 samples.
        assert_eq!(budget.take(10, 50), Some(30));
        assert!(budget.reached.load(Ordering::Relaxed));
        assert_eq!(budget.used.load(Ordering::Relaxed), 100);
        assert_eq!(budget.take(10, 5), None);
    }
}
