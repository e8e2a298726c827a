//! Decoding a 1280 × 720 JPEG and slicing it into 32 × 32 regions (target: under 10 ms on the
//! reference VM), and one LiveCam `/rng` draw with full buffers.

// criterion's macros generate undocumented functions.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use image::{ImageBuffer, ImageFormat, Rgb};
use wellspring_camera::decode::decode;
use wellspring_camera::regions::slice;
use wellspring_camera::{GroupBuffers, LiveCam, SystemClock};

/// A 1280 × 720 camera-like JPEG: gradients plus pixel noise, quality 75 (the encoder default).
fn jpeg_720p() -> Vec<u8> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let img = ImageBuffer::from_fn(1280, 720, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let n = (state & 0x1f) as u32;
        Rgb([
            ((x / 5 + n) % 256) as u8,
            ((y / 3 + n) % 256) as u8,
            ((x + y) / 8 % 256) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Jpeg).expect("encode");
    out.into_inner()
}

fn camera(c: &mut Criterion) {
    let jpeg = jpeg_720p();
    let mut g = c.benchmark_group("camera");
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    g.bench_function("decode_and_slice_1280x720_jpeg", |b| {
        b.iter(|| {
            let frame = decode(black_box(&jpeg), 40_000_000).expect("decodes");
            slice(&frame, 32)
        })
    });
    let frame = decode(&jpeg, 40_000_000).unwrap();
    let groups: Vec<String> = [
        "europe",
        "north-america",
        "south-america",
        "asia",
        "africa",
        "australia-oceania",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let buffers = Arc::new(GroupBuffers::new(&groups, 100));
    for g in &groups {
        buffers.push(
            g,
            slice(&frame, 32).0.into_iter().take(100).collect(),
            false,
        );
    }
    let rng = LiveCam::new(Some(buffers), None, Arc::new(SystemClock::default()));
    g.bench_function("livecam_draw_six_groups", |b| b.iter(|| rng.next_f64()));
    g.finish();
}

criterion_group!(benches, camera);
criterion_main!(benches);
