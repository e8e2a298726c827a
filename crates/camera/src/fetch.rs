//! Fetching one snapshot over HTTP(S): a whole-request timeout (a server that trickles bytes
//! forever is cut off), a body size cap enforced while reading (an endless body stops at the
//! cap), status 200 required, and the fetch's duration recorded, because network timing
//! jitter is itself one of the LiveCam inputs.
//!
//! A feed is untrusted, and so are its redirects: no redirect is followed automatically. At
//! most [`MAX_REDIRECTS`] are followed by hand, each only if it stays on the configured host
//! or goes to a host whose every address is public, never from `https` to `http`, and never to
//! a loopback, private, link-local or unspecified address unless the configured URL's host is
//! that host. The address check happens in the resolver, on the very addresses that are then
//! connected to, so a name that re-resolves to an internal address (DNS rebinding) is refused
//! too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// Most redirects followed for one snapshot.
pub const MAX_REDIRECTS: usize = 3;

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
    /// Any status other than 200 (a redirect that is not followed included).
    #[error("HTTP status {0}")]
    Status(u16),
    /// The body passed the size cap.
    #[error("body larger than {0} bytes")]
    TooLarge(u64),
    /// The request did not finish within the timeout.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// A redirect that is not followed: too many, a downgrade to `http`, another host with a
    /// non-public address, or no usable `Location`.
    #[error("redirect refused: {0}")]
    Redirect(String),
    /// Connection or protocol failure.
    #[error("{0}")]
    Network(String),
}

/// Whether `ip` is an address on the public internet: not loopback, private (RFC 1918, IPv6
/// unique-local `fc00::/7`), link-local (`169.254/16`, `fe80::/10`), unspecified, shared
/// (carrier-grade NAT `100.64/10`), broadcast, multicast or documentation space. IPv6
/// addresses that embed an IPv4 one (mapped, compatible, NAT64, 6to4) are judged by it.
///
/// ```
/// use wellspring_camera::fetch::is_public;
/// assert!(is_public("8.8.8.8".parse().unwrap()));
/// assert!(!is_public("192.168.1.20".parse().unwrap()));
/// assert!(!is_public("::1".parse().unwrap()));
/// ```
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    // IPv4-compatible (deprecated) ::a.b.c.d, and NAT64 64:ff9b::a.b.c.d.
    if s[..6] == [0; 6] && !(ip.is_unspecified() || ip.is_loopback()) {
        return is_public_v4(embedded(s[6], s[7]));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(embedded(s[6], s[7]));
    }
    // 6to4 2002:a.b.c.d::/48.
    if s[0] == 0x2002 {
        return is_public_v4(embedded(s[1], s[2]));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8)) // documentation
}

/// A resolver that refuses non-public addresses for one host (the target of a redirect to
/// another host, or any redirect when the configured host is public), recording why.
#[derive(Debug)]
struct GuardedResolver {
    /// The host whose addresses must all be public; `None` allows anything.
    guarded_host: Option<String>,
    refused: Arc<Mutex<Option<String>>>,
}

impl Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = DefaultResolver::default().resolve(uri, config, timeout)?;
        // A proxy's own address is not the redirect target; only the target is checked.
        let host = uri.host().map(normalize_host);
        if let (Some(guarded), Some(host)) = (&self.guarded_host, host)
            && *guarded == host
            && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip()))
        {
            let why = format!("{host} resolves to non-public address {}", bad.ip());
            *self.refused.lock().unwrap_or_else(|p| p.into_inner()) = Some(why.clone());
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                why,
            )));
        }
        Ok(addrs)
    }
}

/// A host name compared case-insensitively, IPv6 brackets and a trailing dot dropped.
fn normalize_host(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// Whether a host is (or, for a name, resolves only to) public addresses. A host that cannot
/// be resolved counts as not public.
fn host_is_public(host: &str, port: u16) -> bool {
    use std::net::ToSocketAddrs;
    if let Ok(ip) = host.parse::<IpAddr>() {
        return is_public(ip);
    }
    match (host, port).to_socket_addrs() {
        Ok(addrs) => {
            let addrs: Vec<_> = addrs.collect();
            !addrs.is_empty() && addrs.iter().all(|a| is_public(a.ip()))
        }
        Err(_) => false,
    }
}

/// `location` resolved against `base` (absolute, scheme-relative, absolute-path or relative).
fn join(base: &Uri, location: &str) -> Result<Uri, String> {
    let location = location.trim();
    let scheme = base.scheme_str().unwrap_or("http");
    let authority = base.authority().map_or("", |a| a.as_str());
    let has_scheme = location.split_once("://").is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let joined = if has_scheme {
        location.to_string()
    } else if let Some(rest) = location.strip_prefix("//") {
        format!("{scheme}://{rest}")
    } else if location.starts_with('/') {
        format!("{scheme}://{authority}{location}")
    } else {
        let path = base.path();
        let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        let dir = if dir.is_empty() { "/" } else { dir };
        format!("{scheme}://{authority}{dir}{location}")
    };
    joined
        .parse::<Uri>()
        .map_err(|e| format!("bad Location {location:?}: {e}"))
}

/// Where a redirect from `current` to `location` leads, refusing schemes other than `http` and
/// `https` and any downgrade from `https` to `http`.
fn redirect_target(current: &Uri, location: &str) -> Result<Uri, FetchError> {
    let next = join(current, location).map_err(FetchError::Redirect)?;
    let scheme = next.scheme_str().unwrap_or("");
    if !matches!(scheme, "http" | "https") {
        return Err(FetchError::Redirect(format!("to scheme {scheme:?}")));
    }
    if current.scheme_str() == Some("https") && scheme == "http" {
        return Err(FetchError::Redirect(format!("https downgraded to {next}")));
    }
    Ok(next)
}

/// GETs `url` with `timeout` for the whole exchange (redirects included) and at most
/// `max_bytes` of body, following at most [`MAX_REDIRECTS`] redirects under the rules of the
/// module documentation.
pub fn fetch(url: &str, timeout: Duration, max_bytes: u64) -> Result<Fetched, FetchError> {
    let start = Instant::now();
    let classify = |e: ureq::Error| match e {
        ureq::Error::Timeout(_) => FetchError::Timeout(timeout),
        ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge(max_bytes),
        other => FetchError::Network(other.to_string()),
    };
    let first: Uri = url
        .parse()
        .map_err(|e| FetchError::Network(format!("bad URL {url:?}: {e}")))?;
    let origin_host = first.host().map(normalize_host).unwrap_or_default();
    let origin_port = first
        .port_u16()
        .unwrap_or(if first.scheme_str() == Some("https") {
            443
        } else {
            80
        });
    // Lazily: only a redirect needs to know whether the configured host is public.
    let mut origin_public: Option<bool> = None;
    let mut current = first;
    let mut guarded_host: Option<String> = None;
    for hop in 0..=MAX_REDIRECTS {
        let remaining = timeout
            .checked_sub(start.elapsed())
            .filter(|d| !d.is_zero())
            .ok_or(FetchError::Timeout(timeout))?;
        let refused = Arc::new(Mutex::new(None));
        let config = ureq::Agent::config_builder()
            // Never through a proxy from the environment: through one, only the proxy's
            // address is resolved here, and the redirect guard would not see the target.
            .proxy(None)
            .timeout_global(Some(remaining))
            .http_status_as_error(false)
            .max_redirects(0)
            .build();
        let resolver = GuardedResolver {
            guarded_host: guarded_host.clone(),
            refused: Arc::clone(&refused),
        };
        let agent = ureq::Agent::with_parts(config, DefaultConnector::default(), resolver);
        let response = agent.get(current.clone()).call().map_err(|e| {
            match refused.lock().unwrap_or_else(|p| p.into_inner()).take() {
                Some(why) => FetchError::Redirect(why),
                None => classify(e),
            }
        });
        let mut response = response?;
        let status = response.status().as_u16();
        if matches!(status, 301 | 302 | 303 | 307 | 308) {
            if hop == MAX_REDIRECTS {
                return Err(FetchError::Redirect(format!(
                    "more than {MAX_REDIRECTS} redirects"
                )));
            }
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| FetchError::Redirect(format!("status {status} without Location")))?;
            let next = redirect_target(&current, location)?;
            let host = next.host().map(normalize_host).unwrap_or_default();
            let same_host = host == origin_host;
            let public_origin =
                *origin_public.get_or_insert_with(|| host_is_public(&origin_host, origin_port));
            // Another host must be public; the configured host is allowed its own addresses
            // only if they were not public to begin with (a camera on the LAN), otherwise it
            // too must stay public (no rebinding to an internal address mid-chain).
            guarded_host = if same_host && !public_origin {
                None
            } else {
                Some(host)
            };
            current = next;
            continue;
        }
        if status != 200 {
            return Err(FetchError::Status(status));
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(max_bytes)
            .read_to_vec()
            .map_err(classify)?;
        return Ok(Fetched {
            body,
            elapsed_ns: start.elapsed().as_nanos() as u64,
        });
    }
    unreachable!("the loop returns on its last hop")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_classified() {
        for private in [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "10.255.255.255",
            "172.16.0.1",
            "172.31.255.254",
            "192.168.0.1",
            "192.168.178.20",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "64:ff9b::a9fe:a9fe",
            "2002:c0a8:0101::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn locations_are_joined() {
        let base: Uri = "http://cam.example:8080/a/b.jpg?x=1".parse().unwrap();
        let j = |l| join(&base, l).unwrap().to_string();
        assert_eq!(j("https://other/x.jpg"), "https://other/x.jpg");
        assert_eq!(j("//other/x.jpg"), "http://other/x.jpg");
        assert_eq!(j("/x.jpg"), "http://cam.example:8080/x.jpg");
        assert_eq!(j("c.jpg"), "http://cam.example:8080/a/c.jpg");
        assert_eq!(j("/x/http://y/z"), "http://cam.example:8080/x/http://y/z");
    }

    #[test]
    fn downgrades_and_other_schemes_are_refused() {
        let https: Uri = "https://cam.example/snap.jpg".parse().unwrap();
        let http: Uri = "http://cam.example/snap.jpg".parse().unwrap();
        for bad in ["http://cam.example/x.jpg", "file:///etc/passwd"] {
            assert!(
                matches!(redirect_target(&https, bad), Err(FetchError::Redirect(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            redirect_target(&http, "ftp://cam.example/x"),
            Err(FetchError::Redirect(_))
        ));
        assert_eq!(
            redirect_target(&http, "https://cam.example/x.jpg")
                .unwrap()
                .to_string(),
            "https://cam.example/x.jpg"
        );
        assert_eq!(
            redirect_target(&https, "/y.jpg").unwrap().to_string(),
            "https://cam.example/y.jpg"
        );
    }
}
