//! The OpenAPI 3.1 description, built from [`ROUTES`]: the same table the tests walk, so a
//! route that is served but not described (or described but not served) fails a test.

use serde_json::{Value, json};

/// One documented route: path, summary and its query parameters (name, description).
pub struct RouteDoc {
    /// The path.
    pub path: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// Query parameters.
    pub params: &'static [(&'static str, &'static str)],
}

const RANDOM_PARAMS: &[(&str, &str)] = &[
    ("length", "number of elements, 1..=1024 (required)"),
    ("type", "uint8, uint16 or hex16 (required)"),
    ("size", "bytes per hex16 element, 1..=1024 (default 1)"),
];

/// Every route the server answers.
pub const ROUTES: &[RouteDoc] = &[
    RouteDoc {
        path: "/API/jsonI.php",
        summary: "Legacy ANU QRNG API (DRBG output)",
        params: RANDOM_PARAMS,
    },
    RouteDoc {
        path: "/api/v1/random",
        summary: "Random numbers; conditioning=drbg|sha256, raw=true with --allow-raw",
        params: &[
            ("length", "number of elements, 1..=1024 (required)"),
            ("type", "uint8, uint16 or hex16 (required)"),
            ("size", "bytes per hex16 element, 1..=1024 (default 1)"),
            ("conditioning", "drbg (default) or sha256 (full entropy)"),
            (
                "raw",
                "true for unconditioned samples (403 unless --allow-raw)",
            ),
        ],
    },
    RouteDoc {
        path: "/rng",
        summary: "LiveCam shape: a float uniform in [0, 1) with 53 random bits",
        params: &[],
    },
    RouteDoc {
        path: "/health",
        summary: "ok, degraded or failed, with source counts",
        params: &[],
    },
    RouteDoc {
        path: "/sources",
        summary: "Per-source state",
        params: &[],
    },
    RouteDoc {
        path: "/pool/status",
        summary: "Credit, blocks, reseeds and per-source contributions",
        params: &[],
    },
    RouteDoc {
        path: "/metrics",
        summary: "Prometheus text format",
        params: &[],
    },
    RouteDoc {
        path: "/openapi.json",
        summary: "This document",
        params: &[],
    },
];

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for route in ROUTES {
        let params: Vec<Value> = route
            .params
            .iter()
            .map(|(name, description)| {
                json!({"name": name, "in": "query", "description": description, "schema": {"type": "string"}})
            })
            .collect();
        paths.insert(
            route.path.into(),
            json!({"get": {
                "summary": route.summary,
                "parameters": params,
                "responses": {
                    "200": {"description": "success"},
                    "400": {"description": "bad parameter: {\"success\": false, \"error\": \"...\"}"},
                    "429": {"description": "rate limit exceeded (Retry-After)"}
                }
            }}),
        );
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "wellspring", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Random numbers from measured physical noise"},
        "paths": paths,
    })
}
