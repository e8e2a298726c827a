//! The random routes' JSON bodies, written straight into one string: a 1,024-element array
//! built as `serde_json::Value`s cost an allocation per element and a second pass to
//! serialize. The output is byte for byte what `serde_json` writes for the same document
//! (keys in sorted order), which the tests check.

use std::io::Write as _;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `v` in decimal (what `write!` does, without the formatting machinery).
fn push_decimal(out: &mut Vec<u8>, mut v: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// Each byte value's decimal text followed by a comma, and how long that is: the uint8
/// body is a lookup per byte (profiled: formatting was a tenth of the server's CPU).
const BYTE_TEXT: [([u8; 4], usize); 256] = {
    let mut table = [([0u8; 4], 0usize); 256];
    let mut v = 0;
    while v < 256 {
        let (text, len) = &mut table[v];
        let (h, t, o) = ((v / 100) as u8, (v / 10 % 10) as u8, (v % 10) as u8);
        *len = if v >= 100 {
            *text = [b'0' + h, b'0' + t, b'0' + o, b','];
            4
        } else if v >= 10 {
            *text = [b'0' + t, b'0' + o, b',', 0];
            3
        } else {
            *text = [b'0' + o, b',', 0, 0];
            2
        };
        v += 1;
    }
    table
};

/// The body written as ASCII bytes: a `String` without re-checking it.
fn ascii(out: Vec<u8>) -> String {
    String::from_utf8(out).expect("bodies are ASCII")
}

/// `{"data":[..],"length":N,"success":true,"type":"uint8"}`.
pub(crate) fn uint8(bytes: &[u8]) -> String {
    const HEAD: &[u8] = b"{\"data\":[";
    let mut out = vec![0u8; HEAD.len() + bytes.len() * 4];
    out[..HEAD.len()].copy_from_slice(HEAD);
    let mut at = HEAD.len();
    for &b in bytes {
        // A fixed 4-byte copy (one store; a slice of variable length was a memmove call
        // per byte) and a variable advance: the next number overwrites the padding.
        let (text, len) = &BYTE_TEXT[b as usize];
        out[at..at + 4].copy_from_slice(text);
        at += len;
    }
    out.truncate(at);
    out.reserve(64);
    if !bytes.is_empty() {
        out.pop(); // the last comma
    }
    let _ = write!(
        out,
        "],\"length\":{},\"success\":true,\"type\":\"uint8\"}}",
        bytes.len()
    );
    ascii(out)
}

/// `{"data":[..],"length":N,"success":true,"type":"uint16"}` from big-endian byte pairs.
pub(crate) fn uint16(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len() * 3 + 64);
    out.extend_from_slice(b"{\"data\":[");
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_decimal(&mut out, u32::from(u16::from_be_bytes([pair[0], pair[1]])));
    }
    let _ = write!(
        out,
        "],\"length\":{},\"success\":true,\"type\":\"uint16\"}}",
        bytes.len() / 2
    );
    ascii(out)
}

/// `{"data":["a3f0..",..],"length":N,"size":S,"success":true,"type":"string"}`.
pub(crate) fn hex16(bytes: &[u8], size: usize) -> String {
    let mut out = Vec::with_capacity(bytes.len() * 2 + bytes.len() / size.max(1) * 3 + 64);
    out.extend_from_slice(b"{\"data\":[");
    for (i, chunk) in bytes.chunks_exact(size).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        for b in chunk {
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 15) as usize]);
        }
        out.push(b'"');
    }
    let _ = write!(
        out,
        "],\"length\":{},\"size\":{size},\"success\":true,\"type\":\"string\"}}",
        bytes.len() / size.max(1)
    );
    ascii(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What the handlers wrote before: `serde_json` on a `json!` document.
    fn reference(kind: &str, bytes: &[u8], size: usize) -> String {
        let doc = match kind {
            "uint8" => {
                json!({"type": "uint8", "length": bytes.len(), "data": bytes, "success": true})
            }
            "uint16" => {
                let data: Vec<u16> = bytes
                    .chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                json!({"type": "uint16", "length": data.len(), "data": data, "success": true})
            }
            _ => {
                let data: Vec<String> = bytes
                    .chunks_exact(size)
                    .map(|c| c.iter().map(|b| format!("{b:02x}")).collect())
                    .collect();
                json!({"type": "string", "length": data.len(), "size": size, "data": data, "success": true})
            }
        };
        serde_json::to_string(&doc).unwrap()
    }

    #[test]
    fn byte_for_byte_what_serde_json_writes() {
        let all: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        assert_eq!(uint8(&all), reference("uint8", &all, 1));
        assert_eq!(uint8(&[]), reference("uint8", &[], 1));
        assert_eq!(uint8(&[7]), reference("uint8", &[7], 1));
        assert_eq!(uint16(&all), reference("uint16", &all, 1));
        for size in [1, 3, 16, 512] {
            assert_eq!(
                hex16(&all[..512 / size * size], size),
                reference("hex16", &all[..512 / size * size], size)
            );
        }
        assert_eq!(
            uint8(&[7]),
            r#"{"data":[7],"length":1,"success":true,"type":"uint8"}"#
        );
        // Edge values of u16.
        assert_eq!(
            uint16(&[0, 0, 255, 255, 0, 10]),
            reference("uint16", &[0, 0, 255, 255, 0, 10], 1)
        );
    }
}
