//! Hostile feeds (issue 19): redirects that try to reach internal services, redirect loops,
//! and decode bombs that stay under the pixel cap but not under the byte budget.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use image::{ImageBuffer, ImageFormat, Rgba};
use wellspring_camera::config::CameraConfig;
use wellspring_camera::decode::{DecodeError, decode};
use wellspring_camera::fetch::{FetchError, MAX_REDIRECTS, fetch};
use wellspring_camera::regions::slice;

const TIMEOUT: Duration = Duration::from_secs(5);
const CAP: u64 = 10_000_000;

/// A loopback server that only redirects: `/to/<url>` answers 302 to `<url>`, `/chain/N/<url>`
/// answers 302 to `/chain/N-1/<url>` and `/chain/0/<url>` to `<url>`, `/loop` to itself.
struct Redirector {
    port: u16,
    hits: Arc<AtomicU64>,
}

impl Redirector {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

fn redirector() -> Redirector {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&hits);
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            counter.fetch_add(1, Ordering::Relaxed);
            thread::spawn(move || {
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
                let path = request.split_whitespace().nth(1).unwrap_or("/");
                let location = if let Some(url) = path.strip_prefix("/to/") {
                    url.to_string()
                } else if let Some(rest) = path.strip_prefix("/chain/") {
                    let (n, url) = rest.split_once('/').unwrap();
                    match n.parse::<u32>().unwrap() {
                        0 => url.to_string(),
                        n => format!("/chain/{}/{url}", n - 1),
                    }
                } else {
                    "/loop".to_string()
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            });
        }
    });
    Redirector { port, hits }
}

#[test]
fn a_redirect_to_another_host_on_an_internal_address_is_refused_before_connecting() {
    let target = common::start();
    let feed = redirector();
    // The feed is 127.0.0.1 itself, but "localhost" is another host, and it is not public.
    let url = feed.url(&format!("to/http://localhost:{}/fresh-a.jpg", target.port));
    match fetch(&url, TIMEOUT, CAP) {
        Err(FetchError::Redirect(why)) => assert!(why.contains("localhost"), "{why}"),
        other => panic!("expected a refused redirect, got {other:?}"),
    }
    assert_eq!(
        target.hits.load(Ordering::Relaxed),
        0,
        "the target was contacted"
    );
}

#[test]
fn a_redirect_within_a_lan_camera_host_is_followed() {
    let target = common::start();
    let feed = redirector();
    // Same host (127.0.0.1, the configured one), another port: allowed.
    let url = feed.url(&format!("to/{}", target.url("fresh-a.jpg")));
    let fetched = fetch(&url, TIMEOUT, CAP).expect("same-host redirect is followed");
    assert!(decode(&fetched.body, 1_000_000).is_ok());
    assert_eq!(target.hits.load(Ordering::Relaxed), 1);
}

#[test]
fn three_redirects_are_followed_and_a_fourth_is_refused() {
    let target = common::start();
    let feed = redirector();
    // /chain/2 → /chain/1 → /chain/0 → target: three redirects.
    let ok = feed.url(&format!("chain/2/{}", target.url("fresh-a.jpg")));
    assert!(fetch(&ok, TIMEOUT, CAP).is_ok());
    assert_eq!(target.hits.load(Ordering::Relaxed), 1);
    assert_eq!(feed.hits.load(Ordering::Relaxed), 3);

    // Four redirects: the target is never reached.
    let too_many = feed.url(&format!("chain/3/{}", target.url("fresh-a.jpg")));
    match fetch(&too_many, TIMEOUT, CAP) {
        Err(FetchError::Redirect(why)) => assert!(why.contains("more than 3"), "{why}"),
        other => panic!("expected too many redirects, got {other:?}"),
    }
    assert_eq!(
        target.hits.load(Ordering::Relaxed),
        1,
        "the target was contacted"
    );
    // The first request plus MAX_REDIRECTS follows, then it stops.
    assert_eq!(
        feed.hits.load(Ordering::Relaxed),
        3 + 1 + MAX_REDIRECTS as u64
    );
}

#[test]
fn a_redirect_loop_stops_after_three_hops() {
    let feed = redirector();
    assert!(matches!(
        fetch(&feed.url("loop"), TIMEOUT, CAP),
        Err(FetchError::Redirect(_))
    ));
    assert_eq!(feed.hits.load(Ordering::Relaxed), 1 + MAX_REDIRECTS as u64);
}

#[test]
fn a_redirect_to_a_non_http_scheme_is_refused() {
    let feed = redirector();
    assert!(matches!(
        fetch(&feed.url("to/file:///etc/passwd"), TIMEOUT, CAP),
        Err(FetchError::Redirect(_))
    ));
}

fn rgba16_png(width: u32, height: u32) -> Vec<u8> {
    let img: ImageBuffer<Rgba<u16>, Vec<u16>> =
        ImageBuffer::from_fn(width, height, |x, y| Rgba([x as u16, y as u16, 0, 65535]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).expect("encode");
    out.into_inner()
}

#[test]
fn the_default_pixel_cap_suits_webcams() {
    let cap = CameraConfig::default().max_pixels;
    assert!(cap <= 12_000_000, "{cap}");
    // 4K UHD, the largest webcam frame, fits.
    assert!(3840 * 2160 <= cap);
}

#[test]
fn a_16_bit_rgba_png_under_the_pixel_cap_but_over_the_byte_budget_is_refused() {
    let cap = CameraConfig::default().max_pixels;
    // 2400 × 2000 = 4.8 Mpixel, well under the cap, but 8 bytes a pixel: 38.4 MB decoded,
    // over the 3 × 12 M = 36 MB budget.
    let png = rgba16_png(2400, 2000);
    assert!(png.len() < 1_000_000, "the bomb is small on the wire");
    match decode(&png, cap) {
        Err(e @ DecodeError::OverBudget { .. }) => {
            let message = e.to_string();
            assert!(
                message.contains("Rgba16") && message.contains("2400x2000"),
                "{message}"
            );
        }
        other => panic!("expected the byte budget to refuse it, got {other:?}"),
    }
    // The same kind of image, smaller, is fine: it is the budget, not the format, that refuses.
    let small = decode(&rgba16_png(640, 480), cap).expect("a small 16-bit PNG decodes");
    assert_eq!((small.width, small.height), (640, 480));
    assert_eq!(small.rgb.len(), 3 * 640 * 480);
}

#[test]
fn a_png_over_the_pixel_cap_is_refused_from_its_header() {
    let cap = CameraConfig::default().max_pixels;
    assert!(matches!(
        decode(&common::png_bomb_header(4000, 4000), cap),
        Err(DecodeError::TooLarge { .. })
    ));
    assert!(matches!(
        decode(&common::png_bomb_header(50_000, 50_000), cap),
        Err(DecodeError::TooLarge { .. })
    ));
}

#[test]
fn ordinary_8_bit_webcam_frames_still_decode_and_slice() {
    let cap = CameraConfig::default().max_pixels;
    for format in [ImageFormat::Jpeg, ImageFormat::Png] {
        let bytes = common::noisy_image(1280, 720, 5, format);
        let frame = decode(&bytes, cap).expect("an ordinary frame decodes");
        assert_eq!((frame.width, frame.height), (1280, 720));
        let (regions, flat) = slice(&frame, 32);
        assert_eq!(regions.len() + flat, 40 * 22, "{format:?}");
        assert!(regions.len() > 800, "{format:?}: {}", regions.len());
    }
    // The largest webcam frame, 4K UHD, decodes within the default limits too.
    let uhd = common::noisy_image(3840, 2160, 6, ImageFormat::Jpeg);
    let frame = decode(&uhd, cap).expect("a 4K frame decodes");
    assert_eq!(frame.rgb.len(), 3 * 3840 * 2160);
}

/// With a proxy named in the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`), the
/// fetcher still connects directly: through a proxy only the proxy's address is resolved, so
/// the redirect guard would never see where a redirect leads (the review's blind SSRF to
/// 169.254.169.254). The environment is set for a child run of this test (setting it in a
/// threaded test process is unsound); the stand-in proxy counts every connection.
#[test]
fn proxy_variables_are_ignored() {
    if std::env::var_os("WS_PROXY_CHILD").is_some() {
        let server = common::start();
        let fetched = fetch(&server.url("fresh-europe.png"), TIMEOUT, CAP);
        assert!(fetched.is_ok(), "{fetched:?}");
        return;
    }
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_url = format!("http://127.0.0.1:{}", proxy.local_addr().unwrap().port());
    let hits = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&hits);
    thread::spawn(move || {
        for mut stream in proxy.incoming().flatten() {
            counter.fetch_add(1, Ordering::Relaxed);
            let _ = stream.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["proxy_variables_are_ignored", "--exact", "--test-threads=1"])
        .env("WS_PROXY_CHILD", "1")
        .env("HTTP_PROXY", &proxy_url)
        .env("http_proxy", &proxy_url)
        .env("HTTPS_PROXY", &proxy_url)
        .env("ALL_PROXY", &proxy_url)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        hits.load(Ordering::Relaxed),
        0,
        "a request went through the proxy"
    );
}
