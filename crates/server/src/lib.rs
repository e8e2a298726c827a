//! # wellspring-server
//!
//! The HTTP face of wellspring: the legacy ANU QRNG API (`/API/jsonI.php`), the same shapes
//! under `/api/v1/random`, the LiveCam-style `/rng`, and health, sources, pool status,
//! Prometheus metrics and an OpenAPI description. Handlers only parse, take bytes that the
//! engine has already generated, and shape JSON: generation runs on dedicated threads
//! ([`reservoir`]), never on the async executor.
//!
//! ## Connections
//!
//! [`serve_on`] runs its own accept loop over hyper's HTTP/1.1 connection builder, so a
//! hostile or broken client costs little and cannot hold the server:
//!
//! - at most [`ServerConfig::max_connections`] connections (default
//!   [`DEFAULT_MAX_CONNECTIONS`], 512) are served at once; a connection past the cap gets a
//!   one-shot `503` JSON answer, if the socket takes it at once, and is closed after a
//!   bounded lingering drain, so the client reads the answer rather than a reset (see the
//!   `refusal` module);
//! - one client (IPv4 address, IPv6 /64; a trusted proxy is not capped) holds at most
//!   [`ServerConfig::max_connections_per_client`] of them (default
//!   [`DEFAULT_MAX_CONNECTIONS_PER_CLIENT`], 64), so half-sent heads, slow readers or event
//!   streams from one address leave the rest to everyone else (see the `per_client` module);
//! - a response write that makes no progress for [`ServerConfig::write_timeout`] (default
//!   10 s) closes the connection: a client that stops reading cannot hold a response's memory
//!   (see the `write_deadline` module);
//! - a client has [`ServerConfig::header_read_timeout`] (default 10 s) to send a request's
//!   head, counted from the connection's start and, on a keep-alive connection, from the end
//!   of the previous response: a silent or idle connection is closed after it;
//! - the connection's read buffer is [`MAX_BUFFER`] (16 KiB): a request head that does not
//!   fit (a 1 MB header) is answered `431` by hyper and the connection closed;
//! - queries longer than 4 KiB are answered `414` (see the `query` module).
//!
//! ## The admin listener
//!
//! With [`ServerConfig::admin_addr`] (`--admin-listen`), the operator's routes
//! ([`ADMIN_ROUTES`]: pool status, sources, metrics, the event stream and the dashboard, and
//! `/health` as well) are served on that second address only, and the public port answers
//! them `404`: reservoir level,
//! reseeds and per-source state would otherwise tell anyone when to time a drain. The admin
//! listener has its own connection cap, [`ADMIN_SPARE_CONNECTIONS`] above the event-stream cap,
//! so a flood of public connections cannot lock the operator out, and neither can every
//! event stream held open at once: `/metrics` always has connections left.
//!
//! ## The Host check
//!
//! Wherever they are served, the operator routes and the dashboard answer only a `Host` of
//! `localhost`, `127.0.0.1`, `[::1]`, the address their listener is bound to (unless it is
//! the unspecified address) or a name in [`ServerConfig::allowed_hosts`]
//! (`--allowed-host`); any other gets `421`, so a page the operator visits cannot rebind
//! its own name to them and read them (see the `host` module). The random routes,
//! `/openapi.json`, `/health` and `/ready` answer any `Host`.
//!
//! ## Shutdown
//!
//! When the shutdown future completes (SIGINT or SIGTERM for [`serve`]), the listener is
//! closed, idle connections are closed, and requests in flight may finish for
//! [`ServerConfig::shutdown_grace`] (default 1 s); connections still open then are dropped
//! and [`serve_on`] returns. A request waiting for entropy on a blocking thread is abandoned,
//! not awaited: the owner of the runtime should shut it down with a timeout
//! (`Runtime::shutdown_timeout`), as the `wellspring server` command does.

mod client_ip;
mod error;
mod fairshare;
mod host;
mod metrics;
pub mod openapi;
mod per_client;
mod query;
mod ratelimit;
mod refusal;
pub mod reservoir;
mod routes;
mod state;
mod trace;
mod write_deadline;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::HeaderValue;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
pub use ratelimit::Cidr;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tower_http::cors::CorsLayer;

pub use host::parse_allowed_host;
pub use reservoir::{Backend, BackendError, EngineBackend};
pub use state::AppState;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to bind (default 127.0.0.1:8042).
    pub addr: SocketAddr,
    /// Serve unconditioned samples for `raw=true`.
    pub allow_raw: bool,
    /// Tokens per second per client (IPv4 address or IPv6 /64): a request costs one, plus
    /// one per KiB served beyond the first (see `ratelimit`).
    pub rate_limit: Option<f64>,
    /// Proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`); from anyone
    /// else the header is ignored.
    pub trusted_proxies: Vec<Cidr>,
    /// One origin allowed to call the API from a browser.
    pub cors_origin: Option<String>,
    /// Camera feeds for `/rng` and `/health` (`--camera-config`); `None` runs the LiveCam
    /// recipe without the image part.
    pub camera: Option<Arc<wellspring_camera::Camera>>,
    /// Most connections served at once; past it, new connections are closed at once.
    pub max_connections: usize,
    /// Most connections one client (IPv4 address, IPv6 /64) holds at once on either
    /// listener; peers in [`ServerConfig::trusted_proxies`] are not capped.
    pub max_connections_per_client: usize,
    /// How long a response write may make no progress before the connection is closed.
    pub write_timeout: Duration,
    /// Time a client has to send a request head, from the connection's start or the end of
    /// the previous response (so also the idle keep-alive cutoff).
    pub header_read_timeout: Duration,
    /// After shutdown begins, how long requests in flight may take before their connections
    /// are dropped.
    pub shutdown_grace: Duration,
    /// Where to serve [`ADMIN_ROUTES`] instead of the public address (`--admin-listen`).
    pub admin_addr: Option<SocketAddr>,
    /// Host names (or addresses) the operator routes answer besides `localhost`, `127.0.0.1`,
    /// `::1` and the address their listener is bound to (`--allowed-host`); any other `Host`
    /// gets 421. `*` or `any` turns the check off (only behind a proxy that rewrites `Host`).
    pub allowed_hosts: Vec<String>,
    /// Most `/api/v1/events` streams open at once; past it, 503.
    pub max_event_streams: usize,
    /// Most random bytes one request may ask for (`length` × 2 for uint16, `length` ×
    /// `size` for hex16); larger requests are refused with 413. `None`: the API's own limit
    /// (1,024 × 1,024).
    pub max_request_bytes: Option<usize>,
}

/// The routes moved to the admin listener when there is one, with the dashboard (`/` as
/// HTML, its assets, and `/api/v1/sources/{name}/preview`); the public port's `/` then
/// answers the JSON index only. `/health` is served on both: load balancers probe the public
/// port.
pub const ADMIN_ROUTES: &[&str] = &["/pool/status", "/sources", "/metrics", "/api/v1/events"];
/// Default of [`ServerConfig::max_event_streams`].
pub const DEFAULT_MAX_EVENT_STREAMS: usize = 64;
/// Connections the admin listener serves beyond [`ServerConfig::max_event_streams`], so
/// that every event stream held open still leaves room for `/metrics` and the rest.
pub const ADMIN_SPARE_CONNECTIONS: usize = 64;

/// Default of [`ServerConfig::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// Default of [`ServerConfig::max_connections_per_client`].
pub const DEFAULT_MAX_CONNECTIONS_PER_CLIENT: usize = 64;
/// Default of [`ServerConfig::write_timeout`].
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`ServerConfig::header_read_timeout`].
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`ServerConfig::shutdown_grace`].
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(1);
/// A connection's read buffer: a request head larger than this is refused (431).
pub const MAX_BUFFER: usize = 16 * 1024;

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8042)),
            allow_raw: false,
            rate_limit: None,
            trusted_proxies: Vec::new(),
            cors_origin: None,
            camera: None,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_connections_per_client: DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
            admin_addr: None,
            allowed_hosts: Vec::new(),
            max_event_streams: DEFAULT_MAX_EVENT_STREAMS,
            max_request_bytes: None,
        }
    }
}

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Binding or serving failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The CORS origin is not a valid header value.
    #[error("--cors '{0}' is not a valid origin")]
    BadOrigin(String),
    /// A limit of the configuration is out of range.
    #[error("{0}")]
    BadConfig(String),
}

/// The public application with its routes and layers (without [`ADMIN_ROUTES`] when
/// [`ServerConfig::admin_addr`] is set).
pub fn app(backend: Arc<dyn Backend>, config: &ServerConfig) -> Result<Router, ServeError> {
    Ok(apps(backend, config)?.0)
}

/// The public application and, when [`ServerConfig::admin_addr`] is set, the admin one,
/// sharing one state (metrics count both).
pub fn apps(
    backend: Arc<dyn Backend>,
    config: &ServerConfig,
) -> Result<(Router, Option<Router>), ServeError> {
    let state = AppState::new(backend, config.allow_raw, config.rate_limit)
        .with_trusted_proxies(config.trusted_proxies.clone())
        .with_camera(config.camera.clone())
        .with_event_streams(config.max_event_streams)
        .with_max_request_bytes(config.max_request_bytes);
    // The operator routes' listener: its own address is a name they answer.
    let listening = config.admin_addr.unwrap_or(config.addr).ip();
    let hosts = host::AllowedHosts::new(&config.allowed_hosts, Some(listening)).map_err(|e| {
        ServeError::BadConfig(format!(
            "--allowed-host '{e}' is not a host name or address"
        ))
    })?;
    let state = state.with_allowed_hosts(hosts);
    let admin_elsewhere = config.admin_addr.is_some();
    let mut public = routes::router(state.clone(), routes::RouteSet::Public { admin_elsewhere })
        .layer(trace::layer());
    if let Some(origin) = &config.cors_origin {
        let value =
            HeaderValue::from_str(origin).map_err(|_| ServeError::BadOrigin(origin.clone()))?;
        public = public.layer(
            CorsLayer::new()
                .allow_origin(value)
                .allow_methods([axum::http::Method::GET]),
        );
    }
    let admin = admin_elsewhere
        .then(|| routes::router(state, routes::RouteSet::Admin).layer(trace::layer()));
    Ok((public, admin))
}

/// Binds and serves until SIGINT or SIGTERM, then finishes in-flight requests (for at most
/// [`ServerConfig::shutdown_grace`]).
pub async fn serve(backend: Arc<dyn Backend>, config: ServerConfig) -> Result<(), ServeError> {
    let listener = TcpListener::bind(config.addr).await?;
    let admin = match config.admin_addr {
        Some(addr) => Some(TcpListener::bind(addr).await?),
        None => None,
    };
    serve_with_admin(listener, admin, backend, config, shutdown_signal()).await
}

/// Serves on an already-bound listener until `shutdown` completes (tests pass their own),
/// then stops accepting, lets requests in flight finish for at most
/// [`ServerConfig::shutdown_grace`], drops the connections still open and returns.
pub async fn serve_on(
    listener: TcpListener,
    backend: Arc<dyn Backend>,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let config = ServerConfig {
        admin_addr: None,
        ..config
    };
    serve_with_admin(listener, None, backend, config, shutdown).await
}

/// As [`serve_on`], with the admin routes on `admin` when it is given (then
/// [`ServerConfig::admin_addr`] should name it; the public listener no longer serves them).
pub async fn serve_with_admin(
    listener: TcpListener,
    admin: Option<TcpListener>,
    backend: Arc<dyn Backend>,
    mut config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    if config.max_connections == 0 || config.max_connections_per_client == 0 {
        return Err(ServeError::BadConfig(
            "max_connections and max_connections_per_client must be at least 1".into(),
        ));
    }
    // The bound addresses, which the operator routes' Host check allows.
    config.addr = listener.local_addr()?;
    match &admin {
        Some(admin) => config.admin_addr = Some(admin.local_addr()?),
        None => config.admin_addr = None,
    }
    let (router, admin_router) = apps(backend, &config)?;
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout)
        .keep_alive(true)
        .max_buf_size(MAX_BUFFER);
    let builder = Arc::new(builder);
    let permits = Arc::new(Semaphore::new(config.max_connections));
    let admin_permits = Arc::new(Semaphore::new(
        config.max_event_streams + ADMIN_SPARE_CONNECTIONS,
    ));
    let exempt = Arc::new(config.trusted_proxies.clone());
    let per_client = per_client::PerClient::new(config.max_connections_per_client, exempt.clone());
    let admin_per_client = per_client::PerClient::new(config.max_connections_per_client, exempt);
    let refusals = refusal::Refusals::new();
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    tracing::info!(
        addr = %listener.local_addr()?,
        max_connections = config.max_connections,
        rate_limit = ?config.rate_limit,
        "wellspring server listening"
    );
    if let Some(addr) = config.admin_addr {
        tracing::info!(%addr, "admin routes listening");
    }
    tokio::pin!(shutdown);
    loop {
        let (accepted, is_admin) = tokio::select! {
            () = &mut shutdown => break,
            // Reap finished connections so the set stays as small as the live ones.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => (accepted, false),
            accepted = accept_admin(admin.as_ref()) => (accepted, true),
        };
        let (stream, remote) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of file descriptors and the like: wait rather than spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let (pool, clients, app) = match (&admin_router, is_admin) {
            (Some(admin_router), true) => (&admin_permits, &admin_per_client, admin_router),
            _ => (&permits, &per_client, &router),
        };
        let Some(held) = clients.try_hold(remote.ip()) else {
            tracing::debug!(%remote, "this client's connection cap reached; closing");
            refusals.refuse(stream);
            continue;
        };
        let Ok(permit) = pool.clone().try_acquire_owned() else {
            tracing::debug!(%remote, "connection cap reached; closing");
            refusals.refuse(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        connections.spawn(connection(
            stream,
            remote,
            app.clone(),
            builder.clone(),
            stop_rx.clone(),
            (permit, held),
            config.write_timeout,
        ));
    }
    drop(listener);
    drop(admin);
    let _ = stop_tx.send(true);
    let open = connections.len();
    let drained = tokio::time::timeout(config.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await
    .is_ok();
    if !drained {
        tracing::warn!(
            open = connections.len(),
            of = open,
            "requests still in flight after the shutdown grace; dropping their connections"
        );
        connections.shutdown().await;
    }
    tracing::info!("server stopped");
    Ok(())
}

/// Serves one connection until it closes, or, once `stop` turns true, until its request
/// in flight is answered.
async fn connection(
    stream: TcpStream,
    remote: SocketAddr,
    router: Router,
    builder: Arc<http1::Builder>,
    mut stop: watch::Receiver<bool>,
    _slots: (OwnedSemaphorePermit, per_client::Held),
    write_timeout: Duration,
) {
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(remote));
        tower_service::Service::call(&mut router.clone(), request)
    });
    let stream = write_deadline::WriteDeadline::new(stream, write_timeout);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let stopping = async move {
        // An error means the server is gone: stop as well.
        let _ = stop.wait_for(|stop| *stop).await;
    };
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = stopping => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(%remote, error = %e, "connection ended with an error");
    }
}

/// The admin listener's next connection; never, without one.
async fn accept_admin(admin: Option<&TcpListener>) -> std::io::Result<(TcpStream, SocketAddr)> {
    match admin {
        Some(listener) => listener.accept().await,
        None => std::future::pending().await,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

/// Entry points for the cargo-fuzz targets in fuzz/; not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    use std::collections::HashMap;
    use std::ops::RangeInclusive;

    /// The query parser: `reject_unknown` as `/api/v1/random`, else as `/API/jsonI.php`.
    /// An error is its HTTP status and message.
    pub fn parse(
        query: Option<&str>,
        allowed: &[&str],
        reject_unknown: bool,
    ) -> Result<HashMap<String, String>, (u16, String)> {
        let unknown = if reject_unknown {
            crate::query::Unknown::Reject
        } else {
            crate::query::Unknown::Ignore
        };
        crate::query::parse(query, allowed, unknown).map_err(|e| (e.status.as_u16(), e.message))
    }

    /// An integer parameter of a parsed query. An error is its HTTP status and message.
    pub fn integer(
        map: &HashMap<String, String>,
        key: &str,
        range: RangeInclusive<usize>,
        default: Option<usize>,
    ) -> Result<usize, (u16, String)> {
        crate::query::integer(map, key, range, default).map_err(|e| (e.status.as_u16(), e.message))
    }
}
