//! Network timing: loopback TCP connects and UDP round trips, and, only when the user names
//! a target, external TCP-connect and DNS timing.
//!
//! A default run sends nothing off the machine, not even a DNS query: the external sources
//! are unavailable unless `WELLSPRING_NET_TARGET` (host:port) or `WELLSPRING_DNS_NAME` is set.

use std::net::{TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::time::Duration;

use crate::clock::ticks;
use crate::sources::util::{io_error, simple_source};
use crate::{Availability, EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass};

simple_source!(
    /// Time to establish a TCP connection over loopback.
    TcpLoopback, "tcp_loopback", Network, Slow,
    "Connects to a listener on 127.0.0.1 and times each three-way handshake in cycle-counter \
     ticks. The handshake runs the whole TCP stack twice (SYN, SYN-ACK, ACK through softirq \
     processing, socket allocation and the accept queue), so its duration carries softirq \
     scheduling, lock contention and cache state.",
    |n| {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(io_error("tcp_loopback"))?;
        let addr = listener.local_addr().map_err(io_error("tcp_loopback"))?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let t0 = ticks();
            let stream = TcpStream::connect(addr).map_err(io_error("tcp_loopback"))?;
            out.push(ticks().wrapping_sub(t0) as u8);
            let _ = listener.accept();
            drop(stream);
        }
        Ok(out)
    }
);

simple_source!(
    /// Round-trip time of a UDP datagram over loopback.
    UdpLoopback, "udp_loopback", Network, Fast,
    "Sends a datagram to a socket on 127.0.0.1 and times until it can be received. The \
     packet crosses the network stack and the loopback device's softirq, so the round trip \
     varies with softirq scheduling and socket-buffer locking.",
    |n| {
        let socket = UdpSocket::bind("127.0.0.1:0").map_err(io_error("udp_loopback"))?;
        socket.connect(socket.local_addr().map_err(io_error("udp_loopback"))?).map_err(io_error("udp_loopback"))?;
        socket.set_read_timeout(Some(Duration::from_secs(1))).map_err(io_error("udp_loopback"))?;
        let mut buf = [0u8; 16];
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let t0 = ticks();
            socket.send(&[i as u8]).map_err(io_error("udp_loopback"))?;
            socket.recv(&mut buf).map_err(io_error("udp_loopback"))?;
            out.push(ticks().wrapping_sub(t0) as u8);
        }
        Ok(out)
    }
);

/// TCP connect timing to a target the user names in `WELLSPRING_NET_TARGET` (host:port).
#[derive(Debug, Default)]
pub struct ExternalTcp;

static EXTERNAL_TCP: SourceInfo = SourceInfo {
    name: "external_tcp",
    category: SourceCategory::Network,
    physics: "Times TCP handshakes to a host the user names (WELLSPRING_NET_TARGET=host:port): \
              queueing in every router and switch on the path adds jitter. Off by default, \
              because it sends traffic off the machine.",
    speed: SpeedClass::Slow,
};

fn env_target(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}

impl EntropySource for ExternalTcp {
    fn info(&self) -> &SourceInfo {
        &EXTERNAL_TCP
    }

    fn availability(&self) -> Availability {
        match env_target("WELLSPRING_NET_TARGET") {
            Some(_) => Availability::Available,
            None => {
                Availability::Unavailable("set WELLSPRING_NET_TARGET=host:port to enable".into())
            }
        }
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let target =
            env_target("WELLSPRING_NET_TARGET").ok_or_else(|| SourceError::Unavailable {
                name: EXTERNAL_TCP.name,
                reason: "WELLSPRING_NET_TARGET is not set".into(),
            })?;
        let addr = target
            .to_socket_addrs()
            .map_err(io_error(EXTERNAL_TCP.name))?
            .next()
            .ok_or_else(|| SourceError::Failed {
                name: EXTERNAL_TCP.name,
                message: format!("{target} has no address"),
            })?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let t0 = ticks();
            let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
                .map_err(io_error(EXTERNAL_TCP.name))?;
            out.push(ticks().wrapping_sub(t0) as u8);
            drop(stream);
        }
        Ok(out)
    }
}

/// DNS resolution timing for a name the user gives in `WELLSPRING_DNS_NAME`.
#[derive(Debug, Default)]
pub struct DnsTiming;

static DNS_TIMING: SourceInfo = SourceInfo {
    name: "dns_timing",
    category: SourceCategory::Network,
    physics: "Times the system resolver looking up a name the user gives \
              (WELLSPRING_DNS_NAME): resolver caches, the network path and the servers' load \
              add jitter. Off by default, because it sends queries off the machine.",
    speed: SpeedClass::Slow,
};

impl EntropySource for DnsTiming {
    fn info(&self) -> &SourceInfo {
        &DNS_TIMING
    }

    fn availability(&self) -> Availability {
        match env_target("WELLSPRING_DNS_NAME") {
            Some(_) => Availability::Available,
            None => {
                Availability::Unavailable("set WELLSPRING_DNS_NAME to a host name to enable".into())
            }
        }
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let name = env_target("WELLSPRING_DNS_NAME").ok_or_else(|| SourceError::Unavailable {
            name: DNS_TIMING.name,
            reason: "WELLSPRING_DNS_NAME is not set".into(),
        })?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let t0 = ticks();
            let _ = (name.as_str(), 0u16)
                .to_socket_addrs()
                .map_err(io_error(DNS_TIMING.name))?;
            out.push(ticks().wrapping_sub(t0) as u8);
        }
        Ok(out)
    }
}
