//! Shared state of the handlers: the backend, the raw switch, metrics and the rate limiter.

use std::sync::Arc;

use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::reservoir::Backend;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub(crate) backend: Arc<dyn Backend>,
    pub(crate) allow_raw: bool,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) limiter: Option<Arc<RateLimiter>>,
}

impl AppState {
    /// State over `backend`.
    pub fn new(backend: Arc<dyn Backend>, allow_raw: bool, rate_limit: Option<f64>) -> Self {
        AppState {
            backend,
            allow_raw,
            metrics: Arc::new(Metrics::default()),
            limiter: rate_limit.map(|r| Arc::new(RateLimiter::new(r))),
        }
    }
}
