//! Strict query-string parsing: every parameter at most once, every value checked, and each
//! error naming the parameter. (axum's `Query` would silently take one of two duplicates.)

use std::collections::HashMap;

use crate::error::ApiError;

/// Longest query string accepted.
pub(crate) const MAX_QUERY: usize = 4096;

/// Parses `query` into a map, refusing unknown and duplicate parameters.
pub(crate) fn parse<'a>(
    query: Option<&'a str>,
    allowed: &[&str],
) -> Result<HashMap<&'a str, &'a str>, ApiError> {
    let query = query.unwrap_or("");
    if query.len() > MAX_QUERY {
        return Err(ApiError::bad_request(format!(
            "query string too long ({} bytes, limit {MAX_QUERY})",
            query.len()
        )));
    }
    let mut map = HashMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if !allowed.contains(&key) {
            return Err(ApiError::bad_request(format!("unknown parameter '{key}'")));
        }
        if map.insert(key, value).is_some() {
            return Err(ApiError::bad_request(format!(
                "parameter '{key}' given more than once"
            )));
        }
    }
    Ok(map)
}

/// An integer parameter in `range`; `default` when absent (`None` = required).
pub(crate) fn integer(
    map: &HashMap<&str, &str>,
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
            "parameter '{key}' must be an integer from {} to {}, got '{text}'",
            range.start(),
            range.end()
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
