//! The query-string parser of the random routes (crates/server/src/query.rs), as both routes
//! call it, then the integer parameters as the handlers read them.
//!
//! Input: one control byte (bit 0 set: no query at all), then the raw query text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wellspring_server::fuzzing::{integer, parse};

/// `/API/jsonI.php` ignores unknown parameters; `/api/v1/random` rejects them.
const ROUTES: [(&[&str], bool); 2] = [
    (&["length", "type", "size"], false),
    (&["length", "type", "size", "conditioning", "raw"], true),
];
/// The server's `MAX_QUERY`.
const MAX_QUERY: usize = 4096;
/// The handlers' `MAX_LENGTH`.
const MAX_LENGTH: usize = 1024;

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let query = (control & 1 == 0).then_some(text.as_ref());
    let too_long = query.is_some_and(|q| q.len() > MAX_QUERY);
    for (allowed, reject_unknown) in ROUTES {
        match parse(query, allowed, reject_unknown) {
            Ok(map) => {
                assert!(!too_long, "a query over {MAX_QUERY} bytes was accepted");
                assert!(map.keys().all(|k| allowed.contains(&k.as_str())));
                for (key, default) in [("length", None), ("size", Some(1)), ("missing", Some(7))] {
                    for range in [1..=MAX_LENGTH, 0..=usize::MAX] {
                        match integer(&map, key, range.clone(), default) {
                            Ok(value) => assert!(
                                range.contains(&value) || Some(value) == default,
                                "{key} = {value} outside {range:?}"
                            ),
                            Err((status, message)) => {
                                assert_eq!(status, 400, "{message}");
                                check_echo(&message);
                            }
                        }
                    }
                }
            }
            Err((status, message)) => {
                assert_eq!(status == 414, too_long, "status {status}: {message}");
                assert!(status == 400 || status == 414, "status {status}: {message}");
                check_echo(&message);
            }
        }
    }
});

/// Error messages echo what the client sent only cut short and with control characters
/// escaped.
fn check_echo(message: &str) {
    assert!(
        message.len() <= 1024,
        "unbounded echo: {} bytes",
        message.len()
    );
    assert!(
        !message.chars().any(char::is_control),
        "control character echoed: {message:?}"
    );
}
