//! The `Host` allow-list of the operator routes (`--allowed-host`): the guard against DNS
//! rebinding.
//!
//! A page the operator visits can point its own name at 127.0.0.1 (or at the admin
//! listener's address) and then read that address as its own origin: the browser sends the
//! page's name in `Host`, not the server's. So the operator routes (pool status, sources,
//! metrics, the event stream, previews, thumbnails and the dashboard) answer only a request
//! whose `Host` is allowed, and anything else with `421 Misdirected Request`:
//!
//! - **Allowed by default:** `localhost`, `127.0.0.1`, `::1` (`[::1]` in a `Host`), and the
//!   literal address the routes' listener is bound to unless it is `0.0.0.0` or `::`.
//!   `--allowed-host` adds names; `*` (or `any`) turns the check off, for a proxy that
//!   rewrites `Host` and checks it itself.
//! - **Compared as names:** the port is ignored (`localhost:8080`, `[::1]:9042`), case is
//!   ignored, one trailing dot is dropped, and addresses are compared in their canonical
//!   form (`[0:0:0:0:0:0:0:1]` is `::1`).
//! - **Missing, repeated or unparsable `Host`** (or an absolute request target naming another
//!   host) is refused.
//!
//! The random routes, `/health` and `/ready` are never checked: they are served to the world
//! under any name.

use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Names always allowed: the loopback interface under its usual names.
const LOOPBACK: &[&str] = &["localhost", "127.0.0.1", "::1"];

/// Longest `Host` value repeated in an error message.
const MAX_SHOWN: usize = 100;

/// Which `Host` names the operator routes answer.
#[derive(Debug, Clone)]
pub(crate) struct AllowedHosts {
    /// Canonical names (see [`canonical`]); `None` allows any `Host`.
    names: Option<Vec<String>>,
}

impl AllowedHosts {
    /// The loopback names only.
    pub(crate) fn loopback() -> Self {
        AllowedHosts {
            names: Some(LOOPBACK.iter().map(|n| (*n).to_owned()).collect()),
        }
    }

    /// The loopback names, `bound` unless it is the unspecified address, and `extra`; any
    /// `Host` when `extra` holds `*` or `any`. An entry that is no host name or address is
    /// the error, as given.
    pub(crate) fn new(extra: &[String], bound: Option<IpAddr>) -> Result<Self, String> {
        if extra.iter().any(|e| is_wildcard(e)) {
            return Ok(AllowedHosts { names: None });
        }
        let mut hosts = AllowedHosts::loopback();
        let names = hosts.names.get_or_insert_with(Vec::new);
        if let Some(ip) = bound.filter(|ip| !ip.is_unspecified()) {
            names.push(ip.to_string());
        }
        for entry in extra {
            names.push(canonical(entry).ok_or_else(|| entry.clone())?);
        }
        names.sort();
        names.dedup();
        Ok(hosts)
    }

    /// Whether a `Host` value (with or without a port) names an allowed host.
    pub(crate) fn allows(&self, host: &str) -> bool {
        match &self.names {
            None => true,
            Some(names) => canonical(host).is_some_and(|name| names.contains(&name)),
        }
    }

    /// `Ok` when `request` may reach an operator route, else the error to answer.
    fn check(&self, request: &Request) -> Result<(), ApiError> {
        if self.names.is_none() {
            return Ok(());
        }
        let mut values = request.headers().get_all(header::HOST).iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            return Err(refusal("a request needs exactly one Host header"));
        };
        let Ok(host) = value.to_str() else {
            return Err(refusal("this Host is not allowed"));
        };
        if !self.allows(host) {
            return Err(refusal(&not_allowed(host)));
        }
        // An absolute target (`GET http://name/ HTTP/1.1`) names the host that counts.
        match request.uri().authority() {
            Some(authority) if !self.allows(authority.as_str()) => {
                Err(refusal(&not_allowed(authority.as_str())))
            }
            _ => Ok(()),
        }
    }
}

/// An `--allowed-host` entry, as given, if it is a host name, an address (an IPv6 one bare
/// or bracketed, a port ignored), `*` or `any`; else the error to show.
pub fn parse_allowed_host(entry: &str) -> Result<String, String> {
    if is_wildcard(entry) || canonical(entry).is_some() {
        Ok(entry.to_owned())
    } else {
        Err(format!(
            "'{entry}' is not a host name or address (or * for any)"
        ))
    }
}

/// `*` or `any`: no check at all.
fn is_wildcard(entry: &str) -> bool {
    let entry = entry.trim();
    entry == "*" || entry.eq_ignore_ascii_case("any")
}

/// "Host '...' is not allowed", the host shown when it is short.
fn not_allowed(host: &str) -> String {
    if host.len() <= MAX_SHOWN {
        format!("Host '{host}' is not allowed")
    } else {
        "this Host is not allowed".to_owned()
    }
}

/// The 421 for a `Host` that is missing or not allowed, `why` first.
fn refusal(why: &str) -> ApiError {
    ApiError::new(
        StatusCode::MISDIRECTED_REQUEST,
        format!(
            "{why} on the operator routes (a guard against DNS rebinding): they answer \
             loopback names and the listener's own address; name others with --allowed-host"
        ),
    )
}

/// Middleware for the operator routes: passes a request whose `Host` is allowed, answers
/// any other 421.
pub(crate) async fn check(
    State(hosts): State<Arc<AllowedHosts>>,
    request: Request,
    next: Next,
) -> Response {
    match hosts.check(&request) {
        Ok(()) => next.run(request).await,
        Err(error) => {
            tracing::debug!(host = ?request.headers().get(header::HOST), "Host refused");
            error.into_response()
        }
    }
}

/// The comparable form of a host, from a `Host` value or an `--allowed-host` entry: without
/// its port and IPv6 brackets, lowercase, without one trailing dot, addresses canonical;
/// `None` when it is neither a host name nor an address.
pub(crate) fn canonical(host: &str) -> Option<String> {
    let host = host.trim();
    if let Some(rest) = host.strip_prefix('[') {
        // `[v6]` or `[v6]:port`.
        let (inside, after) = rest.split_once(']')?;
        if !after.is_empty() && !after.strip_prefix(':').is_some_and(is_port) {
            return None;
        }
        return inside.parse::<Ipv6Addr>().ok().map(|ip| ip.to_string());
    }
    let name = match host.matches(':').count() {
        0 => host,
        1 => {
            let (name, port) = host.split_once(':')?;
            if !is_port(port) {
                return None;
            }
            name
        }
        // A bare IPv6 address (an `--allowed-host ::1`): no port to strip.
        _ => return host.parse::<Ipv6Addr>().ok().map(|ip| ip.to_string()),
    };
    let name = name.strip_suffix('.').unwrap_or(name);
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if !valid {
        return None;
    }
    match name.parse::<IpAddr>() {
        Ok(ip) => Some(ip.to_string()),
        Err(_) => Some(name.to_ascii_lowercase()),
    }
}

/// Digits only (an empty port, `host:`, is allowed by RFC 3986).
fn is_port(port: &str) -> bool {
    port.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> AllowedHosts {
        AllowedHosts::new(&[], None).unwrap()
    }

    #[test]
    fn ports_brackets_case_and_trailing_dots_are_ignored() {
        assert_eq!(canonical("localhost:8080").as_deref(), Some("localhost"));
        assert_eq!(canonical("LocalHost").as_deref(), Some("localhost"));
        assert_eq!(canonical("localhost.").as_deref(), Some("localhost"));
        assert_eq!(canonical("localhost:").as_deref(), Some("localhost"));
        assert_eq!(canonical("[::1]:9042").as_deref(), Some("::1"));
        assert_eq!(canonical("[::1]").as_deref(), Some("::1"));
        assert_eq!(canonical("::1").as_deref(), Some("::1"));
        assert_eq!(canonical("[0:0:0:0:0:0:0:1]").as_deref(), Some("::1"));
        assert_eq!(
            canonical("[2001:DB8::A]:80").as_deref(),
            Some("2001:db8::a")
        );
        assert_eq!(canonical("127.0.0.1:8042").as_deref(), Some("127.0.0.1"));
        assert_eq!(
            canonical("Admin.Example:443").as_deref(),
            Some("admin.example")
        );
    }

    #[test]
    fn what_is_no_host_is_refused() {
        for bad in [
            "",
            ":80",
            "[::1",
            "[::1]x",
            "[::1]:x",
            "[evil.example]",
            "a:b:c",
            "localhost:80x",
            "user@localhost",
            "local host",
            "evil.example/x",
            "localhost:80:80",
        ] {
            assert_eq!(canonical(bad), None, "{bad:?}");
            assert!(!defaults().allows(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_default_is_the_loopback_names() {
        let hosts = defaults();
        for good in [
            "localhost",
            "localhost:8080",
            "LOCALHOST:9042",
            "127.0.0.1",
            "127.0.0.1:9042",
            "[::1]:9042",
            "[::1]",
        ] {
            assert!(hosts.allows(good), "{good}");
        }
        for bad in [
            "evil.example",
            "evil.example:9042",
            "EVIL.EXAMPLE",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "10.0.0.5",
            "[::2]",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
    }

    #[test]
    fn the_bound_address_is_allowed_unless_unspecified() {
        let bound = AllowedHosts::new(&[], Some("10.0.0.5".parse().unwrap())).unwrap();
        assert!(bound.allows("10.0.0.5:9042"));
        assert!(!bound.allows("10.0.0.6"));
        let bound6 = AllowedHosts::new(&[], Some("fd00::5".parse().unwrap())).unwrap();
        assert!(bound6.allows("[FD00::5]:9042"));
        for any in ["0.0.0.0", "::"] {
            let hosts = AllowedHosts::new(&[], Some(any.parse().unwrap())).unwrap();
            assert!(!hosts.allows("0.0.0.0") && !hosts.allows("[::]"), "{any}");
            assert!(hosts.allows("localhost"));
        }
    }

    #[test]
    fn named_hosts_are_added_and_a_wildcard_turns_the_check_off() {
        let extra = vec!["Admin.Example".to_owned(), "[fd00::7]:9042".to_owned()];
        let hosts = AllowedHosts::new(&extra, None).unwrap();
        assert!(hosts.allows("admin.example:9042"));
        assert!(hosts.allows("[fd00::7]"));
        assert!(hosts.allows("localhost"), "the loopback names stay");
        assert!(!hosts.allows("evil.example"));
        for wildcard in ["*", "any", "ANY"] {
            let hosts = AllowedHosts::new(&[wildcard.to_owned()], None).unwrap();
            assert!(hosts.allows("evil.example"), "{wildcard}");
            assert!(hosts.allows(""), "{wildcard}");
        }
        assert_eq!(
            AllowedHosts::new(&["bad/name".to_owned()], None).unwrap_err(),
            "bad/name"
        );
    }
}
