//! Command-line flags (clap). Their names and meanings are kept: scripts rely on them (README.md, docs/JSON.md).

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand, ValueEnum};
use wellspring_core::pool::Conditioning;

/// Wellspring: random numbers from the physical noise inside your computer, measured and
/// accounted with NIST SP 800-90B.
#[derive(Debug, Parser)]
#[command(name = "wellspring", version, about, long_about = None)]
#[command(
    after_help = "Examples:\n  wellspring scan\n  wellspring probe clock_jitter --json\n  \
                        wellspring stream --bytes 64 --format hex\n  wellspring pool --json"
)]
pub(crate) struct Cli {
    /// Configuration file (default: ~/.config/wellspring/config.toml when it exists).
    #[arg(long, global = true, value_name = "PATH")]
    pub(crate) config: Option<std::path::PathBuf>,
    /// Where full-size SP 800-90B assessments are kept for the next run's start-up, or `off`
    /// (default: ~/.cache/wellspring/assessments.json; entries count for 24 hours, on this
    /// machine only).
    #[arg(long, global = true, value_name = "PATH|off")]
    pub(crate) assessment_cache: Option<String>,
    /// The engine's flags, given before the subcommand (`wellspring --cpu-budget 2 stream`);
    /// only the commands that run the engine take them (see [`EngineFlags`]).
    #[command(flatten)]
    pub(crate) engine: EngineFlags,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The commands that run the engine, the only ones [`EngineFlags`] mean anything to.
pub(crate) const ENGINE_COMMANDS: &str = "stream, pool, feed-kernel, device, monitor and server";

/// Flags of the engine, for the commands that run it (stream, pool, feed-kernel, device,
/// monitor, server): given after the subcommand, or before it (`wellspring --cpu-budget 2
/// stream`). Other commands neither list nor take them.
#[derive(Debug, Default, Clone, Args)]
pub(crate) struct EngineFlags {
    /// Platform generators to credit at their documented vendor claim (comma-separated:
    /// rdrand, rdseed, os_random, hwrng; default none: they are mixed in uncredited). /dev/hwrng
    /// is credited by device: `hwrng` trusts a board's generator at half its driver's quality,
    /// `hwrng:virtio` a VM's virtio device (the host's generator) at 1/128 bit per byte.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub(crate) trust_platform: Option<Vec<String>>,
    /// CPU the harvesters may use, in cores (default 1; up to the cores this machine has).
    /// More than 1 lets the source categories harvest on several cores at once.
    #[arg(long, allow_negative_numbers = true,
          value_name = "CORES", value_parser = parse_cpu_budget)]
    pub(crate) cpu_budget: Option<f64>,
}

impl EngineFlags {
    /// These flags, each overridden by `after`'s (the ones given after the subcommand).
    pub(crate) fn overridden_by(self, after: &EngineFlags) -> EngineFlags {
        EngineFlags {
            trust_platform: after.trust_platform.clone().or(self.trust_platform),
            cpu_budget: after.cpu_budget.or(self.cpu_budget),
        }
    }

    /// The first flag given, as typed (`--cpu-budget`), if any.
    pub(crate) fn first_given(&self) -> Option<&'static str> {
        if self.trust_platform.is_some() {
            Some("--trust-platform")
        } else if self.cpu_budget.is_some() {
            Some("--cpu-budget")
        } else {
            None
        }
    }
}

/// `--cpu-budget`: a positive number of cores, at most the cores available here.
pub(crate) fn parse_cpu_budget(text: &str) -> Result<f64, String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= cores => Ok(v),
        _ => Err(format!(
            "a positive number of cores, at most the {cores} available here (e.g. 0.5, 1, 2)"
        )),
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List every known source and whether it is available here.
    Scan(ScanArgs),
    /// Collect from one source and report its quality, speed and health.
    Probe(ProbeArgs),
    /// Write random bytes to stdout.
    Stream(StreamArgs),
    /// Show pool health and per-source state.
    Pool(PoolArgs),
    /// Credit full-entropy blocks to the Linux kernel pool (needs root).
    FeedKernel(FeedKernelArgs),
    /// Create a FIFO and keep it filled with random bytes.
    Device(DeviceArgs),
    /// Live terminal dashboard of sources, health and pool state.
    Monitor(MonitorArgs),
    /// Rank sources by speed, Shannon entropy and min-entropy.
    Bench(BenchArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Serve random numbers over HTTP (ANU QRNG and LiveCam compatible).
    Server(ServerArgs),
    /// SP 800-90B min-entropy assessment of a sample file or of one source's samples.
    Assess(AssessArgs),
    /// The NIST SP 800-22 battery on the default sources (graded), a source's raw samples, or a file.
    Report(ReportArgs),
    /// Record raw samples of sources into a session folder, with the machine's conditions.
    Record(RecordArgs),
    /// List recorded sessions, or show one.
    Sessions(SessionsArgs),
    /// Noise analysis: autocorrelation, spectrum, bit bias, stationarity, runs, SP 800-90B,
    /// cross-correlation and a verdict per source.
    Analyze(AnalyzeArgs),
    /// Do two sessions, two raw files, or two sources of one session differ? Min-entropy
    /// difference with a bootstrap interval, distributions, autocorrelation, a verdict.
    Compare(CompareArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  wellspring analyze sessions/20261201T220300Z-3fa2c1\n  \
    wellspring analyze --file noise.bin --json\n  \
    wellspring analyze --sources clock_jitter --samples 1000000"
)]
pub(crate) struct AnalyzeArgs {
    /// A recorded session's folder.
    #[arg(value_name = "SESSION_DIR")]
    pub(crate) session: Option<std::path::PathBuf>,
    /// A raw sample file (one sample per byte).
    #[arg(long, value_name = "F")]
    pub(crate) file: Option<std::path::PathBuf>,
    /// Bits per sample in the file (1..8).
    #[arg(long, allow_negative_numbers = true,
          default_value_t = 8, value_parser = clap::value_parser!(u8).range(1..=8))]
    pub(crate) bits_per_sample: u8,
    /// Collect from these sources now.
    #[arg(long)]
    pub(crate) sources: Option<String>,
    /// Samples per source (with --sources).
    #[arg(long, allow_negative_numbers = true,
          value_name = "N", value_parser = clap::value_parser!(u64).range(1024..=20_000_000))]
    pub(crate) samples: Option<u64>,
    /// Also run the SP 800-90B IID track.
    #[arg(long)]
    pub(crate) iid: bool,
    /// Stationarity windows.
    #[arg(long, allow_negative_numbers = true,
          default_value_t = 16, value_parser = clap::value_parser!(u16).range(2..=1024))]
    pub(crate) windows: u16,
    /// Also write a self-contained report with plots: report.html or report.md.
    #[arg(long, value_name = "report.html|report.md")]
    pub(crate) output: Option<std::path::PathBuf>,
    /// Print one JSON document.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "A and B are each a session folder, a session id (looked up in --sessions-dir), \
    or a raw sample file; two sources of one session are compared through their raw files.\n\n\
    Examples:\n  wellspring compare sessions/2026-12-01T10-00-00Z-1a2b3c sessions/2026-12-02T10-00-00Z-4d5e6f\n  \
    wellspring compare S/raw/clock_jitter.bin S/raw/branch_timing.bin --json"
)]
pub(crate) struct CompareArgs {
    /// First session (folder or id) or raw file.
    #[arg(value_name = "A")]
    pub(crate) a: std::path::PathBuf,
    /// Second session (folder or id) or raw file.
    #[arg(value_name = "B")]
    pub(crate) b: std::path::PathBuf,
    /// Where session ids are looked up.
    #[arg(long, value_name = "DIR", default_value = "sessions")]
    pub(crate) sessions_dir: std::path::PathBuf,
    /// Bits per sample of raw files (1..8).
    #[arg(long, allow_negative_numbers = true,
          default_value_t = 8, value_parser = clap::value_parser!(u8).range(1..=8))]
    pub(crate) bits_per_sample: u8,
    /// Also write a self-contained report with plots: report.html or report.md.
    #[arg(long, value_name = "report.html|report.md")]
    pub(crate) output: Option<std::path::PathBuf>,
    /// Print one JSON document.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Before recording, each source is timed for a quarter of a second and the \
    expected size is printed on stderr: one byte per sample, so a fast source recorded for \
    minutes fills gigabytes; --max-bytes caps it.\n\n\
    Examples:\n  wellspring record --sources clock_jitter,branch_timing --samples 1000000\n  \
    wellspring record --sources timing --duration 5m --max-bytes 500M --tag room:lab \
    --note \"fan at full speed\""
)]
pub(crate) struct RecordArgs {
    /// Sources to record: comma-separated names or categories (see `wellspring scan`).
    #[arg(long)]
    pub(crate) sources: String,
    /// Samples to record from each source.
    #[arg(long, allow_negative_numbers = true, value_name = "N", conflicts_with = "duration",
          value_parser = clap::value_parser!(u64).range(1..=1_000_000_000_000))]
    pub(crate) samples: Option<u64>,
    /// How long to record: 30s, 5m, 1h.
    #[arg(long, value_name = "DURATION", value_parser = crate::commands::record::parse_duration)]
    pub(crate) duration: Option<std::time::Duration>,
    /// Stop when the raw files (all sources' samples and batch index) reach this size: bytes,
    /// or with K, M, G, T (powers of 1,024, also KiB...; KB, MB... are powers of 1,000), e.g.
    /// 500M or 2G. The session then ends incomplete, saying so.
    #[arg(long, allow_negative_numbers = true, value_name = "SIZE",
          value_parser = crate::commands::record::parse_size)]
    pub(crate) max_bytes: Option<u64>,
    /// A tag, key:value (repeatable).
    #[arg(long, value_name = "KEY:VALUE", value_parser = crate::commands::record::parse_tag)]
    pub(crate) tag: Vec<(String, String)>,
    /// A free-text note stored in the manifest.
    #[arg(long)]
    pub(crate) note: Option<String>,
    /// Folder the session folder is made in.
    #[arg(long, value_name = "DIR", default_value = "sessions")]
    pub(crate) output: std::path::PathBuf,
    /// Also keep each source's SHA-256 conditioned output (conditioned/<source>.bin; the
    /// block rule is in docs/SESSIONS.md).
    #[arg(long)]
    pub(crate) conditioned: bool,
    /// Print the session's path and manifest as one JSON document.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  wellspring sessions\n  wellspring sessions ./sessions --json\n  \
    wellspring sessions show 3fa2c1"
)]
pub(crate) struct SessionsArgs {
    /// The folder holding the sessions.
    #[arg(default_value = "sessions")]
    pub(crate) dir: std::path::PathBuf,
    /// Print one JSON document.
    #[arg(long)]
    pub(crate) json: bool,
    #[command(subcommand)]
    pub(crate) action: Option<SessionsAction>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SessionsAction {
    /// One session's manifest summary (by id, folder name or path).
    Show {
        /// The session's id, folder name or path.
        id: String,
        /// The folder holding the sessions.
        #[arg(long, default_value = "sessions")]
        dir: std::path::PathBuf,
        /// Print one JSON document.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  wellspring scan\n  wellspring scan --json")]
pub(crate) struct ScanArgs {
    /// Print one JSON document instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  wellspring probe clock_jitter\n  \
                        wellspring probe memory_timing --samples 100000 --json")]
pub(crate) struct ProbeArgs {
    /// The source to probe (see `wellspring scan`).
    pub(crate) source: String,
    /// How many samples to collect.
    #[arg(long, allow_negative_numbers = true,
          default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub(crate) samples: u64,
    /// Print one JSON document.
    #[arg(long)]
    pub(crate) json: bool,
    /// Print the source's physics note.
    #[arg(long)]
    pub(crate) explain: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  wellspring assess samples.bin --bits-per-sample 8\n  \
                        wellspring assess noise.bin --bits-per-sample 4 --iid --json\n  \
                        wellspring assess --source clock_jitter --samples 1000000 --json"
)]
pub(crate) struct AssessArgs {
    /// The sample file: one sample per byte, in its low `--bits-per-sample` bits.
    #[arg(required_unless_present = "source", conflicts_with = "source")]
    pub(crate) file: Option<std::path::PathBuf>,
    /// Bits per sample, 1..=8 (default 8).
    #[arg(long, allow_negative_numbers = true,
          default_value_t = 8, value_parser = clap::value_parser!(u8).range(1..=8))]
    pub(crate) bits_per_sample: u8,
    /// Also run the IID track (permutation, chi-square and LRS tests).
    #[arg(long)]
    pub(crate) iid: bool,
    /// Truncate the bitstring to 1,000,000 bits (NIST's `-t`).
    #[arg(long)]
    pub(crate) truncate_bitstring: bool,
    /// Seed for the permutation shuffles (default: from the operating system).
    #[arg(long, allow_negative_numbers = true)]
    pub(crate) seed: Option<u64>,
    /// Collect the samples from this source instead of reading a file.
    #[arg(long)]
    pub(crate) source: Option<String>,
    /// Samples to collect with `--source`.
    #[arg(long, allow_negative_numbers = true, default_value_t = 1_000_000,
          value_parser = clap::value_parser!(u64).range(2..=100_000_000))]
    pub(crate) samples: u64,
    /// Print one JSON document.
    #[arg(long)]
    pub(crate) json: bool,
    #[command(flatten)]
    pub(crate) restart: crate::commands::assess::RestartArgs,
}

#[derive(Debug, Args)]
#[command(
    after_help = "With neither --source nor --file, every default fast source (as `wellspring \
                  bench` picks them) is collected for 125,000 samples (10^6 bits), one source \
                  per core at a time, and gets a section with the battery, the SP 800-90B \
                  min-entropy h of the same samples, and a grade: the min-entropy grade of h \
                  (A >= 6, B >= 4, C >= 2, D >= 0.5 bits per sample, else F; F when h cannot be \
                  assessed), at most B when more tests fail than chance explains at alpha = \
                  0.01 (one failure of the 13-15 tests that run is tolerated). Raw samples below \
                  about 8 bits per sample are not uniform bits and fail most of the battery by \
                  nature, so A needs both h >= 6 and a passing battery, and below A the grade \
                  is h's.\n\n\
                  Examples:\n  wellspring report\n  \
                  wellspring report --json --samples 20000\n  \
                  wellspring report --output sources.html\n  \
                  wellspring report --file data.bin --json\n  \
                  wellspring report --file bits.txt --input-format ascii --set block_frequency.m=20\n  \
                  wellspring report --source clock_jitter --samples 125000 --output report.md\n  \
                  wellspring report --file big.bin --bits 100000000 --streams 100"
)]
pub(crate) struct ReportArgs {
    /// Test this source's raw (unconditioned) samples [default: each default fast source].
    #[arg(long, conflicts_with = "file")]
    pub(crate) source: Option<String>,
    /// Test the bits of this file.
    #[arg(long)]
    pub(crate) file: Option<std::path::PathBuf>,
    /// How the file holds bits: `bytes` (MSB first) or `ascii` ('0'/'1', anything else ignored).
    #[arg(long, value_enum, default_value = "bytes")]
    pub(crate) input_format: InputFormat,
    /// Samples to collect from each source, one byte each: bits = 8 x N (default 125,000).
    /// Not for --file: use --bits there.
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "N",
        conflicts_with = "bits",
        value_parser = clap::value_parser!(u64).range(1..=1_000_000_000)
    )]
    pub(crate) samples: Option<u64>,
    /// Bits to test: the first N of the file (default all), or N from each source.
    #[arg(long, allow_negative_numbers = true,
          value_name = "N", value_parser = clap::value_parser!(u64).range(1..=8_000_000_000))]
    pub(crate) bits: Option<u64>,
    /// Override a test parameter, e.g. `block_frequency.m=20` (repeatable).
    #[arg(long = "set", value_name = "TEST.PARAM=VALUE")]
    pub(crate) set: Vec<String>,
    /// Also write a report with plots: NAME.html (self-contained, figures inline) or NAME.md
    /// (SVG figures in NAME_figures/ beside it, one subfolder per source without
    /// --source/--file).
    #[arg(long, value_name = "report.html|report.md")]
    pub(crate) output: Option<std::path::PathBuf>,
    /// Cut each input into K streams and add sts's multi-stream analysis.
    #[arg(long, allow_negative_numbers = true,
          default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(crate) streams: u64,
    /// Print one JSON document.
    #[arg(long)]
    pub(crate) json: bool,
}

/// How `report --file` reads bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InputFormat {
    /// Each byte, most significant bit first.
    Bytes,
    /// '0' and '1' characters; everything else is ignored.
    Ascii,
}

/// Output encodings of `stream`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Binary bytes.
    Raw,
    /// Lowercase hexadecimal.
    Hex,
    /// Standard base64 with padding.
    Base64,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  wellspring stream --bytes 64 --format hex\n  \
                        wellspring stream --bytes 1048576 > random.bin\n  \
                        wellspring stream --unconditioned --sources clock_jitter --bytes 4096 > raw.bin"
)]
pub(crate) struct StreamArgs {
    /// Output encoding.
    #[arg(long, value_enum, default_value_t = Format::Raw)]
    pub(crate) format: Format,
    /// Bytes to write (0 = endless; endless raw output to a terminal is refused: give
    /// --bytes, a text --format, or redirect it).
    #[arg(long, allow_negative_numbers = true,
          default_value_t = 0, value_parser = parse_byte_count)]
    pub(crate) bytes: u64,
    /// Limit the output rate in bytes per second (at least 1).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_stream_rate)]
    pub(crate) rate: Option<u64>,
    /// Sources: comma-separated names or categories; `!name` excludes, `all` takes every one.
    #[arg(long)]
    pub(crate) sources: Option<String>,
    /// How output is conditioned: raw, sha256 or drbg [default: sha256, or the config
    /// file's].
    #[arg(long, value_name = "raw|sha256|drbg")]
    pub(crate) conditioning: Option<Conditioning>,
    /// Same as `--conditioning raw`.
    #[arg(long, conflicts_with = "conditioning")]
    pub(crate) unconditioned: bool,
    #[command(flatten)]
    pub(crate) engine: EngineFlags,
}

/// `stream --bytes`: a whole number of bytes, 0 for endless.
fn parse_byte_count(text: &str) -> Result<u64, String> {
    text.parse::<u64>().map_err(|_| {
        format!("'{text}' is not a byte count: a whole number of bytes, or 0 for endless")
    })
}

/// `stream --rate`: bytes per second, at least 1.
fn parse_stream_rate(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "'{text}' is not a rate: a rate must be at least 1 (whole bytes per second)"
        )),
    }
}

/// `feed-kernel --count`: how many credits, at least 1.
fn parse_count(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "'{text}' is not a count of credits: a count must be at least 1 (leave --count out \
             to run until stopped)"
        )),
    }
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  wellspring pool\n  wellspring pool --sources timing --json")]
pub(crate) struct PoolArgs {
    /// Sources: comma-separated names or categories; `!name` excludes, `all` takes every one.
    #[arg(long)]
    pub(crate) sources: Option<String>,
    /// Seconds to harvest before reporting.
    #[arg(long, allow_negative_numbers = true, default_value_t = 2.0, value_parser = parse_seconds)]
    pub(crate) seconds: f64,
    /// Print one JSON document.
    #[arg(long)]
    pub(crate) json: bool,
    #[command(flatten)]
    pub(crate) engine: EngineFlags,
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=3600.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "'{text}' is not a number of seconds between 0 and 3600"
        )),
    }
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  sudo wellspring feed-kernel\n  \
                        sudo wellspring feed-kernel --interval 1 --bytes 64 --count 10")]
pub(crate) struct FeedKernelArgs {
    /// Seconds between credits.
    #[arg(long, allow_negative_numbers = true, default_value_t = 5.0, value_parser = parse_seconds)]
    pub(crate) interval: f64,
    /// Full-entropy bytes credited each time (8 bits per byte).
    #[arg(long, allow_negative_numbers = true,
          default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub(crate) bytes: u64,
    /// Stop after this many credits, at least 1 (default: run until stopped).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_count)]
    pub(crate) count: Option<u64>,
    /// Sources: comma-separated names or categories; `!name` excludes, `all` takes every one.
    #[arg(long)]
    pub(crate) sources: Option<String>,
    #[command(flatten)]
    pub(crate) engine: EngineFlags,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  wellspring device /run/wellspring.fifo\n  \
                        wellspring device ./random.fifo --conditioning drbg --mode 0640\n  \
                        rngtest -c 100 < ./random.fifo")]
pub(crate) struct DeviceArgs {
    /// Where to create the FIFO (must not exist).
    pub(crate) path: std::path::PathBuf,
    /// Bytes generated per write.
    #[arg(long, allow_negative_numbers = true,
          default_value_t = 65536, value_parser = clap::value_parser!(u64).range(1..=16_777_216))]
    pub(crate) buffer_size: u64,
    /// Sources: comma-separated names or categories; `!name` excludes, `all` takes every one.
    #[arg(long)]
    pub(crate) sources: Option<String>,
    /// How output is conditioned: raw, sha256 or drbg [default: sha256, or the config
    /// file's].
    #[arg(long, value_name = "raw|sha256|drbg")]
    pub(crate) conditioning: Option<Conditioning>,
    /// Permissions of the FIFO, in octal.
    #[arg(long, default_value = "0600")]
    pub(crate) mode: String,
    #[command(flatten)]
    pub(crate) engine: EngineFlags,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Keys: up/down move, enter select (chart and physics note), space switch the \
                  source off/on in the engine, g next chart (values, Shannon, min-entropy, \
                  collection time, random walk, byte histogram, autocorrelation), p pause, \
                  s snapshot (JSON in the working directory, named by UTC time: \
                  wellspring-monitor-20261205T221503Z.json), +/- refresh rate, n sample \
                  window, r refresh now, q quit.\n\nExamples:\n  \
                        wellspring monitor\n  wellspring monitor --refresh 0.5 --sources timing,silicon"
)]
pub(crate) struct MonitorArgs {
    /// Seconds between refreshes.
    #[arg(long, allow_negative_numbers = true, default_value_t = 1.0, value_parser = parse_refresh)]
    pub(crate) refresh: f64,
    /// Sources: comma-separated names or categories; `!name` excludes, `all` takes every one.
    #[arg(long)]
    pub(crate) sources: Option<String>,
    #[command(flatten)]
    pub(crate) engine: EngineFlags,
}

fn parse_refresh(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.05..=3600.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "'{text}' is not a refresh interval between 0.05 and 3600 seconds"
        )),
    }
}

#[derive(Debug, Args)]
#[command(
    after_help = "Grades by min-entropy per sample: A >= 6, B >= 4, C >= 2, D >= 0.5, else F.\n\n\
                        Examples:\n  wellspring bench\n  wellspring bench --sources all --json\n  \
                        wellspring bench --sources silicon --explain"
)]
pub(crate) struct BenchArgs {
    /// Sources: comma-separated names or categories; `!name` excludes, `all` takes every one.
    #[arg(long)]
    pub(crate) sources: Option<String>,
    /// Samples per source (default 20,000 for fast sources, 2,000 for slow ones).
    #[arg(long, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(2..=10_000_000))]
    pub(crate) samples: Option<u64>,
    /// Print one JSON document.
    #[arg(long)]
    pub(crate) json: bool,
    /// Print each source's physics note.
    #[arg(long)]
    pub(crate) explain: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  wellspring completions bash > /etc/bash_completion.d/wellspring\n  \
                        wellspring completions zsh > ~/.zfunc/_wellspring\n  \
                        wellspring completions fish > ~/.config/fish/completions/wellspring.fish"
)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

impl Command {
    /// The engine flags given after the subcommand, for a command that runs the engine.
    pub(crate) fn engine_flags(&self) -> Option<&EngineFlags> {
        match self {
            Command::Stream(a) => Some(&a.engine),
            Command::Pool(a) => Some(&a.engine),
            Command::FeedKernel(a) => Some(&a.engine),
            Command::Device(a) => Some(&a.engine),
            Command::Monitor(a) => Some(&a.engine),
            Command::Server(a) => Some(&a.engine),
            Command::Scan(_)
            | Command::Probe(_)
            | Command::Bench(_)
            | Command::Completions(_)
            | Command::Assess(_)
            | Command::Report(_)
            | Command::Record(_)
            | Command::Sessions(_)
            | Command::Analyze(_)
            | Command::Compare(_) => None,
        }
    }

    /// Fills flags the user left out from the configuration file (flags always win).
    pub(crate) fn with_config(mut self, config: &crate::config::Config) -> Self {
        match &mut self {
            Command::Stream(a) => {
                a.sources = config.sources(a.sources.take());
                a.conditioning = Some(config.conditioning(a.conditioning));
            }
            Command::Device(a) => {
                a.sources = config.sources(a.sources.take());
                a.conditioning = Some(config.conditioning(a.conditioning));
            }
            Command::Pool(a) => a.sources = config.sources(a.sources.take()),
            Command::FeedKernel(a) => a.sources = config.sources(a.sources.take()),
            Command::Monitor(a) => a.sources = config.sources(a.sources.take()),
            Command::Bench(a) => a.sources = config.sources(a.sources.take()),
            Command::Server(a) => a.sources = config.sources(a.sources.take()),
            Command::Scan(_)
            | Command::Probe(_)
            | Command::Completions(_)
            | Command::Assess(_)
            | Command::Report(_)
            | Command::Record(_)
            | Command::Sessions(_)
            | Command::Analyze(_)
            | Command::Compare(_) => {}
        }
        self
    }
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  wellspring server\n  \
                        wellspring server --port 9000 --rate-limit 100/s\n  \
                        curl 'http://127.0.0.1:8042/API/jsonI.php?length=10&type=uint16'")]
pub(crate) struct ServerArgs {
    /// Address to bind; 0.0.0.0 exposes the server to the network and must be asked for.
    #[arg(long, default_value = "127.0.0.1")]
    pub(crate) host: std::net::IpAddr,
    /// Port to listen on.
    #[arg(long, allow_negative_numbers = true, default_value_t = 8042)]
    pub(crate) port: u16,
    /// Sources: comma-separated names or categories; `!name` excludes, `all` takes every one.
    #[arg(long)]
    pub(crate) sources: Option<String>,
    /// Serve unconditioned samples for `raw=true` (research only).
    #[arg(long)]
    pub(crate) allow_raw: bool,
    /// Camera feeds configuration (TOML).
    #[arg(long, value_name = "FILE")]
    pub(crate) camera_config: Option<std::path::PathBuf>,
    /// Per-client limit, e.g. `100/s`: a request costs one token, plus one per KiB served
    /// beyond the first; IPv6 clients are limited per /64. Default: none on a loopback
    /// address, 100/s on any other; `off` for none.
    #[arg(long, allow_negative_numbers = true, value_parser = parse_rate)]
    pub(crate) rate_limit: Option<f64>,
    /// Most random bytes one request may ask for (uint16: 2 × length; hex16: length ×
    /// size); larger requests get 413. Default: none beyond the API's own 1,024 × 1,024 on a
    /// loopback address, 65536 on any other; `off` for none.
    #[arg(long, allow_negative_numbers = true,
          value_name = "BYTES|off", value_parser = parse_request_bytes)]
    pub(crate) max_request_bytes: Option<usize>,
    /// Serve the operator routes on a public (non-loopback) `--host` without
    /// `--admin-listen`; without this flag the server refuses to start that way.
    #[arg(long)]
    pub(crate) public_operator_routes: bool,
    /// A proxy (address or CIDR block) whose `X-Forwarded-For` or `Forwarded` header names the
    /// client (every line read; the right-most untrusted hop is the client); repeatable.
    /// From anyone else the header is ignored.
    #[arg(long = "trusted-proxy", value_name = "CIDR")]
    pub(crate) trusted_proxy: Vec<wellspring_server::Cidr>,
    /// Allow one browser origin (CORS), e.g. `https://app.example`.
    #[arg(long, value_name = "ORIGIN")]
    pub(crate) cors: Option<String>,
    /// Most client connections served at once; connections past it are closed at once.
    #[arg(long, allow_negative_numbers = true, value_name = "N", default_value_t = 512,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub(crate) max_connections: u32,
    /// Most connections one client (IPv4 address, IPv6 /64) holds at once, on each listener;
    /// a `--trusted-proxy` is not capped. Past it, its new connections are closed at once.
    #[arg(long, value_name = "N", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub(crate) max_connections_per_client: u32,
    /// Serve the operator routes (`/pool/status`, `/sources`, `/metrics`, the dashboard `/`
    /// with its assets, `/api/v1/events`, `/api/v1/sources/{name}/preview` and
    /// `/api/v1/livecam/thumbnails`) on this address (e.g. `127.0.0.1:9042`) instead of the
    /// public port, which then answers them 404 (`/` there gives the JSON index).
    #[arg(long, value_name = "ADDR:PORT")]
    pub(crate) admin_listen: Option<SocketAddr>,
    /// A `Host` name (or address) the operator routes answer, besides `localhost`,
    /// `127.0.0.1`, `[::1]` and the address they listen on (`--admin-listen`'s, else
    /// `--host`'s) unless that is 0.0.0.0 or `::`; repeatable or comma-separated. Any other
    /// `Host` gets 421, so a page that rebinds its own name to this server cannot read them;
    /// the port and case are ignored, the random routes, `/health` and `/ready` answer any
    /// `Host`. `*` (or `any`) turns the check off: only behind a proxy that rewrites `Host`.
    #[arg(long = "allowed-host", value_name = "NAME", value_delimiter = ',',
          value_parser = wellspring_server::parse_allowed_host)]
    pub(crate) allowed_host: Vec<String>,
    /// Most dashboard event streams (`/api/v1/events`) open at once; past it, 503.
    #[arg(long, allow_negative_numbers = true, value_name = "N", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub(crate) max_event_streams: u32,
    #[command(flatten)]
    pub(crate) engine: EngineFlags,
}

/// A byte count from 1 to 1 MiB; `off` is `usize::MAX` (no limit).
fn parse_request_bytes(text: &str) -> Result<usize, String> {
    if text == "off" {
        return Ok(usize::MAX);
    }
    match text.parse::<usize>() {
        Ok(n) if (1..=1 << 20).contains(&n) => Ok(n),
        _ => Err(format!(
            "'{text}' is not a byte count from 1 to 1048576 (or off)"
        )),
    }
}

/// `N/s` or `N`; `off` is infinite (no limit).
fn parse_rate(text: &str) -> Result<f64, String> {
    if text == "off" {
        return Ok(f64::INFINITY);
    }
    let number = text.strip_suffix("/s").unwrap_or(text);
    match number.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 1e9 => Ok(v),
        _ => Err(format!("'{text}' is not a rate like 100/s (or off)")),
    }
}
