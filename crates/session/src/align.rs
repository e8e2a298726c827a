//! Sources of a session on a common clock: each sample is placed in time by its batch's start
//! (from `raw/<source>.idx`), spread evenly to the next batch's start (for the last batch, to
//! the closing line's end time, or, in a session without one, at the recording's rate so
//! far), and the samples are
//! averaged in equal time bins over the span every source covers. Cross-correlating the
//! binned series shows whether two mechanisms move together (a shared interrupt, a frequency
//! change) whatever their sample rates.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::format::{IndexEntry, index_path, raw_path, read_index};

/// The binned series of every source, in order, and the bin width in seconds; `None` when
/// the sources share no time span.
pub fn binned(
    session: &Path,
    names: &[String],
    bins: usize,
) -> std::io::Result<Option<(Vec<Vec<f64>>, f64)>> {
    let mut spans = Vec::new();
    for name in names {
        let index = read_index(&index_path(session, name))?;
        let samples = std::fs::metadata(raw_path(session, name))?.len();
        spans.push((index, samples));
    }
    let ends: Vec<Option<(f64, f64)>> = spans
        .iter()
        .map(|(index, samples)| span(index, *samples))
        .collect();
    let Some(start) = ends
        .iter()
        .map(|e| e.map(|s| s.0))
        .collect::<Option<Vec<_>>>()
    else {
        return Ok(None);
    };
    let start = start.into_iter().fold(f64::MIN, f64::max);
    let end = ends
        .iter()
        .map(|e| e.map_or(f64::MIN, |s| s.1))
        .fold(f64::MAX, f64::min);
    if bins == 0 || end <= start {
        return Ok(None);
    }
    let width = (end - start) / bins as f64;
    let mut series = Vec::new();
    for (name, (index, samples)) in names.iter().zip(&spans) {
        let mut sum = vec![0.0; bins];
        let mut count = vec![0u64; bins];
        let mut reader = BufReader::new(File::open(raw_path(session, name))?);
        let mut buf = vec![0u8; 1 << 16];
        let mut position = 0u64;
        let mut batch = 0usize;
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            for &s in &buf[..n] {
                while batch + 1 < index.len() && index[batch + 1].offset <= position {
                    batch += 1;
                }
                let t = sample_time(index, batch, position, *samples);
                if t >= start && t < end {
                    let bin = (((t - start) / width) as usize).min(bins - 1);
                    sum[bin] += f64::from(s);
                    count[bin] += 1;
                }
                position += 1;
            }
        }
        // Bins a slow source did not reach carry its previous value.
        let mut last = sum.iter().sum::<f64>() / count.iter().sum::<u64>().max(1) as f64;
        let values = sum
            .iter()
            .zip(&count)
            .map(|(s, &c)| {
                if c > 0 {
                    last = s / c as f64;
                }
                last
            })
            .collect();
        series.push(values);
    }
    Ok(Some((series, width / 1e9)))
}

/// The time span (ns) a source's samples cover: from its first batch's start to its last
/// batch's estimated end.
fn span(index: &[IndexEntry], samples: u64) -> Option<(f64, f64)> {
    let first = index.first()?;
    let last = index.len() - 1;
    Some((first.ns as f64, sample_time(index, last, samples, samples)))
}

/// When the sample at `position` (in batch `batch`) was taken, in ns: the batch's start plus
/// its share of the time to the next batch's start (for the last batch, at the rate of the
/// whole recording so far).
fn sample_time(index: &[IndexEntry], batch: usize, position: u64, samples: u64) -> f64 {
    let here = index[batch];
    let (next_ns, next_offset) = match index.get(batch + 1) {
        Some(next) => (next.ns as f64, next.offset),
        None => {
            let first = index[0];
            let rate = if here.offset > first.offset && here.ns > first.ns {
                (here.ns - first.ns) as f64 / (here.offset - first.offset) as f64
            } else {
                0.0
            };
            (
                here.ns as f64 + rate * (samples - here.offset) as f64,
                samples,
            )
        }
    };
    let length = next_offset.saturating_sub(here.offset).max(1) as f64;
    here.ns as f64 + (next_ns - here.ns as f64) * (position - here.offset) as f64 / length
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_spread_evenly_within_their_batch() {
        let index = [
            IndexEntry {
                ns: 1000,
                offset: 0,
            },
            IndexEntry {
                ns: 2000,
                offset: 10,
            },
            IndexEntry {
                ns: 4000,
                offset: 20,
            },
        ];
        assert_eq!(sample_time(&index, 0, 0, 30), 1000.0);
        assert_eq!(sample_time(&index, 0, 5, 30), 1500.0);
        assert_eq!(sample_time(&index, 1, 15, 30), 3000.0);
        // The last batch at the recording's rate so far: 3,000 ns for 20 samples.
        assert_eq!(sample_time(&index, 2, 30, 30), 5500.0);
        assert_eq!(span(&index, 30), Some((1000.0, 5500.0)));
    }

    #[test]
    fn a_one_batch_source_is_placed_by_its_closing_line() {
        // One batch of 4,096 samples from 1 ms to 61 ms (a slow source in a 60 s recording
        // gives one batch): without the closing line its end cannot be estimated.
        let batch = IndexEntry {
            ns: 1_000_000,
            offset: 0,
        };
        assert_eq!(span(&[batch], 4096), Some((1e6, 1e6)), "no span without it");
        let closing = IndexEntry {
            ns: 61_000_000,
            offset: 4096,
        };
        let index = [batch, closing];
        assert_eq!(span(&index, 4096), Some((1e6, 61e6)));
        assert_eq!(sample_time(&index, 0, 2048, 4096), 31e6);
    }
}
