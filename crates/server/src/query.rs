//! Query-string parsing for the random routes.
//!
//! - The query is decoded as `application/x-www-form-urlencoded` (`form_urlencoded`):
//!   percent escapes are decoded in names and values (`type=uint%38` is `type=uint8`) and `+`
//!   is a space. Empty pairs (`a=1&&b=2`) are skipped; a name without `=` has the value `""`.
//! - Every known parameter may appear at most once: a duplicate is a 400 naming it (axum's
//!   `Query` would silently keep one of the two).
//! - Unknown parameters follow [`Unknown`]: the legacy ANU route `/API/jsonI.php`
//!   [ignores](Unknown::Ignore) them, as the ANU service does (browsers and jQuery add
//!   cache-busters such as `_=1712345678`); `/api/v1/random` [rejects](Unknown::Reject) them
//!   with a 400 naming the parameter.
//! - A raw query longer than [`MAX_QUERY`] (4 KiB) is answered 414 URI Too Long before any
//!   decoding. (Longer request lines are cut off earlier by the connection's header buffer
//!   limit, which answers 431.)
//!
//! Every error is an [`ApiError`], so the answer is `{"success": false, "error": "..."}`.

use std::collections::HashMap;

use axum::http::StatusCode;

use crate::error::ApiError;

/// Longest raw query string accepted: 4 KiB.
pub(crate) const MAX_QUERY: usize = 4096;

/// Decoded parameters by name.
pub(crate) type Params = HashMap<String, String>;

/// What to do with a parameter not in the allowed list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unknown {
    /// Answer 400 naming it (`/api/v1/random`).
    Reject,
    /// Skip it, as the ANU service does (`/API/jsonI.php`).
    Ignore,
}

/// Parses `query` into a map of decoded names and values, refusing duplicates of allowed
/// parameters, and unknown ones unless `unknown` is [`Unknown::Ignore`].
pub(crate) fn parse(
    query: Option<&str>,
    allowed: &[&str],
    unknown: Unknown,
) -> Result<Params, ApiError> {
    let query = query.unwrap_or("");
    if query.len() > MAX_QUERY {
        return Err(ApiError::new(
            StatusCode::URI_TOO_LONG,
            format!(
                "query string too long ({} bytes, limit {MAX_QUERY})",
                query.len()
            ),
        ));
    }
    let mut map = Params::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key.is_empty() && value.is_empty() {
            continue;
        }
        if !allowed.contains(&key.as_ref()) {
            match unknown {
                Unknown::Ignore => continue,
                Unknown::Reject => {
                    return Err(ApiError::bad_request(format!(
                        "unknown parameter '{}'",
                        printable(&key)
                    )));
                }
            }
        }
        if map.contains_key(key.as_ref()) {
            return Err(ApiError::bad_request(format!(
                "parameter '{key}' given more than once"
            )));
        }
        map.insert(key.into_owned(), value.into_owned());
    }
    Ok(map)
}

/// `text` cut to 64 characters with control characters escaped, for error messages that
/// echo what a client sent.
pub(crate) fn printable(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(64)
        .flat_map(char::escape_default)
        .collect();
    if text.chars().nth(64).is_some() {
        out.push('…');
    }
    out
}

/// An integer parameter in `range`; `default` when absent (`None` = required).
pub(crate) fn integer(
    map: &Params,
    key: &str,
    range: std::ops::RangeInclusive<usize>,
    default: Option<usize>,
) -> Result<usize, ApiError> {
    let Some(text) = map.get(key) else {
        return default
            .ok_or_else(|| ApiError::bad_request(format!("parameter '{key}' is required")));
    };
    let value: usize = text.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "parameter '{key}' must be an integer from {} to {}, got '{}'",
            range.start(),
            range.end(),
            printable(text)
        ))
    })?;
    if !range.contains(&value) {
        return Err(ApiError::bad_request(format!(
            "parameter '{key}' must be from {} to {}, got {value}",
            range.start(),
            range.end()
        )));
    }
    Ok(value)
}

/// The value of `key`, if given.
pub(crate) fn get<'a>(map: &'a Params, key: &str) -> Option<&'a str> {
    map.get(key).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALLOWED: &[&str] = &["length", "type", "size"];

    #[test]
    fn decodes_percent_escapes_and_plus() {
        let map = parse(Some("type=uint%38&length=%31%30"), ALLOWED, Unknown::Reject).unwrap();
        assert_eq!(get(&map, "type"), Some("uint8"));
        assert_eq!(integer(&map, "length", 1..=1024, None).unwrap(), 10);
        let map = parse(Some("%74ype=a+b&&size"), ALLOWED, Unknown::Reject).unwrap();
        assert_eq!(get(&map, "type"), Some("a b"));
        assert_eq!(get(&map, "size"), Some(""));
    }

    #[test]
    fn unknown_parameters_are_ignored_or_rejected() {
        let map = parse(Some("length=1&_=123&x"), ALLOWED, Unknown::Ignore).unwrap();
        assert_eq!(map.len(), 1);
        let err = parse(Some("length=1&_=123"), ALLOWED, Unknown::Reject).unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert!(err.message.contains("'_'"), "{}", err.message);
    }

    #[test]
    fn duplicates_even_when_encoded_differently_are_400() {
        for unknown in [Unknown::Ignore, Unknown::Reject] {
            let err = parse(Some("length=1&len%67th=2"), ALLOWED, unknown).unwrap_err();
            assert_eq!(err.status, StatusCode::BAD_REQUEST);
            assert!(err.message.contains("length"));
        }
        // Repeated unknown parameters are ignored on the legacy route.
        assert!(parse(Some("_=1&_=2"), ALLOWED, Unknown::Ignore).is_ok());
    }

    #[test]
    fn long_queries_are_414_and_echoes_are_bounded() {
        let long = format!("length=1&x={}", "a".repeat(MAX_QUERY));
        let err = parse(Some(&long), ALLOWED, Unknown::Ignore).unwrap_err();
        assert_eq!(err.status, StatusCode::URI_TOO_LONG);
        assert!(err.message.contains("query string"));
        let ok = "a".repeat(MAX_QUERY - 2);
        assert!(parse(Some(&format!("x={ok}")), ALLOWED, Unknown::Ignore).is_ok());
        assert_eq!(printable("a\nb"), "a\\nb");
        assert_eq!(printable(&"z".repeat(100)).chars().count(), 65);
    }
}
