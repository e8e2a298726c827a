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

impl Region {
    /// The region as a PNG image of `size × size` pixels, for display; `None` when `rgb`
    /// does not hold that many pixels.
    pub fn to_png(&self, size: u32) -> Option<Vec<u8>> {
        let image = image::RgbImage::from_raw(size, size, self.rgb.clone())?;
        let mut out = std::io::Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Png).ok()?;
        Some(out.into_inner())
    }
}

/// Most regions [`slice`] keeps from one frame (3 MB of 32-pixel regions): a frame's regions
/// are never all copied out, however large it is.
pub const MAX_REGIONS_PER_FRAME: usize = 1024;

/// Regions of `size × size` pixels in reading order (partial edges dropped), keeping only
/// those whose luma variance is at least [`MIN_VARIANCE`], and at most
/// [`MAX_REGIONS_PER_FRAME`] of them (see [`slice_at_most`]). Returns the kept regions and the
/// number dropped as flat.
pub fn slice(frame: &Frame, size: u32) -> (Vec<Region>, usize) {
    slice_at_most(frame, size, MAX_REGIONS_PER_FRAME)
}

/// Like [`slice`], but keeps at most `max_kept` regions. When the frame has more, positions
/// are examined in an order spread evenly over the whole frame (a fixed stride through the
/// grid, coprime to its size) until `max_kept` are kept; only those are copied, and they are
/// returned in reading order. Flat regions are measured in place, never copied. The flat count
/// covers the positions examined.
pub fn slice_at_most(frame: &Frame, size: u32, max_kept: usize) -> (Vec<Region>, usize) {
    let size = size as usize;
    let (w, h) = (frame.width as usize, frame.height as usize);
    if size == 0 || max_kept == 0 || frame.rgb.len() < 3 * w * h {
        return (Vec::new(), 0);
    }
    let (cols, rows) = (w / size, h / size);
    let n = cols * rows;
    let stride = if max_kept >= n { 1 } else { spread_stride(n) };
    let mut kept_at = Vec::new();
    let mut flat = 0;
    for i in 0..n {
        if kept_at.len() == max_kept {
            break;
        }
        let at = i * stride % n;
        let (top, left) = (at / cols * size, at % cols * size);
        if region_variance(frame, top, left, size) >= MIN_VARIANCE {
            kept_at.push(at);
        } else {
            flat += 1;
        }
    }
    kept_at.sort_unstable();
    let kept = kept_at
        .into_iter()
        .map(|at| {
            let (top, left) = (at / cols * size, at % cols * size);
            let mut rgb = Vec::with_capacity(3 * size * size);
            for row in top..top + size {
                let start = 3 * (row * w + left);
                rgb.extend_from_slice(&frame.rgb[start..start + 3 * size]);
            }
            Region { rgb }
        })
        .collect();
    (kept, flat)
}

/// A stride near `n / φ` that is coprime to `n`, so `i × stride mod n` visits every position
/// once while jumping across the frame.
fn spread_stride(n: usize) -> usize {
    fn gcd(mut a: usize, mut b: usize) -> usize {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    }
    let mut stride = ((n as f64 * 0.618_033_988_75) as usize).max(1);
    while gcd(stride, n) != 1 {
        stride += 1;
    }
    stride
}

/// Luma variance of the `size × size` region at (`top`, `left`), read in place.
fn region_variance(frame: &Frame, top: usize, left: usize, size: usize) -> f64 {
    let w = frame.width as usize;
    let mut acc = LumaStats::default();
    for row in top..top + size {
        let start = 3 * (row * w + left);
        acc.add(&frame.rgb[start..start + 3 * size]);
    }
    acc.variance()
}

/// Running sums of the integer luma (R + 2G + B) / 4.
#[derive(Default)]
struct LumaStats {
    n: f64,
    sum: f64,
    sum2: f64,
}

impl LumaStats {
    fn add(&mut self, rgb: &[u8]) {
        for p in rgb.chunks_exact(3) {
            let y = f64::from((u16::from(p[0]) + 2 * u16::from(p[1]) + u16::from(p[2])) / 4);
            self.n += 1.0;
            self.sum += y;
            self.sum2 += y * y;
        }
    }

    fn variance(&self) -> f64 {
        let mean = self.sum / self.n;
        self.sum2 / self.n - mean * mean
    }
}

/// Variance of the integer luma (R + 2G + B) / 4 over the pixels.
#[cfg(test)]
fn luma_variance(rgb: &[u8]) -> f64 {
    let mut acc = LumaStats::default();
    acc.add(rgb);
    acc.variance()
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

    #[test]
    fn only_the_kept_regions_are_sampled_spread_over_the_frame() {
        // 40 × 30 regions of 8 pixels, all noisy: 10 kept, from top to bottom of the frame.
        let f = frame(320, 240, |x, y| {
            [(x * 5) as u8, (y * 7) as u8, (x >> 8) as u8]
        });
        let (all, flat) = slice_at_most(&f, 8, usize::MAX);
        assert_eq!((all.len(), flat), (1200, 0));
        let (some, flat) = slice_at_most(&f, 8, 10);
        assert_eq!((some.len(), flat), (10, 0));
        // Every kept region is one of the frame's, in reading order, and they span the frame.
        let index: Vec<usize> = some
            .iter()
            .map(|r| all.iter().position(|a| a == r).unwrap())
            .collect();
        assert!(index.windows(2).all(|w| w[0] < w[1]), "{index:?}");
        assert!(index[0] < 300 && index[9] >= 900, "{index:?}");
        assert_eq!(slice(&f, 8).0.len(), 1200.min(MAX_REGIONS_PER_FRAME));
        assert_eq!(slice_at_most(&f, 8, 0), (Vec::new(), 0));
    }
}
