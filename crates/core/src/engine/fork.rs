//! Full-entropy output in a forked child.
//!
//! After `fork()` only the forking thread exists in the child: the harvesters are gone, and
//! the engine's lock may have been copied while a harvester held it, so touching it could
//! deadlock. The child therefore never uses the shared state: it collects fresh samples from
//! the sources itself, credits them with the per-sample claims the parent had published
//! (lock-free), and conditions them with its own conditioner. Its output therefore never
//! repeats the parent's.

use std::sync::atomic::Ordering;
use std::time::Instant;

use super::{EngineError, Inner};
use crate::conditioning::{BLOCK_BYTES, Conditioner};

/// Samples per collection in the child.
const CHILD_BATCH: usize = 1024;

pub(super) fn fill_in_child(inner: &Inner, out: &mut [u8]) -> Result<(), EngineError> {
    let start = Instant::now();
    let mut conditioner = Conditioner::new(inner.config.conditioner);
    let mut written = 0;
    while written < out.len() {
        let mut progressed = false;
        for (source, claim) in inner.config.sources.iter().zip(&inner.claims) {
            let per_sample = f64::from_bits(claim.load(Ordering::Relaxed));
            if per_sample <= 0.0 {
                continue;
            }
            let Ok(samples) = source.collect(CHILD_BATCH) else {
                continue;
            };
            conditioner.absorb(&samples, samples.len() as f64 * per_sample);
            while let Some(block) = conditioner.squeeze() {
                let take = (out.len() - written).min(BLOCK_BYTES);
                out[written..written + take].copy_from_slice(&block[..take]);
                written += take;
                progressed = true;
                if written == out.len() {
                    return Ok(());
                }
            }
        }
        if !progressed && start.elapsed() >= inner.config.starvation_timeout {
            return Err(EngineError::Starved(
                "in a forked child: no source with measured entropy delivered samples".into(),
            ));
        }
    }
    Ok(())
}
