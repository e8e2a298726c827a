//! Shared state of the handlers: the backend, the raw switch, metrics, the rate limiter and
//! the LiveCam generator (with its camera, when one is configured).

use std::sync::Arc;

use wellspring_camera::{Camera, LiveCam, SystemClock};

use tokio::sync::Semaphore;

use crate::fairshare::FairShare;
use crate::host::AllowedHosts;
use crate::metrics::Metrics;
use crate::ratelimit::{Cidr, RateLimiter};
use crate::reservoir::Backend;
use crate::routes::{Previews, StatusFeed};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub(crate) backend: Arc<dyn Backend>,
    pub(crate) allow_raw: bool,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) limiter: Option<Arc<RateLimiter>>,
    pub(crate) trusted_proxies: Arc<Vec<Cidr>>,
    pub(crate) livecam: Arc<LiveCam>,
    pub(crate) camera: Option<Arc<Camera>>,
    pub(crate) fair: Arc<FairShare>,
    /// The `Host` names the operator routes answer.
    pub(crate) allowed_hosts: Arc<AllowedHosts>,
    /// Permits for `/api/v1/events` streams.
    pub(crate) event_streams: Arc<Semaphore>,
    pub(crate) previews: Arc<Previews>,
    /// The one status a second every event stream sends.
    pub(crate) status_feed: Arc<StatusFeed>,
    /// Most random bytes one request may ask for (`None`: the API's own limit).
    pub(crate) max_request_bytes: Option<usize>,
}

impl AppState {
    /// State over `backend`.
    pub fn new(backend: Arc<dyn Backend>, allow_raw: bool, rate_limit: Option<f64>) -> Self {
        AppState {
            backend,
            allow_raw,
            metrics: Arc::new(Metrics::default()),
            limiter: rate_limit.map(|r| Arc::new(RateLimiter::new(r))),
            trusted_proxies: Arc::new(Vec::new()),
            livecam: Arc::new(LiveCam::new(None, None, Arc::new(SystemClock::default()))),
            camera: None,
            fair: Arc::new(FairShare::default()),
            allowed_hosts: Arc::new(AllowedHosts::loopback()),
            event_streams: Arc::new(Semaphore::new(crate::DEFAULT_MAX_EVENT_STREAMS)),
            previews: Arc::new(Previews::default()),
            status_feed: Arc::new(StatusFeed::default()),
            max_request_bytes: None,
        }
    }

    /// Refuses requests for more than `max` random bytes (413).
    pub fn with_max_request_bytes(mut self, max: Option<usize>) -> Self {
        self.max_request_bytes = max;
        self
    }

    /// Allows at most `n` concurrent `/api/v1/events` streams.
    pub fn with_event_streams(mut self, n: usize) -> Self {
        self.event_streams = Arc::new(Semaphore::new(n));
        self
    }

    /// Takes the client address from `X-Forwarded-For` when the peer is one of `proxies`.
    pub fn with_trusted_proxies(mut self, proxies: Vec<Cidr>) -> Self {
        self.trusted_proxies = Arc::new(proxies);
        self
    }

    /// Answers the operator routes only for a `Host` that `hosts` allows (else 421).
    pub(crate) fn with_allowed_hosts(mut self, hosts: AllowedHosts) -> Self {
        self.allowed_hosts = Arc::new(hosts);
        self
    }

    /// Uses `camera`'s regions and network timings in `/rng` and reports it in `/health`.
    pub fn with_camera(mut self, camera: Option<Arc<Camera>>) -> Self {
        if let Some(camera) = &camera {
            self.livecam = Arc::new(camera.livecam());
        }
        self.camera = camera;
        self
    }
}
