//! `/API/jsonI.php` (the legacy ANU QRNG API, exactly) and `/api/v1/random` (the same shapes
//! plus `conditioning` and `raw`). The legacy route ignores query parameters it does not
//! know, as ANU does; the versioned one rejects them (see [`crate::query`]).

use std::net::IpAddr;
use std::time::Instant;

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use wellspring_core::pool::Conditioning;

use crate::error::ApiError;
use crate::query::{Params, Unknown, get, integer, parse, printable};
use crate::ratelimit::{ClientKey, Reserved};
use crate::state::AppState;

/// Largest `length` and `size` (the ANU API's limits).
const MAX_LENGTH: usize = 1024;

#[derive(Clone, Copy)]
enum Kind {
    Uint8,
    Uint16,
    Hex16,
}

pub(crate) async fn legacy(
    State(state): State<AppState>,
    Extension(client): Extension<ClientKey>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let params = parse(
        query.as_deref(),
        &["length", "type", "size"],
        Unknown::Ignore,
    )?;
    respond(&state, client, &params, Conditioning::Drbg).await
}

pub(crate) async fn v1(
    State(state): State<AppState>,
    Extension(client): Extension<ClientKey>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let params = parse(
        query.as_deref(),
        &["length", "type", "size", "conditioning", "raw"],
        Unknown::Reject,
    )?;
    let raw = match get(&params, "raw") {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "parameter 'raw' must be true or false, got '{}'",
                printable(other)
            )));
        }
    };
    let mode = match (raw, get(&params, "conditioning")) {
        // Refused first, so no combination of parameters reaches raw output undisabled.
        (true, _) if !state.allow_raw => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "raw output is disabled; start the server with --allow-raw",
            ));
        }
        (true, Some(_)) => {
            return Err(ApiError::bad_request(
                "parameter 'conditioning' cannot be combined with raw=true",
            ));
        }
        (true, None) => Conditioning::Raw,
        (false, None) => Conditioning::Drbg,
        // Raw output is asked for with raw=true, never through `conditioning`.
        (false, Some(name)) => match name.parse::<Conditioning>() {
            Ok(mode) if mode != Conditioning::Raw => mode,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "parameter 'conditioning' must be drbg or sha256, got '{}'",
                    printable(name)
                )));
            }
        },
    };
    respond(&state, client, &params, mode).await
}

async fn respond(
    state: &AppState,
    ClientKey(client): ClientKey,
    params: &Params,
    mode: Conditioning,
) -> Result<Response, ApiError> {
    let length = integer(params, "length", 1..=MAX_LENGTH, None)?;
    let kind = match get(params, "type") {
        Some("uint8") => Kind::Uint8,
        Some("uint16") => Kind::Uint16,
        Some("hex16") => Kind::Hex16,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "parameter 'type' must be uint8, uint16 or hex16, got '{}'",
                printable(other)
            )));
        }
        None => {
            return Err(ApiError::bad_request(
                "parameter 'type' is required (uint8, uint16 or hex16)",
            ));
        }
    };
    // ANU clients (e.g. the `quantumrandom` package) send `size` with every type; it is
    // checked everywhere and used only by hex16, as the ANU service does.
    let size = integer(params, "size", 1..=MAX_LENGTH, Some(1))?;
    let bytes_needed = match kind {
        Kind::Uint8 => length,
        Kind::Uint16 => 2 * length,
        Kind::Hex16 => length * size,
    };
    if let Some(max) = state.max_request_bytes
        && bytes_needed > max
    {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "{bytes_needed} random bytes in one request is more than this server serves at \
                 once; ask for at most {max} (length x size for hex16)"
            ),
        ));
    }
    // Charged before generating, so concurrent large requests are limited like a sequence.
    let reserved = response_bound(kind, length, size);
    reserve(state, client, reserved)?;
    if mode == Conditioning::Sha256
        && let Err(e) = fair_share(state, client, bytes_needed)
    {
        unreserve(state, client, reserved);
        return Err(e);
    }
    let bytes = match take(state, mode, bytes_needed).await {
        Ok(bytes) => bytes,
        Err(e) => {
            if mode == Conditioning::Sha256 {
                state.fair.refund(client, bytes_needed as u64);
            }
            unreserve(state, client, reserved);
            return Err(e);
        }
    };
    state.metrics.served(mode, bytes.len());
    let body = match kind {
        Kind::Uint8 => super::body::uint8(&bytes),
        Kind::Uint16 => super::body::uint16(&bytes),
        Kind::Hex16 => super::body::hex16(&bytes, size),
    };
    debug_assert!(body.len() as u64 <= reserved);
    let mut response = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    response.extensions_mut().insert(Reserved);
    Ok(response)
}

/// The longest a response of `length` values can be: each uint8 at most "255," and each
/// uint16 "65535,"; each hex16 string two digits a byte, quotes and a comma; and the
/// envelope's fields.
fn response_bound(kind: Kind, length: usize, size: usize) -> u64 {
    const ENVELOPE: usize = 128;
    let per_value = match kind {
        Kind::Uint8 => 4,
        Kind::Uint16 => 6,
        Kind::Hex16 => 2 * size + 3,
    };
    (ENVELOPE + length * per_value) as u64
}

/// Reserves a response of up to `bytes` against the client's rate limit, or refuses with
/// 429 when another response has left it in debt.
fn reserve(state: &AppState, client: IpAddr, bytes: u64) -> Result<(), ApiError> {
    let Some(limiter) = &state.limiter else {
        return Ok(());
    };
    limiter.reserve(client, bytes).map_err(|seconds| {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded").retry_after(seconds)
    })
}

/// Gives back a reservation whose response is not served.
fn unreserve(state: &AppState, client: IpAddr, bytes: u64) {
    if let Some(limiter) = &state.limiter {
        limiter.refund(client, bytes);
    }
}

/// Counts `n` bytes of full-entropy output against `client`'s fair share (see
/// [`crate::fairshare`]), or refuses with 429.
fn fair_share(state: &AppState, client: IpAddr, n: usize) -> Result<(), ApiError> {
    let now = Instant::now();
    if state.fair.wants_rate_sample(now) {
        state
            .fair
            .sample_blocks(now, state.backend.status().blocks_produced);
    }
    state.fair.admit(client, n as u64, now).map_err(|seconds| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "this client has had its share of full-entropy output for now; retry in \
                 {seconds} s, or use conditioning=drbg for bulk output"
            ),
        )
        .retry_after(seconds)
    })
}

/// Largest full-entropy (`sha256`) request that may wait for blocks to be made. Larger ones
/// are served only from blocks already in the reservoir, and otherwise fail at once: a
/// request for a megabyte of full entropy would pin a blocking thread for seconds and take
/// everything the harvesters make meanwhile from every other client.
pub(crate) const MAX_WAITING_SHA256_BYTES: usize = 1024;

pub(crate) async fn take(
    state: &AppState,
    mode: Conditioning,
    n: usize,
) -> Result<Vec<u8>, ApiError> {
    if mode == Conditioning::Sha256
        && let Some(max) = state.backend.max_full_entropy_bytes()
        && n > max
    {
        // Never servable: "try again" would be a lie.
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "{n} bytes of full-entropy output can never be ready at once: the reservoir \
                 holds at most {max} bytes; ask for at most {max}, or use conditioning=drbg \
                 for bulk output"
            ),
        ));
    }
    if let Some(bytes) = state.backend.try_take(mode, n) {
        return Ok(bytes);
    }
    if mode == Conditioning::Sha256 && n > MAX_WAITING_SHA256_BYTES {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "{n} bytes of full-entropy output are not ready; requests over \
                 {MAX_WAITING_SHA256_BYTES} bytes are served only from blocks already made \
                 (try again shortly, or use conditioning=drbg for bulk output)"
            ),
        )
        .retry_after(1));
    }
    let backend = state.backend.clone();
    tokio::task::spawn_blocking(move || backend.take(mode, n))
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("generator task failed: {e}"),
            )
        })?
        .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))
}
