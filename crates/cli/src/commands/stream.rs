//! `wellspring stream`: random bytes to stdout in raw, hex or base64.

use std::io::{ErrorKind, Write};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use base64::Engine as _;
use wellspring_core::engine::Engine;
use wellspring_core::pool::Conditioning;

use super::stream_chunks::Chunks;
use crate::args::{Format, StreamArgs};
use crate::error::{CliError, CliResult};

/// Bytes generated per write: a multiple of 3, so base64 never pads mid-stream, and of the
/// DRBG's 64 KiB request limit, so no request is a sliver (each costs a key update).
const CHUNK: usize = 3 * 65_536;
/// Bytes per write of full-entropy output: it comes at hundreds of KB/s, so a reader sees
/// it as it is made rather than a chunk at a time.
const FULL_ENTROPY_CHUNK: usize = 3 * 1024;

/// The mode a command runs in; `arg` has already been resolved against the config file.
pub(crate) fn conditioning(arg: Option<Conditioning>, unconditioned: bool) -> Conditioning {
    if unconditioned {
        return Conditioning::Raw;
    }
    arg.unwrap_or(Conditioning::Sha256)
}

/// The one line `stream` answers with when endless binary output would go to a terminal.
const TERMINAL_HINT: &str = "refusing to write endless binary output to a terminal: \
     add --format hex (or base64), --bytes N, or redirect it (wellspring stream > random.bin, \
     or | a program)";

/// Whether `stream` must refuse: endless binary output (no `--bytes`, no text `--format`) to
/// a terminal, which would flood it with control characters.
fn floods_terminal(args: &StreamArgs, stdout_is_terminal: bool) -> bool {
    stdout_is_terminal && args.format == Format::Raw && args.bytes == 0
}

pub(crate) fn run(args: StreamArgs) -> CliResult {
    if floods_terminal(&args, std::io::IsTerminal::is_terminal(&std::io::stdout())) {
        return Err(CliError::usage(TERMINAL_HINT));
    }
    let mode = conditioning(args.conditioning, args.unconditioned);
    let sources = crate::camera::registry()?.select(args.sources.as_deref())?;
    let engine = Engine::start(crate::engine::config(sources)?).map_err(CliError::engine)?;
    let generator = engine.output(mode).map_err(CliError::engine)?;
    let stdout = std::io::stdout();
    // Every piece is flushed as soon as it is made, so stdout's line buffer only costs a
    // newline search over each 192 KiB piece; a duplicate of the descriptor writes directly.
    let mut out: Box<dyn Write> = match stdout.as_fd().try_clone_to_owned() {
        Ok(fd) => Box::new(std::fs::File::from(fd)),
        Err(_) => Box::new(stdout.lock()),
    };
    let chunk = match mode {
        Conditioning::Sha256 => FULL_ENTROPY_CHUNK,
        _ => CHUNK,
    };
    // Bulk DRBG output generates on a second thread as well, unless paced.
    let two_threads = mode == Conditioning::Drbg && args.rate.is_none();
    let result = std::thread::scope(|scope| {
        let mut chunks = if two_threads {
            let helper = engine.output(mode).map_err(StreamError::Generator)?;
            Chunks::pair(scope, generator, helper, chunk)
        } else {
            Chunks::single(generator, chunk)
        };
        write_stream(&mut chunks, &mut out, &args, chunk)
    });
    match result {
        Ok(()) => Ok(()),
        // A reader that goes away (`| head`) is a normal end, not an error.
        Err(StreamError::Io(e)) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(StreamError::Io(e)) => Err(CliError::runtime(format!("cannot write output: {e}"))),
        Err(StreamError::Generator(e)) => Err(CliError::engine(e)),
    }
}

enum StreamError {
    Io(std::io::Error),
    Generator(wellspring_core::engine::EngineError),
}

fn write_stream(
    chunks: &mut Chunks,
    out: &mut impl Write,
    args: &StreamArgs,
    chunk: usize,
) -> Result<(), StreamError> {
    let endless = args.bytes == 0;
    let mut remaining = args.bytes;
    let mut text = String::new();
    let start = Instant::now();
    let mut written: u64 = 0;
    // With a rate limit, generate in small steps so the pacing is smooth.
    let step = args
        .rate
        .map_or(chunk, |r| (r as usize).clamp(1, chunk) / 3 * 3)
        .max(3);
    // A progress bar only when the bytes go somewhere other than the terminal.
    let progress = if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        None
    } else {
        crate::progress::bytes(args.bytes, "streaming")
    };
    while endless || remaining > 0 {
        let take = if endless {
            step
        } else {
            remaining.min(step as u64) as usize
        };
        let chunk = chunks.next(take).map_err(StreamError::Generator)?;
        match args.format {
            Format::Raw => out.write_all(chunk),
            Format::Hex => {
                text.clear();
                for b in chunk.iter() {
                    use std::fmt::Write as _;
                    let _ = write!(text, "{b:02x}");
                }
                out.write_all(text.as_bytes())
            }
            Format::Base64 => {
                text.clear();
                base64::engine::general_purpose::STANDARD.encode_string(chunk, &mut text);
                out.write_all(text.as_bytes())
            }
        }
        .map_err(StreamError::Io)?;
        // Each piece reaches the reader as soon as it is made (stdout buffers by line).
        out.flush().map_err(StreamError::Io)?;
        remaining -= if endless { 0 } else { take as u64 };
        written += take as u64;
        if let Some(bar) = &progress {
            bar.set_position(written);
        }
        if let Some(rate) = args.rate {
            let due = Duration::from_secs_f64(written as f64 / rate as f64);
            if let Some(wait) = due.checked_sub(start.elapsed()) {
                std::thread::sleep(wait);
            }
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if args.format != Format::Raw {
        out.write_all(b"\n").map_err(StreamError::Io)?;
    }
    out.flush().map_err(StreamError::Io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(format: Format, bytes: u64) -> StreamArgs {
        StreamArgs {
            format,
            bytes,
            rate: None,
            sources: None,
            conditioning: None,
            unconditioned: false,
            engine: Default::default(),
        }
    }

    #[test]
    fn only_endless_binary_to_a_terminal_is_refused() {
        assert!(floods_terminal(&args(Format::Raw, 0), true));
        assert!(!floods_terminal(&args(Format::Raw, 0), false));
        assert!(!floods_terminal(&args(Format::Raw, 16), true));
        assert!(!floods_terminal(&args(Format::Hex, 0), true));
        assert!(!floods_terminal(&args(Format::Base64, 0), true));
    }
}
