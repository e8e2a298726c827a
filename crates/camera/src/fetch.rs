//! Fetching one snapshot over HTTP(S): a whole-request timeout (a server that trickles bytes
//! forever is cut off), a body size cap enforced while reading (an endless body stops at the
//! cap), status 200 required, and the fetch's duration recorded, because network timing
//! jitter is itself one of the LiveCam inputs.

use std::time::{Duration, Instant};

/// A fetched body and how long the request took.
#[derive(Debug)]
pub struct Fetched {
    /// The response body (at most the cap).
    pub body: Vec<u8>,
    /// Wall-clock duration of the request, in nanoseconds.
    pub elapsed_ns: u64,
}

/// Why a fetch was skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// Any status other than 200.
    #[error("HTTP status {0}")]
    Status(u16),
    /// The body passed the size cap.
    #[error("body larger than {0} bytes")]
    TooLarge(u64),
    /// The request did not finish within the timeout.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// Connection or protocol failure.
    #[error("{0}")]
    Network(String),
}

/// GETs `url` with `timeout` for the whole exchange and at most `max_bytes` of body.
pub fn fetch(url: &str, timeout: Duration, max_bytes: u64) -> Result<Fetched, FetchError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(3)
        .build()
        .into();
    let start = Instant::now();
    let classify = |e: ureq::Error| match e {
        ureq::Error::Timeout(_) => FetchError::Timeout(timeout),
        ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge(max_bytes),
        other => FetchError::Network(other.to_string()),
    };
    let mut response = agent.get(url).call().map_err(classify)?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(FetchError::Status(status));
    }
    let body = response
        .body_mut()
        .with_config()
        .limit(max_bytes)
        .read_to_vec()
        .map_err(classify)?;
    Ok(Fetched {
        body,
        elapsed_ns: start.elapsed().as_nanos() as u64,
    })
}
