//! Counters for `/metrics` (Prometheus text format).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use wellspring_core::engine::EngineStatus;

/// Request and output counters.
#[derive(Default)]
pub(crate) struct Metrics {
    /// Requests by route, then status (looked up by `&str`: no allocation per request).
    requests: Mutex<BTreeMap<String, BTreeMap<u16, u64>>>,
    bytes_drbg: AtomicU64,
    bytes_sha256: AtomicU64,
    bytes_raw: AtomicU64,
}

impl Metrics {
    pub(crate) fn request(&self, route: &str, status: u16) {
        let mut map = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        let by_status = match map.get_mut(route) {
            Some(by_status) => by_status,
            None => map.entry(route.to_owned()).or_default(),
        };
        *by_status.entry(status).or_insert(0) += 1;
    }

    /// Requests so far by route, all statuses together.
    pub(crate) fn requests_by_route(&self) -> BTreeMap<String, u64> {
        let map = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = BTreeMap::new();
        for (route, by_status) in map.iter() {
            out.insert(route.clone(), by_status.values().sum());
        }
        out
    }

    pub(crate) fn served(&self, mode: wellspring_core::pool::Conditioning, bytes: usize) {
        use wellspring_core::pool::Conditioning::*;
        let counter = match mode {
            Drbg => &self.bytes_drbg,
            Sha256 => &self.bytes_sha256,
            Raw => &self.bytes_raw,
        };
        counter.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    pub(crate) fn render(&self, status: &EngineStatus) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP wellspring_requests_total HTTP requests by route and status."
        );
        let _ = writeln!(out, "# TYPE wellspring_requests_total counter");
        for (route, by_status) in self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            for (code, n) in by_status {
                let _ = writeln!(
                    out,
                    "wellspring_requests_total{{route=\"{route}\",status=\"{code}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP wellspring_bytes_served_total Random bytes served by mode."
        );
        let _ = writeln!(out, "# TYPE wellspring_bytes_served_total counter");
        for (mode, counter) in [
            ("drbg", &self.bytes_drbg),
            ("sha256", &self.bytes_sha256),
            ("raw", &self.bytes_raw),
        ] {
            let _ = writeln!(
                out,
                "wellspring_bytes_served_total{{mode=\"{mode}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        let gauges = [
            (
                "wellspring_credited_bits_total",
                "Min-entropy credited to the conditioner, in bits.",
                status.credited_bits,
            ),
            (
                "wellspring_blocks_produced_total",
                "Full-entropy blocks produced.",
                status.blocks_produced as f64,
            ),
            (
                "wellspring_reseeds_total",
                "DRBG reseeds.",
                status.reseeds as f64,
            ),
            (
                "wellspring_quarantined_sources",
                "Sources in quarantine.",
                status.quarantined.len() as f64,
            ),
            (
                "wellspring_blocks_revoked_total",
                "Full-entropy blocks revoked after a lower re-assessment.",
                status.blocks_revoked as f64,
            ),
            (
                "wellspring_quarantine_events_total",
                "Quarantines of all sources since start.",
                status
                    .sources
                    .iter()
                    .map(|s| s.quarantine_events)
                    .sum::<u64>() as f64,
            ),
            (
                "wellspring_reseed_failures_total",
                "DRBG reseeds that failed for want of full-entropy blocks.",
                status.reseed_failures as f64,
            ),
            (
                "wellspring_blocks_available",
                "Full-entropy blocks ready in the reservoir.",
                status.blocks_available as f64,
            ),
            (
                "wellspring_uptime_seconds",
                "Seconds since the engine started.",
                status.uptime_seconds,
            ),
            (
                "wellspring_credited_sources",
                "Sources earning entropy credit now (0: full-entropy output has stopped).",
                status.credited_sources() as f64,
            ),
        ];
        for (name, help, value) in gauges {
            let kind = if name.ends_with("_total") {
                "counter"
            } else {
                "gauge"
            };
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP wellspring_source_healthy 1 when the source is in service."
        );
        let _ = writeln!(out, "# TYPE wellspring_source_healthy gauge");
        for s in &status.sources {
            let _ = writeln!(
                out,
                "wellspring_source_healthy{{source=\"{}\"}} {}",
                s.name,
                u8::from(s.healthy)
            );
        }
        out
    }
}
