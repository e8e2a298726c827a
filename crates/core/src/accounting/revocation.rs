//! What a lower figure or a persistent health failure takes back from blocks not yet served.
//!
//! The figure's side is in [`super::Account`]: a lower re-assessment revalues every earlier
//! epoch's credit to the new figure, and a persistent failure revalues all of it to zero
//! ([`super::Account::fail`]), so queued credit is worth what the accounts now say. This
//! module applies the revaluation to assembled blocks: a reservoir block whose credit, with
//! the family cap applied again, no longer reaches 320 bits is revoked (dropped, never
//! served). Blocks already served in a DRBG seed are checked by the DRBG itself
//! ([`super::seed`]).

use std::collections::VecDeque;

use super::{Assembler, Ledger, Ratios, reaches_full_entropy};

/// Drops from `reservoir` every block that involves `source` and no longer reaches 320 bits
/// under `accounts`; returns how many were dropped. `ledger` gives a block's ledger.
pub(crate) fn revoke_short_blocks<B>(
    reservoir: &mut VecDeque<B>,
    ledger: impl Fn(&B) -> &Ledger,
    source: usize,
    accounts: &(impl Ratios + ?Sized),
    assembler: &Assembler,
) -> usize {
    let before = reservoir.len();
    reservoir.retain(|block| {
        let ledger = ledger(block);
        !ledger.involves(source) || reaches_full_entropy(ledger, accounts, assembler)
    });
    before - reservoir.len()
}
