//! Whether a seed is still valid, and whether a due reseed may wait.
//!
//! A DRBG seed (and any served output) is made of full-entropy blocks, each with the
//! [`Ledger`] of the credit it was assembled from. The rules:
//!
//! - **A seed is valid while every block behind it still reaches 320 bits** under the
//!   accounts as they stand ([`reaches_full_entropy`]): a lower re-assessment or a persistent
//!   health failure revalues the credit in its ledger, and the family cap is applied again to
//!   the revalued credit, so a block cannot come to lean on one family. A DRBG asks before
//!   every 64 KiB it generates (`engine/rng.rs`), and a seed found revoked is replaced before
//!   any more output.
//! - **A due reseed waits only while credit flows** ([`when_blocks_are_short`]): with too few
//!   blocks in the reservoir, a DRBG whose reseed is due keeps its seed only while blocks are
//!   still being assembled (the last within [`CREDIT_FLOWING`]) and some credited source is
//!   healthy; otherwise the reseed is required at once, and output stops if it cannot be
//!   made.
//! - A forked child never asks: it must not take a lock a parent thread may have held at the
//!   fork, and its DRBG reseeds from the child's own samples before any output.

use std::time::{Duration, Instant};

use super::{Assembler, Ledger, Ratios};
use crate::conditioning::FULL_ENTROPY_CREDIT_BITS;

/// How recent the last block must be for a due reseed to go on without waiting: blocks are
/// still being made, so the sources behind them are healthy and under the family cap.
pub(crate) const CREDIT_FLOWING: Duration = Duration::from_secs(1);

/// What a due reseed found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SeedReady {
    /// The seed was taken.
    Taken,
    /// Blocks or the lock are not ready, but credited sources are healthy: try again later.
    NotYet,
    /// No blocks, and credit is not flowing (no block in the last second, or no credited
    /// source healthy): the reseed must wait (and may fail) now.
    NoCredit,
}

/// Whether a ledger's credit, under the accounts as they stand now and with the family cap
/// applied to what it is worth now, still reaches 320 bits.
pub(crate) fn reaches_full_entropy(
    ledger: &Ledger,
    accounts: &(impl Ratios + ?Sized),
    assembler: &Assembler,
) -> bool {
    assembler.block_credit(ledger, accounts) >= FULL_ENTROPY_CREDIT_BITS * (1.0 - 1e-9)
}

/// What a due reseed does when the reservoir holds too few blocks for a seed: wait while
/// credit flows (the last block assembled within [`CREDIT_FLOWING`] of `now`, and a credited
/// source healthy), else reseed at once.
pub(crate) fn when_blocks_are_short(
    last_block_at: Option<Instant>,
    any_credited: bool,
    now: Instant,
) -> SeedReady {
    let flowing =
        last_block_at.is_some_and(|at| now.saturating_duration_since(at) < CREDIT_FLOWING);
    if flowing && any_credited {
        SeedReady::NotYet
    } else {
        SeedReady::NoCredit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_due_reseed_waits_only_while_blocks_are_made_from_healthy_credit() {
        let now = Instant::now();
        let recent = now.checked_sub(Duration::from_millis(200));
        let stale = now.checked_sub(Duration::from_secs(5));
        assert_eq!(when_blocks_are_short(recent, true, now), SeedReady::NotYet);
        // Every credited source failed: blocks made a moment ago do not make credit flow.
        assert_eq!(
            when_blocks_are_short(recent, false, now),
            SeedReady::NoCredit
        );
        // No block for longer than CREDIT_FLOWING, or never one.
        assert_eq!(when_blocks_are_short(stale, true, now), SeedReady::NoCredit);
        assert_eq!(when_blocks_are_short(None, true, now), SeedReady::NoCredit);
    }
}
