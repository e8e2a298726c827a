//! The OpenAPI 3.1 description, built from [`ROUTES`]: the same table the tests walk, so a
//! route that is served but not described (or described but not served) fails a test.

use serde_json::{Value, json};

/// A query parameter: name, description and JSON schema (as JSON text).
pub type ParamDoc = (&'static str, &'static str, &'static str);

/// One documented route: path, summary, its query parameters, the schema of its `200`
/// body (a `#/components/schemas` name, or `text` for plain text), and the error statuses
/// it may answer besides the rate limit's `429`.
pub struct RouteDoc {
    /// The path.
    pub path: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// Query parameters.
    pub params: &'static [ParamDoc],
    /// The success body's schema name.
    pub body: &'static str,
    /// Error statuses, each with the `Error` body.
    pub errors: &'static [u16],
}

const LENGTH: ParamDoc = (
    "length",
    "number of elements, 1..=1024 (required)",
    r#"{"type": "integer", "minimum": 1, "maximum": 1024}"#,
);
const TYPE: ParamDoc = (
    "type",
    "uint8, uint16 or hex16 (required)",
    r#"{"type": "string", "enum": ["uint8", "uint16", "hex16"]}"#,
);
const SIZE: ParamDoc = (
    "size",
    "bytes per hex16 element, 1..=1024 (default 1)",
    r#"{"type": "integer", "minimum": 1, "maximum": 1024}"#,
);

/// Every route the server answers.
pub const ROUTES: &[RouteDoc] = &[
    RouteDoc {
        path: "/API/jsonI.php",
        summary: "Legacy ANU QRNG API (DRBG output); unknown parameters are ignored",
        params: &[LENGTH, TYPE, SIZE],
        body: "Random",
        errors: &[400, 414, 503],
    },
    RouteDoc {
        path: "/api/v1/random",
        summary: "Random numbers; conditioning=drbg|sha256, raw=true with --allow-raw",
        params: &[
            LENGTH,
            TYPE,
            SIZE,
            (
                "conditioning",
                "drbg (default) or sha256 (full entropy: a fair share per client, 429 past \
                 it; over 1 KiB served only from blocks already made, else 503 with \
                 Retry-After; larger than the reservoir, 413)",
                r#"{"type": "string", "enum": ["drbg", "sha256"]}"#,
            ),
            (
                "raw",
                "true for unconditioned samples (403 unless --allow-raw)",
                r#"{"type": "boolean"}"#,
            ),
        ],
        body: "Random",
        errors: &[400, 403, 413, 414, 503],
    },
    RouteDoc {
        path: "/rng",
        summary: "LiveCam shape: a float uniform in [0, 1) with 53 random bits",
        params: &[],
        body: "Rng",
        errors: &[503],
    },
    RouteDoc {
        path: "/health",
        summary: "ok, degraded or failed, with source counts",
        params: &[],
        body: "Health",
        errors: &[],
    },
    RouteDoc {
        path: "/ready",
        summary: "200 while some source earns credit, 503 otherwise (for load balancers)",
        params: &[],
        body: "Ready",
        errors: &[503],
    },
    RouteDoc {
        path: "/sources",
        summary: "Per-source state",
        params: &[],
        body: "Sources",
        errors: &[421],
    },
    RouteDoc {
        path: "/pool/status",
        summary: "Credit, blocks, reseeds and per-source contributions",
        params: &[],
        body: "PoolStatus",
        errors: &[421],
    },
    RouteDoc {
        path: "/metrics",
        summary: "Prometheus text format",
        params: &[],
        body: "text",
        errors: &[421],
    },
    RouteDoc {
        path: "/openapi.json",
        summary: "This document",
        params: &[],
        body: "OpenApi",
        errors: &[],
    },
];

/// The schemas of the bodies, by name.
fn schemas() -> Value {
    let int = |min: u64, max: u64| json!({"type": "integer", "minimum": min, "maximum": max});
    let numbers = |kind: &str, max: u64| {
        json!({
            "type": "object",
            "required": ["type", "length", "data", "success"],
            "properties": {
                "type": {"const": kind},
                "length": int(1, 1024),
                "data": {"type": "array", "items": int(0, max), "maxItems": 1024},
                "success": {"const": true}
            }
        })
    };
    let nullable = |kind: &str| json!({"type": [kind, "null"]});
    json!({
        "Error": {
            "type": "object",
            "required": ["success", "error"],
            "properties": {"success": {"const": false}, "error": {"type": "string"}}
        },
        "Random": {"oneOf": [
            numbers("uint8", 255),
            numbers("uint16", 65_535),
            {
                "type": "object",
                "required": ["type", "length", "size", "data", "success"],
                "properties": {
                    "type": {"const": "string"},
                    "length": int(1, 1024),
                    "size": int(1, 1024),
                    "data": {"type": "array", "maxItems": 1024,
                             "items": {"type": "string", "pattern": "^[0-9a-f]+$"}},
                    "success": {"const": true}
                }
            }
        ]},
        "Rng": {
            "type": "object",
            "required": ["random"],
            "properties": {"random": {"type": "number", "minimum": 0, "exclusiveMaximum": 1}}
        },
        "Health": {
            "type": "object",
            "required": ["status", "entropy_sources", "entropy_mechanisms", "sources_healthy",
                         "sources_total", "livecam_total_regions", "livecam_by_continent",
                         "livecam_prefetching", "livecam_mode", "reasons",
                         "sources_too_weak_here"],
            "properties": {
                "status": {"enum": ["ok", "degraded", "failed"]},
                "reasons": {"type": "array", "items": {"type": "string"},
                            "description": "Why the status is degraded: each quarantined source that could earn credit here, with its failure"},
                "sources_too_weak_here": {"type": "array", "items": {"type": "string"},
                                          "description": "Sources whose full-size figure is too weak to credit on this machine: they earn nothing, and their quarantines do not make the status degraded"},
                "entropy_sources": {"type": "array", "items": {"type": "string"}},
                "entropy_mechanisms": {"type": "array", "items": {"type": "string"}},
                "sources_healthy": {"type": "integer", "minimum": 0},
                "sources_total": {"type": "integer", "minimum": 0},
                "livecam_total_regions": {"type": "integer", "minimum": 0},
                "livecam_by_continent": {"type": "object",
                                         "additionalProperties": {"type": "integer"}},
                "livecam_prefetching": {"type": "boolean"},
                "livecam_mode": {"enum": ["camera", "pool"]}
            }
        },
        "Ready": {
            "type": "object",
            "required": ["ready", "credited_sources"],
            "properties": {
                "ready": {"const": true},
                "credited_sources": {"type": "integer", "minimum": 1}
            }
        },
        "Sources": {
            "type": "object",
            "required": ["sources"],
            "properties": {"sources": {"type": "array", "items": {
                "type": "object",
                "required": ["name", "category", "available", "healthy", "samples",
                             "min_entropy", "last_error"],
                "properties": {
                    "name": {"type": "string"},
                    "category": {"type": "string"},
                    "available": {"type": "boolean"},
                    "healthy": {"type": "boolean"},
                    "samples": {"type": "integer", "minimum": 0},
                    "min_entropy": nullable("number"),
                    "last_error": nullable("string")
                }
            }}}
        },
        "PoolStatus": {
            "type": "object",
            "required": ["credited_bits", "blocks_produced", "blocks_served", "blocks_available",
                         "blocks_revoked", "reseeds", "conditioning", "diversity",
                         "family_shares", "quarantined", "sources_healthy", "sources_total",
                         "sources"],
            "properties": {
                "credited_bits": {"type": "number", "minimum": 0},
                "blocks_produced": {"type": "integer", "minimum": 0},
                "blocks_served": {"type": "integer", "minimum": 0},
                "blocks_available": {"type": "integer", "minimum": 0},
                "blocks_revoked": {"type": "integer", "minimum": 0},
                "reseeds": {"type": "integer", "minimum": 0},
                "conditioning": {"type": "string"},
                "diversity": {"type": "string"},
                "family_shares": {"type": "object",
                                  "additionalProperties": {"type": "number"}},
                "quarantined": {"type": "array", "items": {"type": "string"}},
                "sources_healthy": {"type": "integer", "minimum": 0},
                "sources_total": {"type": "integer", "minimum": 0},
                "sources": {"type": "array", "items": {"type": "object",
                            "required": ["name", "family", "credited", "healthy"]}}
            }
        },
        "OpenApi": {
            "type": "object",
            "required": ["openapi", "info", "paths"]
        }
    })
}

/// What each error status means.
fn error_description(status: u16) -> &'static str {
    match status {
        400 => "bad parameter",
        403 => "raw output is disabled (start with --allow-raw)",
        413 => "a full-entropy request larger than the reservoir can ever hold (use drbg)",
        414 => "query longer than 4 KiB",
        421 => "an operator route asked for under a Host it does not answer (--allowed-host)",
        429 => "rate limit or full-entropy share exceeded (Retry-After)",
        503 => {
            "no output can be made now: sources quarantined or not yet assessed, or a \
                full-entropy request over 1 KiB with too few blocks ready"
        }
        _ => "error",
    }
}

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for route in ROUTES {
        let params: Vec<Value> = route
            .params
            .iter()
            .map(|(name, description, schema)| {
                let schema: Value = serde_json::from_str(schema).expect("a valid schema");
                let required = matches!(*name, "length" | "type");
                json!({"name": name, "in": "query", "description": description,
                       "required": required, "schema": schema})
            })
            .collect();
        let ok = if route.body == "text" {
            json!({"description": "success",
                   "content": {"text/plain": {"schema": {"type": "string"}}}})
        } else {
            json!({"description": "success", "content": {"application/json": {
                "schema": {"$ref": format!("#/components/schemas/{}", route.body)}}}})
        };
        let mut responses = serde_json::Map::new();
        responses.insert("200".into(), ok);
        for status in route.errors.iter().chain(&[429]) {
            let mut response = json!({
                "description": error_description(*status),
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}
            });
            if *status == 429 {
                response["headers"] = json!({"Retry-After": {
                    "description": "seconds to wait", "schema": {"type": "integer"}}});
            }
            responses.insert(status.to_string(), response);
        }
        paths.insert(
            route.path.into(),
            json!({"get": {
                "summary": route.summary,
                "parameters": params,
                "responses": responses
            }}),
        );
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "wellspring", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Random numbers from measured physical noise"},
        "paths": paths,
        "components": {"schemas": schemas()},
    })
}
