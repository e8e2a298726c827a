//! Platform generators and the vendor claims they are credited at when trusted.
//!
//! RDRAND, RDSEED, the OS generator and /dev/hwrng emit *conditioned* output: the SP 800-90B
//! estimators see a cryptographic function's output and report close to 8 bits per byte,
//! which says nothing about the noise underneath. So they are never credited from an
//! estimate. They may be mixed in uncredited (defence in depth), and a user who trusts one,
//! in the spirit of the Linux kernel's `random.trust_cpu`, names it in `--trust-platform`:
//! it is then credited at the conservative per-byte claim below, shown as `"trusted"`.
//!
//! /dev/hwrng is whatever device the kernel put behind it, so its claim depends on the device
//! ([`trusted_claim`]): a virtio device forwards the host's kernel generator and is trusted
//! only when named separately (`hwrng:virtio`), at the OS generator's figure; another device
//! is credited at half its driver's quality, and not at all when the kernel rates it at zero
//! or does not say.

use std::borrow::Cow;

use crate::PlatformDevice;

/// A documented claim of min-entropy per output byte, with where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct VendorClaim {
    /// Bits of min-entropy credited per byte.
    pub bits_per_byte: f64,
    /// The basis of the figure.
    pub basis: Cow<'static, str>,
}

/// The `--trust-platform` token that trusts /dev/hwrng when it is a virtio device (the
/// host's generator, forwarded); `hwrng` alone does not.
pub const HWRNG_VIRTIO: &str = "hwrng:virtio";

/// The platform generators and their claims.
pub const CLAIMS: &[(&str, VendorClaim)] = &[
    (
        "rdseed",
        VendorClaim {
            bits_per_byte: 4.0,
            basis: Cow::Borrowed(
                "Intel DRNG Software Implementation Guide: RDSEED output is the ENRNG \
                 (SP 800-90B/C) and full entropy; credited at half, as wellspring's safety \
                 factor halves its own measurements",
            ),
        },
    ),
    (
        "rdrand",
        VendorClaim {
            bits_per_byte: 8.0 / 1024.0,
            basis: Cow::Borrowed(
                "Intel DRNG Software Implementation Guide §4.2.5: the on-chip DRBG reseeds at \
                 least every 511 128-bit outputs, so 512 of them (8,192 bytes) carry at least \
                 128 bits of the seed's entropy: 1/64 bit per byte, halved",
            ),
        },
    ),
    (
        "os_random",
        VendorClaim {
            bits_per_byte: 8.0 / 1024.0,
            basis: Cow::Borrowed(
                "the kernel's ChaCha20 CRNG is a DRBG like RDRAND's; no per-byte claim is \
                 documented, so it gets RDRAND's: 1/128 bit per byte",
            ),
        },
    ),
];

/// The claim for a platform generator whose figure does not depend on a device, by source
/// name (`hwrng` has none here: see [`trusted_claim`]).
///
/// ```
/// use wellspring_core::accounting::trust::claim;
/// assert_eq!(claim("rdseed").unwrap().bits_per_byte, 4.0);
/// assert!(claim("hwrng").is_none());
/// assert!(claim("clock_jitter").is_none());
/// ```
pub fn claim(name: &str) -> Option<VendorClaim> {
    CLAIMS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| c.clone())
}

/// Whether a `--trust-platform` list names the source `name` (for `hwrng`, either token).
pub fn is_named(name: &str, trusted: &[String]) -> bool {
    trusted
        .iter()
        .any(|t| t == name || (name == "hwrng" && t == HWRNG_VIRTIO))
}

/// Names in a `--trust-platform` list that are not platform generators, if any.
pub fn unknown_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    names
        .into_iter()
        .filter(|n| claim(n).is_none() && *n != "hwrng" && *n != HWRNG_VIRTIO)
        .collect()
}

/// The claim a trusted platform generator is credited at, given the device behind it and
/// the `--trust-platform` list; or why it earns nothing although named.
///
/// ```
/// use wellspring_core::PlatformDevice;
/// use wellspring_core::accounting::trust::trusted_claim;
///
/// let virtio = PlatformDevice { name: "virtio_rng.0".into(), quality: Some(1024) };
/// // `hwrng` alone does not trust the host's generator forwarded by virtio...
/// assert!(trusted_claim("hwrng", Some(&virtio), &["hwrng".into()]).is_err());
/// // ...naming it does, at the OS generator's figure.
/// let c = trusted_claim("hwrng", Some(&virtio), &["hwrng:virtio".into()]).unwrap();
/// assert_eq!(c.bits_per_byte, 1.0 / 128.0);
/// // A board's generator rated 512 per 1,024 bits by its driver: half of 4 bits per byte.
/// let tpm = PlatformDevice { name: "tpm-rng-0".into(), quality: Some(512) };
/// assert_eq!(trusted_claim("hwrng", Some(&tpm), &["hwrng".into()]).unwrap().bits_per_byte, 2.0);
/// ```
pub fn trusted_claim(
    name: &str,
    device: Option<&PlatformDevice>,
    trusted: &[String],
) -> Result<VendorClaim, String> {
    if name != "hwrng" {
        return claim(name).ok_or_else(|| format!("{name} is not a platform generator"));
    }
    let Some(device) = device else {
        return Err(format!(
            "the kernel does not say which device /dev/hwrng is (no rng_current in {})",
            crate::sources::DevHwrng::CLASS_DIR
        ));
    };
    let dev = device.name.as_str();
    if dev.is_empty() || dev == "none" {
        return Err("the kernel has no hardware generator selected".into());
    }
    let named = |token: &str| trusted.iter().any(|t| t == token);
    if dev.starts_with("virtio_rng") {
        if !named(HWRNG_VIRTIO) {
            return Err(format!(
                "/dev/hwrng is {dev}, the host's generator forwarded to this VM; name \
                 {HWRNG_VIRTIO} in --trust-platform to trust it"
            ));
        }
        return Ok(VendorClaim {
            bits_per_byte: 8.0 / 1024.0,
            basis: Cow::Owned(format!(
                "{dev} forwards the host's kernel generator, a DRBG: the OS generator's \
                 figure, 1/128 bit per byte"
            )),
        });
    }
    if !named("hwrng") {
        return Err(format!(
            "{HWRNG_VIRTIO} trusts a virtio device, but /dev/hwrng is {dev}; name hwrng"
        ));
    }
    match device.quality {
        None => Err(format!(
            "the kernel reports no quality for {dev} (no rng_quality), so nothing says what \
             it is worth"
        )),
        Some(0) => Err(format!(
            "the driver of {dev} rates it at quality 0: the kernel credits it nothing, and \
             neither does wellspring"
        )),
        Some(quality) => {
            let quality = quality.min(1024);
            Ok(VendorClaim {
                bits_per_byte: 4.0 * f64::from(quality) / 1024.0,
                basis: Cow::Owned(format!(
                    "{dev}: its driver's quality, {quality} bits of entropy per 1,024 bits \
                     (the figure the kernel credits it at), halved"
                )),
            })
        }
    }
}
