//! # wellspring-server
//!
//! The HTTP face of wellspring: the legacy ANU QRNG API (`/API/jsonI.php`), the same shapes
//! under `/api/v1/random`, the LiveCam-style `/rng`, and health, sources, pool status,
//! Prometheus metrics and an OpenAPI description. Handlers only parse, take bytes that the
//! engine has already generated, and shape JSON: generation runs on dedicated threads
//! ([`reservoir`]), never on the async executor.

mod error;
mod metrics;
pub mod openapi;
mod query;
mod ratelimit;
pub mod reservoir;
mod routes;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::HeaderValue;
use tower_http::cors::CorsLayer;
use tower_http::trace::TraceLayer;

pub use reservoir::{Backend, BackendError, EngineBackend};
pub use state::AppState;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to bind (default 127.0.0.1:8042).
    pub addr: SocketAddr,
    /// Serve unconditioned samples for `raw=true`.
    pub allow_raw: bool,
    /// Requests per second allowed per client IP.
    pub rate_limit: Option<f64>,
    /// One origin allowed to call the API from a browser.
    pub cors_origin: Option<String>,
    /// Camera feeds for `/rng` and `/health` (`--camera-config`); `None` runs the LiveCam
    /// recipe without the image part.
    pub camera: Option<Arc<wellspring_camera::Camera>>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8042)),
            allow_raw: false,
            rate_limit: None,
            cors_origin: None,
            camera: None,
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
}

/// The application with every route and layer.
pub fn app(backend: Arc<dyn Backend>, config: &ServerConfig) -> Result<Router, ServeError> {
    let state = AppState::new(backend, config.allow_raw, config.rate_limit)
        .with_camera(config.camera.clone());
    let mut router = routes::router(state).layer(TraceLayer::new_for_http());
    if let Some(origin) = &config.cors_origin {
        let value =
            HeaderValue::from_str(origin).map_err(|_| ServeError::BadOrigin(origin.clone()))?;
        router = router.layer(
            CorsLayer::new()
                .allow_origin(value)
                .allow_methods([axum::http::Method::GET]),
        );
    }
    Ok(router)
}

/// Binds and serves until SIGINT or SIGTERM, then finishes in-flight requests.
pub async fn serve(backend: Arc<dyn Backend>, config: ServerConfig) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    serve_on(listener, backend, config, shutdown_signal()).await
}

/// Serves on an already-bound listener until `shutdown` completes (tests pass their own).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    backend: Arc<dyn Backend>,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let router = app(backend, &config)?;
    tracing::info!(addr = %listener.local_addr()?, "wellspring server listening");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
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
    // Give in-flight requests a moment; axum waits for them to finish.
    tokio::time::sleep(Duration::from_millis(10)).await;
}
