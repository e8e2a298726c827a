//! One module per subcommand.

pub(crate) mod analyze;
pub(crate) mod assess;
pub(crate) mod bench;
pub(crate) mod compare;
pub(crate) mod completions;
pub(crate) mod device;
pub(crate) mod feed_kernel;
pub(crate) mod pool;
pub(crate) mod probe;
pub(crate) mod record;
pub(crate) mod report;
pub(crate) mod scan;
pub(crate) mod server;
pub(crate) mod sessions;
pub(crate) mod stream;
pub(crate) mod stream_chunks;
