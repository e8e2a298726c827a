//! `wellspring feed-kernel`: credit full-entropy blocks to the Linux pool, as rngd does.

use std::time::Duration;

use wellspring_core::engine::Engine;
use wellspring_core::kernel::add_entropy;
use zeroize::Zeroize;

use crate::args::FeedKernelArgs;
use crate::error::{CliError, CliResult};

pub(crate) fn run(args: FeedKernelArgs) -> CliResult {
    let sources = crate::camera::registry()?.select(args.sources.as_deref())?;
    let engine = Engine::start(crate::engine::kernel_config(sources)?).map_err(CliError::engine)?;
    let mut block = vec![0u8; args.bytes as usize];
    let mut fed = 0u64;
    loop {
        engine
            .fill_full_entropy(&mut block)
            .map_err(|e| CliError::runtime(e.to_string()))?;
        let result = add_entropy(&block, 8 * block.len() as u32);
        block.zeroize();
        result.map_err(|e| CliError::runtime(e.to_string()))?;
        fed += 1;
        if args.count.is_some_and(|count| fed >= count) {
            eprintln!(
                "wellspring: credited {} bytes ({} bits) to the kernel pool",
                fed * args.bytes,
                fed * args.bytes * 8
            );
            return Ok(());
        }
        std::thread::sleep(Duration::from_secs_f64(args.interval));
    }
}
