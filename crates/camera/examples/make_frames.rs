//! Writes noisy camera-like PNG frames for benchmarks and demos:
//! `cargo run --release -p wellspring-camera --example make_frames -- DIR COUNT [WIDTH HEIGHT]`
//! writes `DIR/g0/frame.png` … `DIR/g{COUNT-1}/frame.png`, one folder per group.

use image::{ImageBuffer, Rgb};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: make_frames DIR COUNT [WIDTH HEIGHT]");
        std::process::exit(2);
    }
    let dir = std::path::Path::new(&args[1]);
    let count: u64 = args[2].parse().expect("COUNT is a number");
    let width: u32 = args.get(3).map_or(1280, |w| w.parse().expect("WIDTH"));
    let height: u32 = args.get(4).map_or(720, |h| h.parse().expect("HEIGHT"));
    for g in 0..count {
        let mut state = 0x9E37_79B9_7F4A_7C15u64.wrapping_mul(g + 1) | 1;
        let img = ImageBuffer::from_fn(width, height, |x, y| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let n = (state & 0x1f) as u32;
            Rgb([
                ((x / 5 + n) % 256) as u8,
                ((y / 3 + n + g as u32 * 40) % 256) as u8,
                ((x + y) / 8 % 256) as u8,
            ])
        });
        let sub = dir.join(format!("g{g}"));
        std::fs::create_dir_all(&sub).expect("create folder");
        img.save(sub.join("frame.png")).expect("write PNG");
    }
}
