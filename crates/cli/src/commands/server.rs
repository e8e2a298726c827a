//! `wellspring server`: the HTTP API on a tokio runtime, over a running engine.
//!
//! Shutdown: on SIGINT or SIGTERM the server stops accepting and lets requests in flight
//! finish for [`ServerConfig::shutdown_grace`] (1 s), then drops what is left. A request
//! that waits for entropy does so on one of the runtime's blocking threads, which cannot be
//! interrupted; the runtime is therefore shut down with [`RUNTIME_SHUTDOWN`] as a timeout
//! rather than dropped (a drop would wait for those threads), so the process exits within
//! about 1.5 s of the signal whatever the engine is doing.

use std::net::SocketAddr;
use std::time::Duration;

use wellspring_core::engine::Engine;
use wellspring_server::{EngineBackend, ServeError, ServerConfig};

use crate::args::ServerArgs;
use crate::error::{CliError, CliResult};

/// How long the runtime waits for its blocking threads after the server has stopped.
const RUNTIME_SHUTDOWN: Duration = Duration::from_millis(300);

/// The per-client rate limit on a public (non-loopback) address when `--rate-limit` is not
/// given: 100 tokens a second (100 small requests, or about 100 KiB).
pub(crate) const DEFAULT_PUBLIC_RATE_LIMIT: f64 = 100.0;

/// The most random bytes one request may ask for on a public address when
/// `--max-request-bytes` is not given: 64 KiB (a 128 KiB hex16 answer).
pub(crate) const DEFAULT_PUBLIC_MAX_REQUEST_BYTES: usize = 64 * 1024;

/// Whether `host` is reachable only from this machine.
fn loopback(host: std::net::IpAddr) -> bool {
    host.is_loopback()
}

/// Refuses a public bind that would serve the operator routes on the public port.
fn check_public_bind(args: &ServerArgs) -> CliResult {
    if loopback(args.host) || args.admin_listen.is_some() || args.public_operator_routes {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "refusing to serve the operator routes (/pool/status, /sources, /metrics, the \
         dashboard, /api/v1/events, previews, thumbnails) on the public address {}: add \
         --admin-listen 127.0.0.1:9042 to serve them there, or --public-operator-routes to \
         serve them on the public port anyway",
        args.host
    )))
}

/// The rate limit in force: `--rate-limit` (`off` is none), else none on loopback and
/// [`DEFAULT_PUBLIC_RATE_LIMIT`] on any other address.
pub(crate) fn effective_rate_limit(host: std::net::IpAddr, asked: Option<f64>) -> Option<f64> {
    match asked {
        Some(rate) if rate.is_infinite() => None,
        Some(rate) => Some(rate),
        None if loopback(host) => None,
        None => Some(DEFAULT_PUBLIC_RATE_LIMIT),
    }
}

/// The cap on random bytes per request in force: `--max-request-bytes` (`off` is none),
/// else none on loopback and [`DEFAULT_PUBLIC_MAX_REQUEST_BYTES`] on any other address.
pub(crate) fn effective_max_request_bytes(
    host: std::net::IpAddr,
    asked: Option<usize>,
) -> Option<usize> {
    match asked {
        Some(usize::MAX) => None,
        Some(max) => Some(max),
        None if loopback(host) => None,
        None => Some(DEFAULT_PUBLIC_MAX_REQUEST_BYTES),
    }
}

pub(crate) fn run(args: ServerArgs) -> CliResult {
    check_public_bind(&args)?;
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
    let engine = Engine::start(crate::engine::config(sources)?).map_err(CliError::engine)?;
    let config = ServerConfig {
        addr: SocketAddr::new(args.host, args.port),
        allow_raw: args.allow_raw,
        rate_limit: effective_rate_limit(args.host, args.rate_limit),
        max_request_bytes: effective_max_request_bytes(args.host, args.max_request_bytes),
        trusted_proxies: args.trusted_proxy,
        cors_origin: args.cors,
        camera,
        max_connections: args.max_connections as usize,
        max_connections_per_client: args.max_connections_per_client as usize,
        admin_addr: args.admin_listen,
        allowed_hosts: args.allowed_host,
        max_event_streams: args.max_event_streams as usize,
        ..ServerConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::runtime(format!("cannot start the async runtime: {e}")))?;
    let addr = config.addr;
    let admin = config.admin_addr;
    let result = runtime.block_on(wellspring_server::serve(EngineBackend::new(engine), config));
    // Not a drop: blocking threads still waiting on the engine must not hold the exit.
    runtime.shutdown_timeout(RUNTIME_SHUTDOWN);
    result.map_err(|e| match e {
        ServeError::BadOrigin(_) | ServeError::BadConfig(_) => CliError::usage(e.to_string()),
        ServeError::Io(io) => match admin {
            Some(admin) => {
                CliError::runtime(format!("cannot serve on {addr} (admin {admin}): {io}"))
            }
            None => CliError::runtime(format!("cannot serve on {addr}: {io}")),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_address_gets_a_rate_limit_unless_told_otherwise() {
        let public: std::net::IpAddr = "0.0.0.0".parse().unwrap();
        let local: std::net::IpAddr = "127.0.0.1".parse().unwrap();
        let local6: std::net::IpAddr = "::1".parse().unwrap();
        assert_eq!(
            effective_rate_limit(public, None),
            Some(DEFAULT_PUBLIC_RATE_LIMIT)
        );
        assert_eq!(effective_rate_limit(local, None), None);
        assert_eq!(effective_rate_limit(local6, None), None);
        assert_eq!(effective_rate_limit(public, Some(5.0)), Some(5.0));
        assert_eq!(effective_rate_limit(public, Some(f64::INFINITY)), None);
    }

    #[test]
    fn a_public_address_caps_the_bytes_of_one_request_unless_told_otherwise() {
        let public: std::net::IpAddr = "0.0.0.0".parse().unwrap();
        let local: std::net::IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(
            effective_max_request_bytes(public, None),
            Some(DEFAULT_PUBLIC_MAX_REQUEST_BYTES)
        );
        assert_eq!(effective_max_request_bytes(local, None), None);
        assert_eq!(effective_max_request_bytes(public, Some(4096)), Some(4096));
        assert_eq!(effective_max_request_bytes(public, Some(usize::MAX)), None);
    }
}
