//! Decoding a snapshot (JPEG or PNG) into 8-bit RGB, refusing anything that is not an image
//! and anything whose header promises more pixels than allowed *before* allocating for it:
//! a 50,000 × 50,000 PNG is a few hundred bytes on the wire and 7.5 GB decoded.
//!
//! The pixel cap alone is not enough: a 16-bit RGBA PNG spends 8 bytes a pixel before it is
//! reduced to RGB, so the header's colour type and bit depth are checked too. The decoder's
//! own output may take at most [`BYTES_PER_PIXEL_BUDGET`] (3) bytes per capped pixel, which
//! lets any 8-bit RGB or grey image up to the cap through but refuses a 16-bit or 4-channel
//! image proportionally smaller (with the default 12 Mpixel cap: 16-bit RGBA up to 4.5 Mpixel,
//! 8-bit RGBA up to 9 Mpixel). Peak memory is then at most the decoded image plus its RGB copy,
//! 6 bytes per capped pixel (72 MB at the default cap), and only 3 for an 8-bit RGB image,
//! which is handed over without a copy.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// Bytes per capped pixel the decoder's output may use (that of 8-bit RGB).
pub const BYTES_PER_PIXEL_BUDGET: u64 = 3;

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
    /// Within the pixel cap, but its colour type (16-bit samples, an alpha channel) would
    /// decode to more than [`BYTES_PER_PIXEL_BUDGET`] bytes per capped pixel.
    #[error(
        "{color} image of {width}x{height} pixels would decode to {bytes} bytes, over the \
         budget of {budget} bytes (3 bytes per pixel of the {cap}-pixel cap)"
    )]
    OverBudget {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// The declared colour type, as the decoder names it (e.g. `Rgba16`).
        color: String,
        /// Bytes the decoder would produce.
        bytes: u64,
        /// The budget: [`BYTES_PER_PIXEL_BUDGET`] × the pixel cap.
        budget: u64,
        /// The pixel cap.
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
    let budget = max_pixels.saturating_mul(BYTES_PER_PIXEL_BUDGET);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // Belt and braces: the decoder's own allocation limit matches the byte budget.
    let mut limits = Limits::default();
    limits.max_alloc = Some(budget);
    reader.limits(limits);
    // Only the header is read here; nothing is allocated for pixels yet.
    let decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => too_large(bytes, format, max_pixels),
        e => corrupt(e),
    })?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(DecodeError::TooLarge {
            width,
            height,
            cap: max_pixels,
        });
    }
    let color = decoder.color_type();
    let decoded_bytes = decoder.total_bytes();
    if decoded_bytes > budget {
        return Err(DecodeError::OverBudget {
            width,
            height,
            color: format!("{color:?}"),
            bytes: decoded_bytes,
            budget,
            cap: max_pixels,
        });
    }
    let image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    Ok(Frame {
        width,
        height,
        // No copy for 8-bit RGB (every JPEG in colour); otherwise one RGB copy.
        rgb: image.into_rgb8().into_raw(),
    })
}

/// The error for a header the decoder refused under its allocation limit: the pixel cap's
/// error when the dimensions can still be read, a corrupt image otherwise.
fn too_large(bytes: &[u8], format: ImageFormat, max_pixels: u64) -> DecodeError {
    match ImageReader::with_format(Cursor::new(bytes), format).into_dimensions() {
        Ok((width, height)) => DecodeError::TooLarge {
            width,
            height,
            cap: max_pixels,
        },
        Err(e) => DecodeError::Corrupt(e.to_string()),
    }
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
