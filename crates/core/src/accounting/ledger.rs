//! What went into one full-entropy block: per source and epoch, the credit it contributed.
//!
//! A block's ledger lets the engine recompute the block's credit when a source's
//! assessment is lowered after the block was made, and revoke it when it no longer reaches
//! 320 bits. The ledger stores credit at the value it was recorded with; what it is worth
//! now is that value times the epoch's ratio (see `Account::ratio`).

use super::Ratios;

/// One source's contribution to a block, under one epoch of its accounts.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Contribution {
    source: u16,
    epoch: u32,
    bits: f64,
}

/// The contributions behind one block (a handful of entries: one per source and epoch).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ledger {
    parts: Vec<Contribution>,
}

impl Ledger {
    /// Records `bits` of credit from `source` under `epoch`.
    pub(crate) fn add(&mut self, source: usize, epoch: u32, bits: f64) {
        let source = source as u16;
        match self
            .parts
            .iter_mut()
            .find(|c| c.source == source && c.epoch == epoch)
        {
            Some(c) => c.bits += bits,
            None => self.parts.push(Contribution {
                source,
                epoch,
                bits,
            }),
        }
    }

    /// Credit as recorded, before any revision.
    pub fn recorded_bits(&self) -> f64 {
        self.parts.iter().map(|c| c.bits).sum()
    }

    /// Credit under the accounts as they stand now.
    #[cfg(test)]
    pub(crate) fn credit(&self, accounts: &(impl Ratios + ?Sized)) -> f64 {
        self.parts
            .iter()
            .map(|c| c.bits * accounts.ratio(c.source as usize, c.epoch))
            .sum()
    }

    /// Each contribution's credit under the accounts as they stand now, by source (a
    /// source may appear once per epoch).
    pub(crate) fn credit_by_source<'a>(
        &'a self,
        accounts: &'a (impl Ratios + ?Sized),
    ) -> impl Iterator<Item = (usize, f64)> + 'a {
        self.parts.iter().map(|c| {
            let source = c.source as usize;
            (source, c.bits * accounts.ratio(source, c.epoch))
        })
    }

    /// Whether `source` contributed.
    pub(crate) fn involves(&self, source: usize) -> bool {
        self.parts.iter().any(|c| c.source as usize == source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounting::{Account, AssessmentOrigin};

    #[test]
    fn credit_is_recomputed_under_lowered_epochs() {
        let mut a = Account::new(0.5, 1, true);
        let b = {
            let mut b = Account::new(0.5, 1, true);
            b.assess(2.0, AssessmentOrigin::Full, 65_536);
            b
        };
        a.assess(4.0, AssessmentOrigin::Full, 65_536);
        let mut ledger = Ledger::default();
        ledger.add(0, 0, 200.0);
        ledger.add(1, 0, 100.0);
        ledger.add(0, 0, 40.0);
        assert_eq!(ledger.parts.len(), 2, "same source and epoch merge");
        let mut accounts = vec![a, b];
        assert_eq!(ledger.credit(&accounts), 340.0);
        // Source 0 re-assessed at 1 bit: its 240 recorded bits are now worth 60.
        accounts[0].assess(1.0, AssessmentOrigin::Full, 65_536);
        assert_eq!(ledger.credit(&accounts), 160.0);
        assert_eq!(ledger.recorded_bits(), 340.0);
        assert!(ledger.involves(1) && !ledger.involves(2));
    }
}
