//! The per-client limit for `--rate-limit N/s`, and who the client is.
//!
//! - **Charged by bytes served, before they are made.** A request costs one token when it is
//!   admitted, and one more token per KiB of its response beyond the first, so `hex16` with
//!   `length=1024&size=1024` (2 MiB of hex) costs ~2,000 tokens, not one. The random routes
//!   reserve the largest their response can be before generating it ([`RateLimiter::reserve`]),
//!   in the same step that checks the client is not in debt, so a burst of concurrent large
//!   requests is limited like a sequence: one is served, the rest wait for the debt it left.
//!   Other routes are charged after the response, by its length. A client may run into debt
//!   with one large response; it is admitted again once the debt is repaid at `N` tokens per
//!   second.
//! - **Keyed by network, not by address.** IPv4 clients are keyed by address; IPv6 clients by
//!   their /64 (one host usually owns a whole /64), IPv4-mapped IPv6 as IPv4.
//! - **Forwarded addresses only from trusted proxies** (`--trusted-proxy CIDR`): behind a load
//!   balancer every request comes from the balancer, so its forwarding headers name the client
//!   (read by [`crate::client_ip`]); from anyone else they are ignored (trivially forged).
//! - **Bounded memory.** The map is pruned of idle clients (full buckets) whenever it doubles
//!   past [`MAX_CLIENTS`], so pruning costs O(1) per request amortized.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Instant;

const MAX_CLIENTS: usize = 10_000;
/// Bytes one token pays for.
const BYTES_PER_TOKEN: u64 = 1024;

struct Buckets {
    /// Tokens (negative: debt) and when they were last brought up to date.
    clients: HashMap<IpAddr, (f64, Instant)>,
    prune_at: usize,
}

pub(crate) struct RateLimiter {
    rate: f64,
    buckets: Mutex<Buckets>,
}

impl RateLimiter {
    pub(crate) fn new(rate: f64) -> Self {
        RateLimiter {
            rate,
            buckets: Mutex::new(Buckets {
                clients: HashMap::new(),
                prune_at: MAX_CLIENTS,
            }),
        }
    }

    fn burst(&self) -> f64 {
        self.rate.max(1.0)
    }

    /// Admits a request from `client` (one token), or `Err(seconds)` until it may come back.
    pub(crate) fn check(&self, client: IpAddr) -> Result<(), u64> {
        self.update(client, |tokens, rate| {
            if *tokens >= 1.0 {
                *tokens -= 1.0;
                Ok(())
            } else {
                Err(((1.0 - *tokens) / rate).ceil().max(1.0) as u64)
            }
        })
    }

    /// Charges `client` for a response of `bytes` (beyond the admission token).
    pub(crate) fn charge(&self, client: IpAddr, bytes: u64) {
        let extra = extra_tokens(bytes);
        if extra > 0.0 {
            self.update(client, |tokens, _| *tokens -= extra);
        }
    }

    /// Reserves a response of up to `bytes` for an admitted request from `client` before it is
    /// generated, or `Err(seconds)` when another response's reservation has left the client
    /// in debt since its admission.
    pub(crate) fn reserve(&self, client: IpAddr, bytes: u64) -> Result<(), u64> {
        let extra = extra_tokens(bytes);
        self.update(client, |tokens, rate| {
            if extra > 0.0 && *tokens < 0.0 {
                Err(((1.0 - *tokens) / rate).ceil().max(1.0) as u64)
            } else {
                *tokens -= extra;
                Ok(())
            }
        })
    }

    /// Gives back a reservation of `bytes` whose response was never served.
    pub(crate) fn refund(&self, client: IpAddr, bytes: u64) {
        let extra = extra_tokens(bytes);
        if extra > 0.0 {
            self.update(client, |tokens, _| *tokens += extra);
        }
    }

    fn update<T>(&self, client: IpAddr, f: impl FnOnce(&mut f64, f64) -> T) -> T {
        let now = Instant::now();
        let (rate, burst) = (self.rate, self.burst());
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.clients.len() > buckets.prune_at {
            buckets
                .clients
                .retain(|_, (tokens, at)| *tokens + at.elapsed().as_secs_f64() * rate < burst);
            buckets.prune_at = (buckets.clients.len() * 2).max(MAX_CLIENTS);
        }
        let (tokens, at) = buckets
            .clients
            .entry(network_key(client))
            .or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(burst);
        *at = now;
        f(tokens, rate)
    }
}

/// Tokens a response of `bytes` costs beyond its admission token.
fn extra_tokens(bytes: u64) -> f64 {
    bytes.saturating_sub(BYTES_PER_TOKEN) as f64 / BYTES_PER_TOKEN as f64
}

/// Marks a response whose size was reserved before it was generated, so it is not charged
/// again after.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reserved;

/// The client a request comes from (after `X-Forwarded-For` from a trusted proxy), set
/// on every request by the router's middleware.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientKey(pub(crate) IpAddr);

/// The key a client's limit is kept under: IPv4 by address, IPv6 by /64.
pub(crate) fn network_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
        },
        v4 => v4,
    }
}

/// An address block, as `--trusted-proxy` takes it: `10.0.0.0/8`, `::1/128`, or a bare
/// address (a single host).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let network: IpAddr = addr
            .trim()
            .parse()
            .map_err(|_| format!("'{text}' is not an address or CIDR block"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("'{text}': the prefix must be 0..={max}"))?,
        };
        Ok(Cidr { network, prefix })
    }
}

impl Cidr {
    /// Whether `ip` lies in this block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - self.prefix as u32).unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - self.prefix as u32).unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn large_responses_are_charged_by_the_kibibyte() {
        let limiter = RateLimiter::new(5.0);
        let client = ip("192.0.2.7");
        assert!(limiter.check(client).is_ok());
        // 2 MiB served: 2,047 tokens of debt on top of the admission token.
        limiter.charge(client, 2 << 20);
        let wait = limiter.check(client).unwrap_err();
        // Debt of ~2,043 tokens at 5 per second: about 409 s.
        assert!((400..=420).contains(&wait), "{wait}");
        // Small responses cost only their admission token.
        let other = ip("192.0.2.8");
        for _ in 0..5 {
            assert!(limiter.check(other).is_ok());
            limiter.charge(other, 900);
        }
        assert!(
            limiter.check(other).is_err(),
            "the sixth within the burst of 5"
        );
    }

    #[test]
    fn a_reservation_is_refused_while_another_has_left_the_client_in_debt() {
        let limiter = RateLimiter::new(100.0);
        let client = ip("192.0.2.9");
        // Twenty requests admitted at once, as a concurrent burst would be.
        for _ in 0..20 {
            assert!(limiter.check(client).is_ok());
        }
        // The first to reserve 2 MiB is served and leaves ~1,967 tokens of debt...
        assert!(limiter.reserve(client, 2 << 20).is_ok());
        // ...so the other nineteen, admitted before it, are refused before generating.
        for _ in 0..19 {
            let wait = limiter.reserve(client, 2 << 20).unwrap_err();
            assert!((19..=21).contains(&wait), "{wait}");
        }
        // A small response needs no reservation beyond its admission token.
        assert!(limiter.reserve(client, 1000).is_ok());
        // A refund gives the reservation back: the client is out of debt again.
        limiter.refund(client, 2 << 20);
        assert!(limiter.reserve(client, 2 << 20).is_ok());
    }

    #[test]
    fn ipv6_clients_share_one_limit_per_slash_64() {
        let limiter = RateLimiter::new(1.0);
        assert!(limiter.check(ip("2001:db8:1:2::1")).is_ok());
        assert!(
            limiter.check(ip("2001:db8:1:2:ffff::9")).is_err(),
            "same /64, another address"
        );
        assert!(limiter.check(ip("2001:db8:1:3::1")).is_ok(), "another /64");
        assert_eq!(network_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
    }

    #[test]
    fn cidrs_parse_and_match() {
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("nonsense".parse::<Cidr>().is_err());
        assert!("0.0.0.0/0".parse::<Cidr>().unwrap().contains(ip("8.8.8.8")));
        assert!(
            "10.0.0.0/8"
                .parse::<Cidr>()
                .unwrap()
                .contains(ip("10.1.2.3"))
        );
        assert!(
            !"10.0.0.0/8"
                .parse::<Cidr>()
                .unwrap()
                .contains(ip("11.0.0.1"))
        );
    }

    #[test]
    fn the_client_map_stays_bounded() {
        // Refilled at once: every idle client is pruned when the map doubles.
        let limiter = RateLimiter::new(1e12);
        for i in 0..(3 * MAX_CLIENTS as u32) {
            let _ = limiter.check(IpAddr::V4(i.into()));
        }
        let len = limiter.buckets.lock().unwrap().clients.len();
        assert!(len <= 2 * MAX_CLIENTS + 1, "{len}");
    }
}
