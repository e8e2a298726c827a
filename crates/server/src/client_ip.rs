//! Who the client is behind trusted proxies: the address the rate limit and the
//! full-entropy fair share are keyed by.
//!
//! A request from a peer outside `--trusted-proxy` is that peer, whatever its headers say.
//! From a trusted proxy, the client is read from the forwarding headers the proxy appended:
//!
//! - **Every header line, in order.** HAProxy's `option forwardfor` appends its own
//!   `X-Forwarded-For` line after any the client sent, so the client's own line comes first
//!   and the proxy's last; reading only the first line let a client name any address. All
//!   lines are joined in order, as RFC 7230 §3.2.2 defines for a repeated list header.
//! - **Right to left, skipping trusted hops.** The right-most hop is what the last trusted
//!   proxy saw; trusted hops before it are proxies too; the first untrusted hop is the client.
//!   Hops left of it were written by the client and are never read.
//! - **`X-Forwarded-For` and RFC 7239 `Forwarded`** (`for=` parameters, quoted or not), with
//!   ports (`192.0.2.1:4711`) and bracketed IPv6 (`[2001:db8::1]:4711`) accepted.
//! - **Disagreement and unknowns fall back to the proxy.** A hop that is not an address
//!   (`unknown`, an obfuscated `_name`) ends the walk there; if the two headers are both
//!   present and name different clients, the request is keyed to the proxy's address: a
//!   client can then only put itself in the proxy's bucket, never in another client's.

use std::net::IpAddr;

use axum::http::HeaderMap;

use crate::ratelimit::Cidr;

/// The client behind `peer`: `peer` itself unless it is a trusted proxy, else the right-most
/// untrusted hop of the forwarding headers (see the module docs).
pub(crate) fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let xff = hops(headers, "x-forwarded-for", parse_xff_hop);
    let forwarded = hops(headers, "forwarded", parse_forwarded_element);
    let walk = |hops: Option<Vec<Option<IpAddr>>>| {
        hops.map(|hops| {
            for hop in hops.into_iter().rev() {
                match hop {
                    Some(ip) if is_trusted(ip) => continue,
                    other => return other,
                }
            }
            // Every hop trusted: the left-most proxy is the client as far as we know.
            None
        })
    };
    match (walk(xff), walk(forwarded)) {
        (None, None) => peer,
        (Some(one), None) | (None, Some(one)) => one.unwrap_or(peer),
        (Some(a), Some(b)) if a == b => a.unwrap_or(peer),
        (Some(_), Some(_)) => peer,
    }
}

/// The hops of every `name` header line, in order (`None` for a hop that is no address);
/// `None` when the header is absent or not text.
fn hops(
    headers: &HeaderMap,
    name: &str,
    parse: fn(&str) -> Option<IpAddr>,
) -> Option<Vec<Option<IpAddr>>> {
    let mut lines = headers.get_all(name).iter().peekable();
    lines.peek()?;
    let mut hops = Vec::new();
    for line in lines {
        let Ok(text) = line.to_str() else {
            // Not text: nothing in it can be trusted, and nothing left of it either.
            hops.clear();
            hops.push(None);
            continue;
        };
        hops.extend(text.split(',').map(|hop| parse(hop.trim())));
    }
    Some(hops)
}

/// One `X-Forwarded-For` hop: an address, with an optional port, IPv6 optionally bracketed.
fn parse_xff_hop(hop: &str) -> Option<IpAddr> {
    parse_node(hop.trim_matches('"'))
}

/// The `for=` address of one RFC 7239 `Forwarded` element (`for=...;proto=...;by=...`).
fn parse_forwarded_element(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("for")
            .then(|| parse_node(value.trim().trim_matches('"')))?
    })
}

/// An address as forwarding headers write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]` or `[2001:db8::1]:4711`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Some(rest) = node.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        return inside.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6);
    }
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip);
    }
    let (host, port) = node.rsplit_once(':')?;
    if !is_port(port) {
        return None;
    }
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn headers(lines: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in lines {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn trusted() -> Vec<Cidr> {
        vec!["10.0.0.0/8".parse().unwrap(), "::1".parse().unwrap()]
    }

    #[test]
    fn the_client_line_before_the_proxys_own_is_never_read() {
        // The review's forgery: the client sends its own X-Forwarded-For line; HAProxy's
        // `option forwardfor` appends another with the address it saw.
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.7"),
            ("x-forwarded-for", "198.51.100.4"),
        ]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &h, &trusted()),
            ip("198.51.100.4")
        );
        // Many forged addresses, one client.
        for i in 0..20 {
            let forged = format!("203.0.113.{i}");
            let h = headers(&[
                ("x-forwarded-for", &forged),
                ("x-forwarded-for", "198.51.100.4"),
            ]);
            assert_eq!(
                client_address(ip("10.0.0.1"), &h, &trusted()),
                ip("198.51.100.4")
            );
        }
    }

    #[test]
    fn hops_are_walked_from_the_right_past_trusted_proxies() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9, 198.51.100.4, 10.1.2.3")]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &h, &trusted()),
            ip("198.51.100.4")
        );
        // From anyone else the headers are ignored.
        assert_eq!(
            client_address(ip("192.0.2.1"), &h, &trusted()),
            ip("192.0.2.1")
        );
        // A trusted peer without forwarding headers is the client itself.
        assert_eq!(
            client_address(ip("::1"), &HeaderMap::new(), &trusted()),
            ip("::1")
        );
    }

    #[test]
    fn ports_brackets_and_the_forwarded_header_are_understood() {
        for (name, value, want) in [
            ("x-forwarded-for", "198.51.100.4:4711", "198.51.100.4"),
            ("x-forwarded-for", "[2001:db8::7]:4711", "2001:db8::7"),
            ("x-forwarded-for", "[2001:db8::7]", "2001:db8::7"),
            ("x-forwarded-for", "2001:db8::7", "2001:db8::7"),
            ("forwarded", "for=198.51.100.4", "198.51.100.4"),
            (
                "forwarded",
                "for=\"198.51.100.4:80\";proto=https",
                "198.51.100.4",
            ),
            ("forwarded", "For=\"[2001:db8::7]:4711\"", "2001:db8::7"),
            (
                "forwarded",
                "for=203.0.113.1, for=198.51.100.4;by=10.0.0.1",
                "198.51.100.4",
            ),
        ] {
            let h = headers(&[(name, value)]);
            assert_eq!(
                client_address(ip("10.0.0.1"), &h, &trusted()),
                ip(want),
                "{name}: {value}"
            );
        }
    }

    #[test]
    fn unknowns_and_disagreeing_headers_fall_back_to_the_proxy() {
        for lines in [
            vec![("x-forwarded-for", "unknown")],
            vec![("forwarded", "for=_hidden")],
            vec![("x-forwarded-for", "203.0.113.5, not-an-address")],
            vec![
                ("x-forwarded-for", "198.51.100.4"),
                ("forwarded", "for=203.0.113.5"),
            ],
        ] {
            let h = headers(&lines);
            assert_eq!(
                client_address(ip("10.0.0.1"), &h, &trusted()),
                ip("10.0.0.1"),
                "{lines:?}"
            );
        }
        // Both present and agreeing: that client.
        let h = headers(&[
            ("x-forwarded-for", "198.51.100.4"),
            ("forwarded", "for=198.51.100.4"),
        ]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &h, &trusted()),
            ip("198.51.100.4")
        );
    }
}
