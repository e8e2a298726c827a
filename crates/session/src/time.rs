//! UTC timestamps without a date-time dependency: the civil date of a Unix time, by the
//! days-from-civil inverse of Howard Hinnant's `chrono`-compatible algorithms (public
//! domain, <http://howardhinnant.github.io/date_algorithms.html>).

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds and nanoseconds since the Unix epoch, now.
pub fn now() -> (u64, u32) {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (d.as_secs(), d.subsec_nanos())
}

/// (year, month, day, hour, minute, second) of a Unix time.
fn civil(secs: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (rem / 3_600) as u32,
        (rem % 3_600 / 60) as u32,
        (rem % 60) as u32,
    )
}

/// `20261201T220300Z`: the session folder's prefix (also the CLI's monitor snapshots).
pub fn compact(secs: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(secs);
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

/// `2026-12-01T22:03:00.123Z` (RFC 3339, milliseconds).
pub(crate) fn rfc3339(secs: u64, nanos: u32) -> String {
    let (y, mo, d, h, mi, s) = civil(secs);
    format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
        nanos / 1_000_000
    )
}

/// Seconds since the Unix epoch of an `rfc3339` timestamp written by this module.
pub(crate) fn parse_rfc3339(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[10] != b'T' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi) = (num(11..13)?, num(14..16)?);
    let seconds: f64 = text.get(17..text.len() - 1)?.parse().ok()?;
    let (yy, mm) = if mo <= 2 {
        (y - 1, mo + 9)
    } else {
        (y, mo - 3)
    };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * mm + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + h * 3_600 + mi * 60) as f64 + seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(compact(0), "19700101T000000Z");
        // 2000-02-29 12:34:56 UTC = 951827696 (a leap day).
        assert_eq!(compact(951_827_696), "20000229T123456Z");
        // 2026-12-01 22:03:00 UTC = 1796162580.
        assert_eq!(compact(1_796_162_580), "20261201T220300Z");
        assert_eq!(
            rfc3339(1_796_162_580, 123_456_789),
            "2026-12-01T22:03:00.123Z"
        );
        assert_eq!(
            parse_rfc3339("2026-12-01T22:03:00.123Z"),
            Some(1_796_162_580.123)
        );
        assert_eq!(
            parse_rfc3339("2000-02-29T12:34:56.000Z"),
            Some(951_827_696.0)
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
