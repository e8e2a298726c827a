//! The API's error shape: `{"success": false, "error": "..."}` with the right status.
//!
//! Handlers answer [`ApiError`]; [`json_errors`] wraps the whole router so that every other
//! error response too (an extractor's rejection, a layer's plain-text answer) leaves the
//! server in that shape, keeping its status and headers (`Allow`, `Retry-After`, ...).
//! Only what hyper answers itself before a request reaches the router (431 for an
//! oversized head, 400 for an unparsable one) has no JSON body.

use axum::Json;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Longest plain-text error body carried over into the JSON `error`.
const MAX_MESSAGE: usize = 1024;

/// An error answered with a JSON body.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    /// Seconds for a `Retry-After` header.
    pub(crate) retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// Adds a `Retry-After` header of `seconds`.
    pub(crate) fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(json!({"success": false, "error": self.message})),
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        }
        response
    }
}

/// Middleware: turns any 4xx or 5xx response that is not JSON into the API's error shape,
/// using its plain-text body (or the status's reason) as the message.
pub(crate) async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_MESSAGE)
        .await
        .ok()
        .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
        .map(|text| text.trim().to_owned())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("request failed")
            .to_lowercase()
    } else {
        text
    };
    let mut json = ApiError::new(status, message).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            json.headers_mut().append(name.clone(), value.clone());
        }
    }
    json
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::extract::Path;
    use axum::http::{Request, StatusCode, header};
    use axum::middleware;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn call(uri: &str) -> (StatusCode, Option<String>, serde_json::Value) {
        let router = Router::new()
            .route(
                "/n/{n}",
                get(|Path(n): Path<u32>| async move { n.to_string() }),
            )
            .route(
                "/busy",
                get(|| async { (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", "3")]) }),
            )
            .layer(middleware::from_fn(super::json_errors));
        let response = router
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let retry = response
            .headers()
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (
            status,
            retry,
            serde_json::from_slice(&bytes).unwrap_or_default(),
        )
    }

    #[tokio::test]
    async fn rejections_and_bare_errors_become_json_and_keep_status_and_headers() {
        let (status, _, json) = call("/n/abc").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(json["success"], false);
        assert!(json["error"].as_str().unwrap().contains("parse"), "{json}");
        let (status, retry, json) = call("/busy").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry.as_deref(), Some("3"));
        assert_eq!(json["error"], "service unavailable");
        // Successes pass untouched.
        let (status, _, json) = call("/n/7").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(json, 7);
    }
}
