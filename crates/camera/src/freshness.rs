//! Global freshness: one bounded memory of recent frame digests shared by every feed, so a
//! frame seen before from *any* feed is stale and earns nothing. Checking per feed let the
//! same image placed in two private folders (or a public snapshot copied into a private
//! folder) be buffered, and credited, once per feed.
//!
//! The prefetcher remembers two SHA-256 digests per frame: of the raw file or body bytes
//! (before decoding, so a repeat costs no decode) and of the decoded RGB pixels (so a
//! re-encoded copy of an old frame is recognised too). Memory is bounded: past
//! [`SEEN_DIGESTS`] digests the oldest is forgotten first (FIFO), about 256 KB in all.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// Digests remembered across all feeds (two per fresh frame).
pub const SEEN_DIGESTS: usize = 4096;

/// A SHA-256 digest of a frame's bytes or pixels.
pub type FrameDigest = [u8; 32];

/// The SHA-256 digest of `bytes`.
pub fn digest(bytes: &[u8]) -> FrameDigest {
    Sha256::digest(bytes).into()
}

#[derive(Debug, Default)]
struct Memory {
    order: VecDeque<FrameDigest>,
    known: HashSet<FrameDigest>,
}

/// Recently seen frame digests, shared by every feed of a camera.
#[derive(Debug)]
pub struct SeenFrames {
    capacity: usize,
    memory: Mutex<Memory>,
}

impl Default for SeenFrames {
    fn default() -> Self {
        SeenFrames::new(SEEN_DIGESTS)
    }
}

impl SeenFrames {
    /// An empty memory of at most `capacity` digests (at least one).
    pub fn new(capacity: usize) -> Self {
        SeenFrames {
            capacity: capacity.max(1),
            memory: Mutex::new(Memory::default()),
        }
    }

    /// Records `digest`: true when it is new (the frame is fresh), false when it was already
    /// remembered. Checking and recording are one step under one lock, so two feeds racing
    /// with the same frame cannot both find it fresh.
    pub fn remember(&self, digest: FrameDigest) -> bool {
        let mut memory = self.memory.lock().unwrap_or_else(|p| p.into_inner());
        if !memory.known.insert(digest) {
            return false;
        }
        memory.order.push_back(digest);
        while memory.order.len() > self.capacity {
            if let Some(oldest) = memory.order.pop_front() {
                memory.known.remove(&oldest);
            }
        }
        true
    }

    /// Digests currently remembered.
    pub fn len(&self) -> usize {
        self.memory
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .order
            .len()
    }

    /// Whether nothing is remembered yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_is_fresh_once_and_the_oldest_is_forgotten_first() {
        let seen = SeenFrames::new(3);
        let d = |i: u8| digest(&[i]);
        assert!(seen.remember(d(1)));
        assert!(!seen.remember(d(1)), "seen before");
        assert!(seen.remember(d(2)) && seen.remember(d(3)) && seen.remember(d(4)));
        assert_eq!(seen.len(), 3, "bounded");
        assert!(!seen.remember(d(4)) && !seen.remember(d(2)));
        assert!(seen.remember(d(1)), "the oldest was evicted");
    }
}
