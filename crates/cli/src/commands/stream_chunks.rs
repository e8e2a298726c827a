//! Where `stream` gets its chunks: from one output handle, or, for bulk DRBG output, from two
//! handles on two threads taking turns, so generation runs on a second core while the first
//! writes.
//!
//! Each handle is its own CTR_DRBG, seeded and reseeded from its own full-entropy blocks
//! under the engine's rules, so the stream is the concatenation, chunk by chunk, of two
//! independent SP 800-90A outputs. A chunk the helper generated but the stream did not need
//! (at the end, or after an error) is dropped unseen. Buffers travel between the threads by
//! move, never copied.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use wellspring_core::engine::EngineError;
use wellspring_core::pool::ByteSource;

/// A helper's answer: the buffer it filled, or why it could not.
type Filled = Result<Vec<u8>, EngineError>;

/// Chunks of output in order.
pub(crate) enum Chunks {
    /// Every chunk from one handle, on this thread.
    Single {
        source: Box<dyn ByteSource + Send>,
        buffer: Vec<u8>,
    },
    /// Even chunks from `own`, on this thread; odd ones from a helper thread's handle,
    /// which fills the next odd chunk while this thread writes.
    Pair {
        own: Box<dyn ByteSource + Send>,
        buffer: Vec<u8>,
        /// The odd chunk handed out last, returned to the helper on the next turn.
        lent: Vec<u8>,
        /// Dropping it (with the rest of `Chunks`) closes the helper's inbox: its loop ends
        /// and the scope joins it.
        to_helper: SyncSender<Vec<u8>>,
        from_helper: Receiver<Filled>,
        /// Whose turn the next chunk is.
        own_turn: bool,
    },
}

impl Chunks {
    /// Chunks of up to `chunk` bytes from one handle.
    pub(crate) fn single(source: Box<dyn ByteSource + Send>, chunk: usize) -> Self {
        Chunks::Single {
            source,
            buffer: vec![0u8; chunk],
        }
    }

    /// Chunks of up to `chunk` bytes from two handles in turns; the helper thread runs in
    /// `scope`, and ends when the returned value is dropped.
    pub(crate) fn pair<'scope, 'env>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        own: Box<dyn ByteSource + Send>,
        mut helper: Box<dyn ByteSource + Send>,
        chunk: usize,
    ) -> Self {
        // Two buffers circulate through the helper: one being filled, one ready or lent.
        let (to_helper, helper_inbox) = sync_channel::<Vec<u8>>(2);
        let (helper_outbox, from_helper) = sync_channel::<Filled>(2);
        let _ = std::thread::Builder::new()
            .name("ws-stream-drbg".into())
            .spawn_scoped(scope, move || {
                // Ends when the stream drops its sender (or stops listening).
                while let Ok(mut buffer) = helper_inbox.recv() {
                    let answer = helper.fill(&mut buffer).map(|()| buffer);
                    let failed = answer.is_err();
                    if helper_outbox.send(answer).is_err() || failed {
                        return;
                    }
                }
            });
        for _ in 0..2 {
            // Cannot fail: the channel holds two and the helper has not exited.
            let _ = to_helper.send(vec![0u8; chunk]);
        }
        Chunks::Pair {
            own,
            buffer: vec![0u8; chunk],
            lent: Vec::new(),
            to_helper,
            from_helper,
            own_turn: true,
        }
    }

    /// The next `len` bytes of output (`len` at most the chunk size).
    pub(crate) fn next(&mut self, len: usize) -> Result<&[u8], EngineError> {
        match self {
            Chunks::Single { source, buffer } => {
                let piece = &mut buffer[..len];
                source.fill(piece)?;
                Ok(piece)
            }
            Chunks::Pair {
                own,
                buffer,
                lent,
                to_helper,
                from_helper,
                own_turn,
            } => {
                let mine = *own_turn;
                *own_turn = !mine;
                if mine {
                    let piece = &mut buffer[..len];
                    own.fill(piece)?;
                    return Ok(piece);
                }
                if !lent.is_empty() {
                    let _ = to_helper.send(std::mem::take(lent));
                }
                match from_helper.recv() {
                    Ok(Ok(filled)) => {
                        *lent = filled;
                        Ok(&lent[..len])
                    }
                    Ok(Err(e)) => Err(e),
                    // The helper is gone only after reporting an error, which came first.
                    Err(_) => Err(EngineError::Starved(
                        "the second DRBG thread stopped".to_owned(),
                    )),
                }
            }
        }
    }
}
