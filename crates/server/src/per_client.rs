//! The per-client connection cap: one address cannot take every connection slot.
//!
//! The global cap ([`crate::ServerConfig::max_connections`]) bounds what the server holds; on
//! its own it lets one client hold all of it (512 half-sent request heads, reopened as they
//! are closed, left every other client a `503`). So each client may also hold at most
//! [`crate::ServerConfig::max_connections_per_client`] connections at once, keyed as the rate
//! limit keys it (IPv4 address, IPv6 /64). A connection is accepted before any request on it
//! is read, so the key is the peer's address: a trusted proxy (`--trusted-proxy`), which
//! carries many clients' requests, is not capped here (its clients are told apart per
//! request by the rate limit and the fair share).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use crate::ratelimit::{Cidr, network_key};

/// Connections held by each client.
pub(crate) struct PerClient {
    cap: usize,
    exempt: Arc<Vec<Cidr>>,
    held: Mutex<HashMap<IpAddr, usize>>,
}

/// One connection's place in its client's count, given back when dropped.
pub(crate) struct Held {
    owner: Option<(Arc<PerClient>, IpAddr)>,
}

impl PerClient {
    /// At most `cap` connections per client; none counted for peers in `exempt`.
    pub(crate) fn new(cap: usize, exempt: Arc<Vec<Cidr>>) -> Arc<Self> {
        Arc::new(PerClient {
            cap,
            exempt,
            held: Mutex::new(HashMap::new()),
        })
    }

    /// Counts a new connection from `peer`, or `None` when its client holds the cap already.
    pub(crate) fn try_hold(self: &Arc<Self>, peer: IpAddr) -> Option<Held> {
        if self.exempt.iter().any(|cidr| cidr.contains(peer)) {
            return Some(Held { owner: None });
        }
        let key = network_key(peer);
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        let count = held.entry(key).or_insert(0);
        if *count >= self.cap {
            return None;
        }
        *count += 1;
        Some(Held {
            owner: Some((Arc::clone(self), key)),
        })
    }

    #[cfg(test)]
    fn clients(&self) -> usize {
        self.held.lock().unwrap().len()
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some((per_client, key)) = self.owner.take() {
            let mut held = per_client.held.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(count) = held.get_mut(&key) {
                *count -= 1;
                if *count == 0 {
                    // The map holds only clients with connections open.
                    held.remove(&key);
                }
            }
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
    fn a_client_holds_at_most_the_cap_and_gets_slots_back_as_it_closes() {
        let per_client = PerClient::new(2, Arc::new(Vec::new()));
        let a = per_client.try_hold(ip("192.0.2.1")).unwrap();
        let _b = per_client.try_hold(ip("192.0.2.1")).unwrap();
        assert!(per_client.try_hold(ip("192.0.2.1")).is_none());
        // Another client is not affected; an IPv6 client is counted per /64.
        assert!(per_client.try_hold(ip("192.0.2.2")).is_some());
        let _v6 = per_client.try_hold(ip("2001:db8::1")).unwrap();
        let _v6b = per_client.try_hold(ip("2001:db8::2")).unwrap();
        assert!(per_client.try_hold(ip("2001:db8::3")).is_none());
        drop(a);
        assert!(per_client.try_hold(ip("192.0.2.1")).is_some());
    }

    #[test]
    fn a_trusted_proxy_is_not_capped_and_closed_clients_leave_the_map() {
        let proxy: Cidr = "10.0.0.0/8".parse().unwrap();
        let per_client = PerClient::new(1, Arc::new(vec![proxy]));
        let held: Vec<_> = (0..10)
            .map(|_| per_client.try_hold(ip("10.1.2.3")).unwrap())
            .collect();
        assert_eq!(per_client.clients(), 0);
        drop(held);
        let one = per_client.try_hold(ip("192.0.2.1")).unwrap();
        assert_eq!(per_client.clients(), 1);
        drop(one);
        assert_eq!(per_client.clients(), 0);
    }
}
