//! The router: every route of the contract, JSON 404/405 fallbacks, metrics and rate limits.
//! Every error leaves as `{"success": false, "error": "..."}`: handlers answer
//! [`ApiError`], and [`json_errors`] rewrites any other error response (an extractor's
//! rejection, a layer's plain text) into that shape.

mod body;
mod dashboard;
mod events;
mod info;
mod preview;
mod random;
mod status_feed;

pub(crate) use status_feed::StatusFeed;

pub(crate) use preview::Previews;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};

use crate::client_ip::client_address;
use crate::ratelimit::{ClientKey, Reserved};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::{ApiError, json_errors};
use crate::state::AppState;

/// Which routes a listener serves.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RouteSet {
    /// The public port: every route, or, with `admin_elsewhere`, all but
    /// [`ADMIN_ROUTES`](crate::ADMIN_ROUTES).
    Public { admin_elsewhere: bool },
    /// The admin listener: [`ADMIN_ROUTES`](crate::ADMIN_ROUTES) and `/health`.
    Admin,
}

pub(crate) fn router(state: AppState, set: RouteSet) -> Router {
    let public = Router::new()
        .route("/API/jsonI.php", get(random::legacy))
        .route("/api/v1/random", get(random::v1))
        .route("/rng", get(info::rng))
        .route("/openapi.json", get(info::openapi));
    let admin = Router::new()
        .route("/sources", get(info::sources))
        .route("/pool/status", get(info::pool_status))
        .route("/metrics", get(info::metrics))
        .route("/api/v1/events", get(events::events))
        .route("/api/v1/sources/{name}/preview", get(preview::preview))
        .route("/api/v1/livecam/thumbnails", get(dashboard::thumbnails))
        .route("/", get(dashboard::index))
        .route("/assets/dashboard.js", get(dashboard::script))
        .route("/assets/dashboard.css", get(dashboard::style))
        // An allowed Host only (else 421), so a DNS-rebinding page cannot read them; the
        // public routes answer any name.
        .route_layer(middleware::from_fn_with_state(
            state.allowed_hosts.clone(),
            crate::host::check,
        ));
    let routes = match set {
        RouteSet::Public {
            admin_elsewhere: false,
        } => public.merge(admin),
        RouteSet::Public {
            admin_elsewhere: true,
        } => public.route("/", get(dashboard::index_only)),
        RouteSet::Admin => admin,
    };
    routes
        .route("/health", get(info::health))
        .route("/ready", get(info::ready))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_and_limit,
        ))
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::map_response(nosniff))
        .with_state(state)
}

/// `X-Content-Type-Options: nosniff` on every response: a browser never reads a JSON error
/// or a random hex string as HTML or script, whatever it contains.
async fn nosniff(mut response: Response) -> Response {
    response.headers_mut().insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        axum::http::HeaderValue::from_static("nosniff"),
    );
    response
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such route (see /openapi.json)")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed: every route is GET",
    )
}

/// Applies the per-client rate limit and counts every response by route and status.
async fn count_and_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // MatchedPath holds an `Arc<str>`: cloning it does not allocate.
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let route = matched.as_ref().map_or("unmatched", |p| p.as_str());
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    let key = client_address(peer, request.headers(), &state.trusted_proxies);
    let client = state.limiter.as_ref().map(|limiter| (limiter, key));
    if let Some((limiter, client)) = client
        && let Err(retry_after) = limiter.check(client)
    {
        state.metrics.request(route, 429);
        return ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded")
            .retry_after(retry_after)
            .into_response();
    }
    let mut request = request;
    request.extensions_mut().insert(ClientKey(key));
    let response = next.run(request).await;
    if let Some((limiter, client)) = client
        && response.extensions().get::<Reserved>().is_none()
    {
        // Charged by what was served: every response here has a known length.
        let bytes = axum::body::HttpBody::size_hint(response.body())
            .exact()
            .unwrap_or(0);
        limiter.charge(client, bytes);
    }
    state.metrics.request(route, response.status().as_u16());
    response
}
