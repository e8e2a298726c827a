//! A snapshot as a webcam or image folder delivers it: `decode` under the default
//! 12-Mpixel cap, then cutting the frame into regions as the prefetcher does (32-pixel
//! regions, at most 100 kept), and into 4-pixel regions so that small inputs reach the
//! region code too.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wellspring_camera::decode::decode;
use wellspring_camera::regions::slice_at_most;

fuzz_target!(|data: &[u8]| {
    let Ok(frame) = decode(data, 12_000_000) else {
        return;
    };
    let pixels = u64::from(frame.width) * u64::from(frame.height);
    assert!(pixels <= 12_000_000);
    assert_eq!(frame.rgb.len() as u64, 3 * pixels);
    for (size, max_kept) in [(32u32, 100usize), (4, 16)] {
        let (kept, flat) = slice_at_most(&frame, size, max_kept);
        let grid = (frame.width / size) as usize * (frame.height / size) as usize;
        assert!(kept.len() <= max_kept && kept.len() + flat <= grid);
        let side = size as usize;
        assert!(kept.iter().all(|r| r.rgb.len() == 3 * side * side));
    }
});
