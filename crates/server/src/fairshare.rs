//! A fair share of full-entropy (`sha256`) output between clients.
//!
//! Full-entropy output is scarce: it is made only as fast as the sources earn credit (a few
//! hundred KB/s at best), so one client asking without pause would take all of it. Each
//! client (keyed as the rate limit keys it: IPv4 address, IPv6 /64, the forwarded address
//! from a trusted proxy) may take, per [`WINDOW`], an equal part of what the engine makes
//! in a window: `max(FLOOR_BYTES, rate × WINDOW ÷ active clients)`, where `rate` is the
//! full-entropy rate measured from the engine's own block count and `active clients` those
//! that drew `sha256` output in the window. A client alone is not limited (there is nobody
//! to be fair to). A client past its part gets `429` with `Retry-After` until its window
//! ends; DRBG output (`conditioning=drbg`, the default) is not affected.
//!
//! Cost and memory are bounded: the clients active in the window are counted with a queue
//! of window starts, so a request costs O(1) amortized, and a client's entry is dropped
//! when its window ends, so the map holds only the clients of the last [`WINDOW`].

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::ratelimit::network_key;

/// The accounting window.
pub(crate) const WINDOW: Duration = Duration::from_secs(10);
/// What any client may take per window, however many share the output.
pub(crate) const FLOOR_BYTES: u64 = 1024;
/// Bytes of one full-entropy block.
const BLOCK_BYTES: f64 = 32.0;

struct Clients {
    /// Bytes taken in the client's current window, and when that window began: only
    /// clients whose window has not ended.
    taken: HashMap<IpAddr, (u64, Instant)>,
    /// The window starts of `taken`, oldest first.
    starts: VecDeque<(Instant, IpAddr)>,
    /// The last measurement of the engine's block count, and the rate derived (bytes/s).
    last_blocks: Option<(Instant, u64)>,
    rate: f64,
}

/// The per-client share of full-entropy output.
pub(crate) struct FairShare {
    clients: Mutex<Clients>,
}

impl Default for FairShare {
    fn default() -> Self {
        FairShare {
            clients: Mutex::new(Clients {
                taken: HashMap::new(),
                starts: VecDeque::new(),
                last_blocks: None,
                rate: 0.0,
            }),
        }
    }
}

impl FairShare {
    /// Whether the engine's block count should be read now (at most once a second).
    pub(crate) fn wants_rate_sample(&self, now: Instant) -> bool {
        let clients = self.lock();
        clients
            .last_blocks
            .is_none_or(|(at, _)| now.duration_since(at) >= Duration::from_secs(1))
    }

    /// Feeds the engine's count of full-entropy blocks produced, read at `now`.
    pub(crate) fn sample_blocks(&self, now: Instant, blocks_produced: u64) {
        let mut clients = self.lock();
        if let Some((at, before)) = clients.last_blocks {
            let seconds = now.duration_since(at).as_secs_f64();
            if seconds <= 0.0 {
                return;
            }
            let rate = blocks_produced.saturating_sub(before) as f64 * BLOCK_BYTES / seconds;
            // Smoothed over a few samples: one slow second must not starve everyone.
            clients.rate = if clients.rate == 0.0 {
                rate
            } else {
                0.7 * clients.rate + 0.3 * rate
            };
        }
        clients.last_blocks = Some((now, blocks_produced));
    }

    /// Admits `bytes` of full-entropy output for `client` at `now` and counts them, or
    /// returns the seconds until the client's window ends.
    pub(crate) fn admit(&self, client: IpAddr, bytes: u64, now: Instant) -> Result<(), u64> {
        let key = network_key(client);
        let mut clients = self.lock();
        clients.end_windows(now);
        let known = clients.taken.contains_key(&key);
        let active = clients.taken.len() + usize::from(!known);
        let share = share(clients.rate, active);
        if !known {
            clients.taken.insert(key, (0, now));
            clients.starts.push_back((now, key));
        }
        let (taken, start) = clients.taken.get_mut(&key).expect("inserted above");
        if active > 1 && *taken + bytes > share {
            let left = WINDOW.saturating_sub(now.duration_since(*start));
            return Err(left.as_secs_f64().ceil().max(1.0) as u64);
        }
        *taken += bytes;
        Ok(())
    }

    /// Gives back `bytes` counted by [`admit`](Self::admit) for a request that then failed.
    pub(crate) fn refund(&self, client: IpAddr, bytes: u64) {
        let mut clients = self.lock();
        if let Some((taken, _)) = clients.taken.get_mut(&network_key(client)) {
            *taken = taken.saturating_sub(bytes);
        }
    }

    #[cfg(test)]
    fn clients_held(&self) -> usize {
        self.lock().taken.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Clients> {
        self.clients.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Clients {
    /// Drops the clients whose window has ended by `now`.
    fn end_windows(&mut self, now: Instant) {
        while let Some(&(start, key)) = self.starts.front() {
            if now.duration_since(start) < WINDOW {
                break;
            }
            self.starts.pop_front();
            self.taken.remove(&key);
        }
    }
}

/// One client's part of a window's output when `active` clients share it.
fn share(rate: f64, active: usize) -> u64 {
    let window_bytes = rate * WINDOW.as_secs_f64();
    ((window_bytes / active as f64) as u64).max(FLOOR_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    /// A share whose measured rate is `bytes_per_second`.
    fn measured(bytes_per_second: u64, now: Instant) -> FairShare {
        let fair = FairShare::default();
        fair.sample_blocks(now - Duration::from_secs(1), 0);
        fair.sample_blocks(now, bytes_per_second / 32);
        fair
    }

    #[test]
    fn a_client_alone_is_not_limited() {
        let now = Instant::now();
        let fair = measured(3200, now);
        for _ in 0..100 {
            assert!(fair.admit(ip("192.0.2.1"), 4096, now).is_ok());
        }
    }

    #[test]
    fn two_clients_each_get_half_of_a_window_and_no_more() {
        let now = Instant::now();
        // 3,200 bytes/s: 32,000 bytes per 10 s window, 16,000 each for two clients.
        let fair = measured(3200, now);
        let (a, b) = (ip("192.0.2.1"), ip("198.51.100.2"));
        assert!(fair.admit(b, 1000, now).is_ok());
        assert!(fair.admit(a, 16_000, now).is_ok());
        assert_eq!(fair.admit(a, 1, now), Err(10));
        // The other client's part is untouched by the first one's attempts.
        assert!(fair.admit(b, 15_000, now).is_ok());
        assert!(fair.admit(b, 1, now + Duration::from_secs(4)).is_err());
        // A new window gives a new part; once the other client has been idle a whole
        // window, the first one is alone again and unlimited.
        let later = now + WINDOW;
        assert!(fair.admit(a, 16_000, later).is_ok());
        assert!(fair.admit(a, 100_000, later).is_ok());
    }

    #[test]
    fn a_slow_engine_still_gives_every_client_the_floor() {
        let now = Instant::now();
        let fair = measured(0, now);
        let (a, b) = (ip("192.0.2.1"), ip("198.51.100.2"));
        assert!(fair.admit(b, 1, now).is_ok());
        assert!(fair.admit(a, FLOOR_BYTES - 1, now).is_ok());
        assert!(fair.admit(a, 2, now).is_err());
    }

    #[test]
    fn an_ipv6_host_is_one_client_however_many_addresses_it_uses() {
        let now = Instant::now();
        let fair = measured(3200, now);
        assert!(fair.admit(ip("192.0.2.1"), 1, now).is_ok());
        assert!(fair.admit(ip("2001:db8::1"), 16_000, now).is_ok());
        assert!(fair.admit(ip("2001:db8::2"), 1, now).is_err());
    }

    #[test]
    fn only_the_clients_of_the_last_window_are_held() {
        let now = Instant::now();
        let fair = measured(3200, now);
        for i in 0..20_000u32 {
            let _ = fair.admit(IpAddr::from(i.to_be_bytes()), 1, now);
        }
        assert_eq!(fair.clients_held(), 20_000);
        let _ = fair.admit(ip("192.0.2.1"), 1, now + WINDOW);
        assert_eq!(fair.clients_held(), 1);
    }
}
