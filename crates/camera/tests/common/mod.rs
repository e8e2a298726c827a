//! A loopback HTTP server that plays webcams, good and bad, for the camera tests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use image::{ImageBuffer, ImageFormat, Rgb};

/// A noisy `width × height` image (a gradient plus pseudo-random noise from `seed`).
pub(crate) fn noisy_image(width: u32, height: u32, seed: u64, format: ImageFormat) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let img = ImageBuffer::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let n = (state & 0x3f) as u32;
        Rgb([
            ((x + n) % 256) as u8,
            ((y * 2 + n) % 256) as u8,
            ((x + y + n) % 256) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A valid PNG header declaring `width × height` pixels, with no pixel data worth the name.
pub(crate) fn png_bomb_header(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    // A first IDAT chunk (the start of a zlib stream), as a real bomb would carry; decoders
    // read the header chunks up to here.
    for (kind, data) in [
        (&b"IDAT"[..], &[0x78u8, 0x9c, 0xed, 0xc1, 0x01][..]),
        (b"IEND", &[]),
    ] {
        let mut chunk = kind.to_vec();
        chunk.extend_from_slice(data);
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    out
}

/// The test webcam server: `http://127.0.0.1:PORT/<path>`.
pub(crate) struct Server {
    pub(crate) port: u16,
    pub(crate) hits: Arc<AtomicU64>,
}

impl Server {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

/// Routes: `fresh-<group>.jpg|png` (a new noisy frame per request), `same.jpg` (always the
/// same bytes), `truncated.jpg`, `html` (status 200, an HTML page), `missing` (404), `slow`
/// (headers, then silence), `bomb.png` (a 50,000 × 50,000 header), `endless` (a body that
/// never ends), `big.jpg` (a valid 1280 × 720 JPEG).
pub(crate) fn start() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&hits);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            thread::spawn(move || serve(stream, n));
        }
    });
    Server { port, hits }
}

fn respond(stream: &mut TcpStream, status: &str, content_type: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

fn serve(mut stream: TcpStream, n: u64) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_or(true, |r| r == 0) || line == "\r\n" {
            break;
        }
    }
    let path = request
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .trim_start_matches('/')
        .to_string();
    match path.as_str() {
        p if p.starts_with("fresh-") && p.ends_with(".jpg") => {
            respond(
                &mut stream,
                "200 OK",
                "image/jpeg",
                &noisy_image(96, 64, n + 1, ImageFormat::Jpeg),
            );
        }
        p if p.starts_with("fresh-") && p.ends_with(".png") => {
            respond(
                &mut stream,
                "200 OK",
                "image/png",
                &noisy_image(96, 64, n + 1, ImageFormat::Png),
            );
        }
        "same.jpg" => respond(
            &mut stream,
            "200 OK",
            "image/jpeg",
            &noisy_image(96, 64, 7, ImageFormat::Jpeg),
        ),
        "big.jpg" => respond(
            &mut stream,
            "200 OK",
            "image/jpeg",
            &noisy_image(1280, 720, 3, ImageFormat::Jpeg),
        ),
        "truncated.jpg" => {
            let full = noisy_image(96, 64, 9, ImageFormat::Jpeg);
            respond(&mut stream, "200 OK", "image/jpeg", &full[..full.len() / 2]);
        }
        "html" => respond(
            &mut stream,
            "200 OK",
            "text/html",
            b"<html><body>camera offline</body></html>",
        ),
        "bomb.png" => respond(
            &mut stream,
            "200 OK",
            "image/png",
            &png_bomb_header(50_000, 50_000),
        ),
        "slow" => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\n\r\n\xff\xd8");
            thread::sleep(Duration::from_secs(30));
        }
        "endless" => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n");
            let chunk = vec![0xAAu8; 64 * 1024];
            // Stops only when the client hangs up (or after 1 GiB, to bound a broken test).
            for _ in 0..16_384 {
                if stream.write_all(&chunk).is_err() {
                    break;
                }
            }
        }
        _ => respond(&mut stream, "404 Not Found", "text/plain", b"not found"),
    }
}
