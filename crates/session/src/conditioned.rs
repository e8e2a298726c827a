//! `record --conditioned`: beside each source's raw samples, the SHA-256 output they give
//! under the engine's accounting rule, so that a researcher can study the raw noise and what
//! the conditioner makes of it side by side (`conditioned/<source>.bin`).
//!
//! The rule, reproducible with any SHA-256 tool: with `h` the lower of the session's two
//! full-size SP 800-90B figures for the source (`h_start`, `h_end`) and the engine's safety
//! factor 0.5, each output is SHA-256 of the next `ceil(352 / (0.5 · h))` raw samples (352
//! credited bits: the engine's 320-bit full-entropy block with its 10% margin, for 256 bits
//! out), over consecutive, non-overlapping blocks; a final partial block gives nothing.
//! Sources with fewer than 65,536 samples have no figure, and so no conditioned output.

use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::format::raw_path;

/// The folder of the conditioned files.
pub const CONDITIONED_DIR: &str = "conditioned";
// Both figures are the engine's defaults today, written out rather than read from
// `wellspring-core` on purpose: they are part of the session format (version 1), which
// must not change when an engine default does.
/// Credited bits each 32-byte output is made from.
pub const BITS_PER_OUTPUT: f64 = 352.0;
/// The engine's safety factor on assessed min-entropy.
pub const SAFETY_FACTOR: f64 = 0.5;

/// A source's conditioned output, in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conditioned {
    /// Path relative to the session folder.
    pub file: String,
    /// Bytes written (32 per output).
    pub bytes: u64,
    /// Raw samples hashed into each output.
    pub samples_per_output: u64,
    /// The min-entropy figure the block length was set from (bits per sample).
    pub h_used: f64,
}

/// Where a source's conditioned output goes.
pub fn conditioned_path(session: &Path, source: &str) -> PathBuf {
    session.join(CONDITIONED_DIR).join(format!("{source}.bin"))
}

/// Samples per output for min-entropy `h` (none when `h` is not positive).
pub fn samples_per_output(h: f64) -> Option<u64> {
    (h.is_finite() && h > 0.0).then(|| (BITS_PER_OUTPUT / (SAFETY_FACTOR * h)).ceil() as u64)
}

/// Writes the conditioned output of `source`'s raw file in `session`, from figure `h`.
pub fn condition(session: &Path, source: &str, h: f64) -> std::io::Result<Option<Conditioned>> {
    let Some(block) = samples_per_output(h) else {
        return Ok(None);
    };
    fs::create_dir_all(session.join(CONDITIONED_DIR))?;
    let out_path = conditioned_path(session, source);
    let mut out = BufWriter::new(File::create(&out_path)?);
    let mut raw = File::open(raw_path(session, source))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut hasher = Sha256::new();
    let (mut in_block, mut bytes) = (0u64, 0u64);
    loop {
        let n = raw.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let mut rest = &buf[..n];
        while !rest.is_empty() {
            let take = rest.len().min((block - in_block) as usize);
            hasher.update(&rest[..take]);
            in_block += take as u64;
            rest = &rest[take..];
            if in_block == block {
                out.write_all(&hasher.finalize_reset())?;
                bytes += 32;
                in_block = 0;
            }
        }
    }
    out.flush()?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(Some(Conditioned {
        file: format!("{CONDITIONED_DIR}/{source}.bin"),
        bytes,
        samples_per_output: block,
        h_used: h,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_length_follows_the_accounting_rule() {
        // h = 4 bits: 2 credited bits per sample, 176 samples per 352 bits.
        assert_eq!(samples_per_output(4.0), Some(176));
        // h = 0.3: 0.15 credited per sample, ceil(2346.67) = 2347.
        assert_eq!(samples_per_output(0.3), Some(2347));
        assert_eq!(samples_per_output(0.0), None);
        assert_eq!(samples_per_output(f64::NAN), None);
    }

    #[test]
    fn outputs_are_sha256_of_consecutive_blocks() {
        let dir = std::env::temp_dir().join(format!("ws-conditioned-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("raw")).unwrap();
        // 2.5 blocks of 176 samples: two outputs.
        let data: Vec<u8> = (0..440u32).map(|i| (i * 7) as u8).collect();
        fs::write(raw_path(&dir, "s"), &data).unwrap();
        let c = condition(&dir, "s", 4.0).unwrap().unwrap();
        assert_eq!((c.bytes, c.samples_per_output), (64, 176));
        let out = fs::read(conditioned_path(&dir, "s")).unwrap();
        assert_eq!(&out[..32], Sha256::digest(&data[..176]).as_slice());
        assert_eq!(&out[32..], Sha256::digest(&data[176..352]).as_slice());
        let _ = fs::remove_dir_all(&dir);
    }
}
