//! Blocks from credited samples: the assembler's output moved into the reservoir, and whether
//! the reservoir is full. Called by a batch after it credits samples and by an assessment
//! after it revalues them, so it sits below both.

use std::sync::atomic::Ordering;

use super::{Block, Inner, Shared};

/// Makes blocks while the queues allow and the reservoir has room (or a request waits for
/// fresh blocks: then the oldest blocks make way). Returns whether any was made.
pub(super) fn assemble_blocks(inner: &Inner, shared: &mut Shared) -> bool {
    let capacity = inner.config.reservoir_blocks;
    let mut made = false;
    loop {
        let fresh_wanted = inner.fresh_waiters.load(Ordering::SeqCst) > 0;
        if shared.reservoir.len() >= capacity && !fresh_wanted {
            break;
        }
        let Shared {
            assembler, slots, ..
        } = &mut *shared;
        let Some((bytes, ledger, oldest)) = assembler.assemble(slots) else {
            break;
        };
        if shared.reservoir.len() >= capacity {
            shared.reservoir.pop_front();
        }
        shared.reservoir.push_back(Block {
            bytes: bytes.into(),
            ledger,
            oldest,
        });
        shared.blocks_produced += 1;
        shared.last_block_at = Some(std::time::Instant::now());
        made = true;
    }
    made
}

/// Whether the reservoir is full and no request waits for fresh blocks.
pub(super) fn reservoir_full(inner: &Inner) -> bool {
    inner.lock().reservoir.len() >= inner.config.reservoir_blocks
        && inner.fresh_waiters.load(Ordering::SeqCst) == 0
}
