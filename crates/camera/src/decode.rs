//! Decoding a snapshot (JPEG or PNG) into 8-bit RGB, refusing anything that is not an image
//! and anything whose header promises more pixels than allowed *before* allocating for it:
//! a 50,000 × 50,000 PNG is a few hundred bytes on the wire and 7.5 GB decoded.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

/// A decoded frame: `width × height` pixels, 3 bytes (R, G, B) each, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Pixels per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// RGB bytes, `3 × width × height` of them.
    pub rgb: Vec<u8>,
}

/// Why an image was skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Neither JPEG nor PNG (an HTML error page, say).
    #[error("not a JPEG or PNG image")]
    NotAnImage,
    /// The header declares more pixels than the cap.
    #[error("image of {width}x{height} pixels exceeds the cap of {cap} pixels")]
    TooLarge {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// The cap.
        cap: u64,
    },
    /// The image is damaged or truncated.
    #[error("cannot decode: {0}")]
    Corrupt(String),
}

/// Decodes `bytes`, allowing at most `max_pixels` pixels.
///
/// ```
/// use wellspring_camera::decode::{decode, DecodeError};
/// assert_eq!(decode(b"<html>503</html>", 1_000_000), Err(DecodeError::NotAnImage));
/// ```
pub fn decode(bytes: &[u8], max_pixels: u64) -> Result<Frame, DecodeError> {
    let format = image::guess_format(bytes).map_err(|_| DecodeError::NotAnImage)?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png) {
        return Err(DecodeError::NotAnImage);
    }
    if format == ImageFormat::Jpeg && !ends_with_eoi(bytes) {
        // zune-jpeg fills a cut-off scan with grey rather than failing; grey earns nothing
        // and would pass as a frame, so a JPEG must end with its end-of-image marker.
        return Err(DecodeError::Corrupt(
            "truncated JPEG (no end-of-image marker)".into(),
        ));
    }
    let corrupt = |e: image::ImageError| DecodeError::Corrupt(e.to_string());
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(corrupt)?;
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(DecodeError::TooLarge {
            width,
            height,
            cap: max_pixels,
        });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // Belt and braces: the decoder's own allocation limit matches the pixel cap.
    let mut limits = Limits::default();
    limits.max_alloc = Some(max_pixels.saturating_mul(8));
    reader.limits(limits);
    let image = reader.decode().map_err(corrupt)?;
    Ok(Frame {
        width,
        height,
        rgb: image.into_rgb8().into_raw(),
    })
}

/// Whether a JPEG ends with EOI (FF D9), allowing the padding some cameras append. Entropy-
/// coded data never holds FF D9 (an FF there is always followed by 00), so a file cut
/// anywhere before the marker fails this.
fn ends_with_eoi(bytes: &[u8]) -> bool {
    let end = bytes
        .iter()
        .rposition(|&b| !matches!(b, 0x00 | b'\r' | b'\n' | b' '))
        .map_or(0, |i| i + 1);
    end >= 2 && bytes[end - 2..end] == [0xFF, 0xD9]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_of_image_marker_is_required() {
        assert!(ends_with_eoi(&[0xFF, 0xD8, 1, 2, 0xFF, 0xD9]));
        assert!(ends_with_eoi(&[0xFF, 0xD8, 1, 2, 0xFF, 0xD9, 0, 0, b'\n']));
        assert!(!ends_with_eoi(&[0xFF, 0xD8, 1, 2, 0xFF, 0x00]));
        assert!(!ends_with_eoi(&[0xD9]));
    }
}
