//! `GET /`: the live dashboard (HTML, CSS and JavaScript compiled into the binary; the page
//! talks only to the server it came from, which its Content-Security-Policy enforces), or,
//! for `Accept: application/json`, a JSON index of the routes so scripts are not broken.
//! `GET /api/v1/livecam/thumbnails`: the newest regions of public camera feeds (never of
//! private ones) as PNG data URLs. The charts' sample previews are in `preview.rs`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::state::AppState;

const INDEX_HTML: &str = include_str!("../../assets/index.html");
const DASHBOARD_JS: &str = include_str!("../../assets/dashboard.js");
const DASHBOARD_CSS: &str = include_str!("../../assets/dashboard.css");

/// Nothing but this server: no CDN, no fonts, no beacons.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn wants_json(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("application/json") && !accept.contains("text/html")
}

/// The JSON index: every route with its summary.
fn index_json() -> Json<Value> {
    let routes: Vec<Value> = crate::openapi::ROUTES
        .iter()
        .map(|r| json!({"path": r.path, "summary": r.summary}))
        .collect();
    Json(json!({
        "name": "wellspring",
        "version": env!("CARGO_PKG_VERSION"),
        "dashboard": "/",
        "openapi": "/openapi.json",
        "routes": routes,
    }))
}

/// `/` with the dashboard.
pub(crate) async fn index(headers: HeaderMap) -> Response {
    if wants_json(&headers) {
        return index_json().into_response();
    }
    static_file(INDEX_HTML, "text/html; charset=utf-8")
}

/// `/` where the dashboard is served on the admin listener: the JSON index only.
pub(crate) async fn index_only() -> Json<Value> {
    index_json()
}

pub(crate) async fn script() -> Response {
    static_file(DASHBOARD_JS, "text/javascript; charset=utf-8")
}

pub(crate) async fn style() -> Response {
    static_file(DASHBOARD_CSS, "text/css; charset=utf-8")
}

fn static_file(body: &'static str, kind: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// Thumbnails shown per camera group.
const THUMBNAILS_PER_GROUP: usize = 4;

/// The newest public regions of each camera group, as `data:image/png;base64,...` URLs;
/// groups fed only by private feeds show none.
pub(crate) async fn thumbnails(State(state): State<AppState>) -> Json<Value> {
    use base64::Engine as _;
    let Some(camera) = &state.camera else {
        return Json(json!({"region_size": null, "groups": {}}));
    };
    let size = camera.config().region_size;
    let groups: serde_json::Map<String, Value> = camera
        .buffers()
        .newest_public(THUMBNAILS_PER_GROUP)
        .into_iter()
        .map(|(group, regions)| {
            let urls: Vec<String> = regions
                .iter()
                .filter_map(|r| r.to_png(size))
                .map(|png| {
                    let encoded = base64::engine::general_purpose::STANDARD.encode(png);
                    format!("data:image/png;base64,{encoded}")
                })
                .collect();
            (group, json!(urls))
        })
        .collect();
    Json(json!({"region_size": size, "groups": groups}))
}
