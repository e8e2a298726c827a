//! Cutting a frame into square regions and keeping only those with real pixel variation: a
//! region that is black (a dark scene, a lens cap) or saturated (sky, a lamp) has near-zero
//! variance and carries nothing but its position.

use crate::decode::Frame;

/// Least variance of a region's luma (in 8-bit units squared) for it to be kept. Sensor noise
/// alone gives a few units; a flat region under heavy JPEG compression gives well under 1.
pub const MIN_VARIANCE: f64 = 2.0;

/// One region: the raw RGB bytes of `size × size` pixels, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// RGB bytes, `3 × size × size`.
    pub rgb: Vec<u8>,
}

/// Regions of `size × size` pixels in reading order (partial edges dropped), keeping only
/// those whose luma variance is at least [`MIN_VARIANCE`]. Returns the kept regions and the
/// number dropped as flat.
pub fn slice(frame: &Frame, size: u32) -> (Vec<Region>, usize) {
    let size = size as usize;
    let (w, h) = (frame.width as usize, frame.height as usize);
    let mut kept = Vec::new();
    let mut flat = 0;
    if size == 0 {
        return (kept, flat);
    }
    for top in (0..h / size).map(|r| r * size) {
        for left in (0..w / size).map(|c| c * size) {
            let mut rgb = Vec::with_capacity(3 * size * size);
            for row in top..top + size {
                let start = 3 * (row * w + left);
                rgb.extend_from_slice(&frame.rgb[start..start + 3 * size]);
            }
            if luma_variance(&rgb) >= MIN_VARIANCE {
                kept.push(Region { rgb });
            } else {
                flat += 1;
            }
        }
    }
    (kept, flat)
}

/// Variance of the integer luma (R + 2G + B) / 4 over the pixels.
fn luma_variance(rgb: &[u8]) -> f64 {
    let n = (rgb.len() / 3) as f64;
    let (mut sum, mut sum2) = (0.0f64, 0.0f64);
    for p in rgb.chunks_exact(3) {
        let y = f64::from((u16::from(p[0]) + 2 * u16::from(p[1]) + u16::from(p[2])) / 4);
        sum += y;
        sum2 += y * y;
    }
    let mean = sum / n;
    sum2 / n - mean * mean
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u8; 3]) -> Frame {
        let mut rgb = Vec::new();
        for y in 0..height {
            for x in 0..width {
                rgb.extend_from_slice(&pixel(x, y));
            }
        }
        Frame { width, height, rgb }
    }

    #[test]
    fn regions_tile_the_frame_and_drop_partial_edges() {
        // 70 × 40 with 32-pixel regions: 2 × 1 whole regions.
        let f = frame(70, 40, |x, y| {
            [(x * 7 + y * 13) as u8, (x * y) as u8, (x ^ y) as u8]
        });
        let (kept, flat) = slice(&f, 32);
        assert_eq!((kept.len(), flat), (2, 0));
        assert_eq!(kept[0].rgb.len(), 3 * 32 * 32);
        // The second region's first pixel is (32, 0).
        assert_eq!(&kept[1].rgb[..3], &[(32 * 7) as u8, 0, 32]);
    }

    #[test]
    fn dark_and_saturated_regions_are_dropped() {
        // Left half black, right half white except a noisy column band.
        let f = frame(64, 32, |x, y| {
            if x < 32 {
                [0, 0, 0]
            } else if x < 40 {
                [((x * 31 + y * 17) % 251) as u8; 3]
            } else {
                [255; 3]
            }
        });
        let (kept, flat) = slice(&f, 32);
        assert_eq!((kept.len(), flat), (1, 1));
        assert_eq!(luma_variance(&[9, 9, 9, 9, 9, 9]), 0.0);
    }
}
