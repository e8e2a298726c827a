//! `/rng`, `/health`, `/sources`, `/pool/status`, `/metrics` and `/openapi.json`.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};
use wellspring_core::engine::EngineStatus;
use wellspring_core::pool::Conditioning;

use super::random::take;
use crate::error::ApiError;
use crate::state::AppState;

/// The LiveCam recipe: one region per camera group (when configured), CPU and network
/// timing jitter, OS randomness, 32 bytes of the pool's DRBG output, a request counter and a
/// timestamp, through HMAC-SHA256 under a rotating session secret; a float in [0, 1) from 53
/// bits (never 1.0).
pub(crate) async fn rng(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let pool = take(&state, Conditioning::Drbg, 32).await?;
    let random = state.livecam.next_f64_with(&pool);
    Ok(Json(json!({"random": random})))
}

/// Readiness for load balancers and orchestrators: 200 while some source earns credit
/// (output can be backed), 503 otherwise. `/health` answers 200 in both cases and says
/// `failed` in its body, which a status-code-only probe cannot read.
pub(crate) async fn ready(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let status = state.backend.status();
    let credited = status.credited_sources();
    if credited == 0 {
        return Err(ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "no source earns entropy credit: sources not yet assessed, or quarantined",
        ));
    }
    Ok(Json(json!({"ready": true, "credited_sources": credited})))
}

/// `ok`, `degraded` or `failed`. `degraded` means credited capacity is reduced: a source
/// that could earn credit here is quarantined. A source whose full-size figure is too weak to
/// credit on this machine earns nothing whether or not its health tests pass, so its
/// quarantines are not a reason (they are reported in `/sources` and the dashboard).
pub(crate) async fn health(State(state): State<AppState>) -> Json<Value> {
    let status = state.backend.status();
    let reasons: Vec<String> = status
        .sources
        .iter()
        .filter(|s| s.quarantined && !s.too_weak)
        .map(|s| {
            format!(
                "{} quarantined: {}",
                s.name,
                s.last_error.as_deref().unwrap_or("failed a health test")
            )
        })
        .collect();
    let verdict = if status.credited_sources() == 0 {
        "failed"
    } else if !reasons.is_empty() {
        "degraded"
    } else {
        "ok"
    };
    let too_weak: Vec<&str> = status
        .sources
        .iter()
        .filter(|s| s.too_weak)
        .map(|s| s.name)
        .collect();
    let names: Vec<&str> = status.sources.iter().map(|s| s.name).collect();
    let camera = state
        .camera
        .as_ref()
        .map(|c| c.health())
        .unwrap_or_default();
    Json(json!({
        "status": verdict,
        "entropy_sources": names,
        "entropy_mechanisms": state.livecam.mechanisms(),
        "sources_healthy": status.sources_healthy,
        "sources_total": status.sources_total,
        "reasons": reasons,
        "sources_too_weak_here": too_weak,
        "livecam_total_regions": camera.total_regions,
        "livecam_by_continent": camera.by_group,
        "livecam_prefetching": camera.prefetching,
        "livecam_mode": if state.livecam.has_camera() { "camera" } else { "pool" },
    }))
}

pub(crate) async fn sources(State(state): State<AppState>) -> Json<Value> {
    let status = state.backend.status();
    let list: Vec<Value> = status
        .sources
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "category": s.category,
                "available": true,
                "healthy": s.healthy,
                "samples": s.samples,
                "min_entropy": s.min_entropy,
                "last_error": s.last_error,
            })
        })
        .collect();
    Json(json!({"sources": list}))
}

/// The `/pool/status` document (also the data of the event stream's `status` events).
pub(crate) fn pool_document(status: &EngineStatus) -> Value {
    let mut value = serde_json::to_value(status).unwrap_or_else(|_| json!({}));
    if let Some(map) = value.as_object_mut() {
        map.insert("conditioning".into(), json!("drbg"));
    }
    value
}

pub(crate) async fn pool_status(State(state): State<AppState>) -> Json<Value> {
    Json(pool_document(&state.backend.status()))
}

pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let status = state.backend.status();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&status),
    )
}

pub(crate) async fn openapi() -> Json<Value> {
    Json(crate::openapi::document())
}
