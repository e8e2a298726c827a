//! `wellspring server`: the HTTP API on a tokio runtime, over a running engine.

use std::net::SocketAddr;

use wellspring_core::engine::Engine;
use wellspring_server::{EngineBackend, ServeError, ServerConfig};

use crate::args::ServerArgs;
use crate::error::{CliError, CliResult};

pub(crate) fn run(args: ServerArgs) -> CliResult {
    if let Some(path) = &args.camera_config {
        crate::camera::from_file(path)?;
    }
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(crate::output::color_enabled())
        .try_init();
    let camera = crate::camera::camera()?;
    let registry = crate::camera::registry()?;
    let mut sources = registry.select(args.sources.as_deref())?;
    // Configured feeds are part of the engine whatever the filter: mixed in always, credited
    // only when a feed is private.
    if camera.is_some() && !sources.iter().any(|s| s.name() == "camera") {
        sources.extend(registry.find("camera"));
    }
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(crate::output::color_enabled())
        .try_init();
    let engine = Engine::start(crate::engine::config(sources)?).map_err(CliError::engine)?;
    let config = ServerConfig {
        addr: SocketAddr::new(args.host, args.port),
        allow_raw: args.allow_raw,
        rate_limit: args.rate_limit,
        cors_origin: args.cors,
        camera,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::runtime(format!("cannot start the async runtime: {e}")))?;
    let addr = config.addr;
    runtime
        .block_on(wellspring_server::serve(EngineBackend::new(engine), config))
        .map_err(|e| match e {
            ServeError::BadOrigin(_) => CliError::usage(e.to_string()),
            ServeError::Io(io) => CliError::runtime(format!("cannot serve on {addr}: {io}")),
        })
}
