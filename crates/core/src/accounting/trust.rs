//! Platform generators and the vendor claims they are credited at when trusted.
//!
//! RDRAND, RDSEED, the OS generator and /dev/hwrng emit *conditioned* output: the SP 800-90B
//! estimators see a cryptographic function's output and report close to 8 bits per byte,
//! which says nothing about the noise underneath. So they are never credited from an
//! estimate. They may be mixed in uncredited (defence in depth), and a user who trusts one,
//! in the spirit of the Linux kernel's `random.trust_cpu`, names it in `--trust-platform`:
//! it is then credited at the conservative per-byte claim below, shown as `"trusted"`.

/// A documented claim of min-entropy per output byte, with where it comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VendorClaim {
    /// Bits of min-entropy credited per byte.
    pub bits_per_byte: f64,
    /// The basis of the figure.
    pub basis: &'static str,
}

/// The platform generators and their claims.
pub const CLAIMS: &[(&str, VendorClaim)] = &[
    (
        "rdseed",
        VendorClaim {
            bits_per_byte: 4.0,
            basis: "Intel DRNG Software Implementation Guide: RDSEED output is the ENRNG \
                    (SP 800-90B/C) and full entropy; credited at half, as wellspring's \
                    safety factor halves its own measurements",
        },
    ),
    (
        "rdrand",
        VendorClaim {
            bits_per_byte: 8.0 / 1024.0,
            basis: "Intel DRNG Software Implementation Guide §4.2.5: the on-chip DRBG reseeds \
                    at least every 511 128-bit outputs, so 512 of them (8,192 bytes) carry \
                    at least 128 bits of the seed's entropy: 1/64 bit per byte, halved",
        },
    ),
    (
        "os_random",
        VendorClaim {
            bits_per_byte: 8.0 / 1024.0,
            basis: "the kernel's ChaCha20 CRNG is a DRBG like RDRAND's; no per-byte claim is \
                    documented, so it gets RDRAND's: 1/128 bit per byte",
        },
    ),
    (
        "hwrng",
        VendorClaim {
            bits_per_byte: 1.0,
            basis: "the kernel's hw_random core credits a device at its driver's `quality` \
                    (per mille of full entropy, often unset); wellspring credits 1 bit per \
                    byte (1/8 of full entropy) whatever the device",
        },
    ),
];

/// The claim for a platform generator, by source name.
///
/// ```
/// use wellspring_core::accounting::trust::claim;
/// assert_eq!(claim("rdseed").unwrap().bits_per_byte, 4.0);
/// assert!(claim("clock_jitter").is_none());
/// ```
pub fn claim(name: &str) -> Option<VendorClaim> {
    CLAIMS.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// Names in a `--trust-platform` list that are not platform generators, if any.
pub fn unknown_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    names.into_iter().filter(|n| claim(n).is_none()).collect()
}
