//! Request tracing: tower-http's layer, with failures logged at a level that says what they
//! mean. A 503 is the service saying "no output now" (credit short, sources quarantined, a
//! connection or stream cap reached): the engine logs the cause once at WARN, and each refused
//! request is logged at INFO, not ERROR, so a refusal under load does not flood an operator's
//! error log. Every other server error (500, a failed body) stays at ERROR.

use std::time::Duration;

use axum::http::StatusCode;
use tower_http::classify::{ServerErrorsAsFailures, ServerErrorsFailureClass, SharedClassifier};
use tower_http::trace::{OnFailure, TraceLayer};
use tracing::{Level, Span};

/// The level a failed response is logged at.
pub(crate) fn failure_level(class: &ServerErrorsFailureClass) -> Level {
    match class {
        ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE) => Level::INFO,
        _ => Level::ERROR,
    }
}

/// Logs a failed response at [`failure_level`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LogFailure;

impl OnFailure<ServerErrorsFailureClass> for LogFailure {
    fn on_failure(&mut self, class: ServerErrorsFailureClass, latency: Duration, _span: &Span) {
        let latency_ms = latency.as_millis() as u64;
        if failure_level(&class) == Level::INFO {
            tracing::info!(classification = %class, latency_ms, "no output for this request");
        } else {
            tracing::error!(classification = %class, latency_ms, "response failed");
        }
    }
}

/// The tracing layer every listener uses.
pub(crate) fn layer() -> TraceLayer<
    SharedClassifier<ServerErrorsAsFailures>,
    tower_http::trace::DefaultMakeSpan,
    tower_http::trace::DefaultOnRequest,
    tower_http::trace::DefaultOnResponse,
    tower_http::trace::DefaultOnBodyChunk,
    tower_http::trace::DefaultOnEos,
    LogFailure,
> {
    TraceLayer::new_for_http().on_failure(LogFailure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_503_is_logged_below_error_and_other_failures_are_not() {
        let unavailable = ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE);
        let internal = ServerErrorsFailureClass::StatusCode(StatusCode::INTERNAL_SERVER_ERROR);
        let broken = ServerErrorsFailureClass::Error("body failed".into());
        assert_eq!(failure_level(&unavailable), Level::INFO);
        assert_eq!(failure_level(&internal), Level::ERROR);
        assert_eq!(failure_level(&broken), Level::ERROR);
    }
}
