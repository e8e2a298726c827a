//! Small helpers shared by the timing-based sources.

use crate::clock::ticks;

/// Times `work` once per sample with the cycle counter and keeps the low byte of each
/// duration: the bits that carry the jitter.
pub(crate) fn time_each(n: usize, mut work: impl FnMut(usize)) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t0 = ticks();
        work(i);
        let t1 = ticks();
        out.push(t1.wrapping_sub(t0) as u8);
    }
    out
}

/// Declares a unit-struct source with its static [`SourceInfo`](crate::SourceInfo) and a
/// `collect` body; availability defaults to "always".
macro_rules! simple_source {
    (
        $(#[$meta:meta])*
        $ty:ident, $name:literal, $category:ident, $speed:ident, $physics:literal,
        |$n:ident| $body:block
    ) => {
        $(#[$meta])*
        #[derive(Debug, Default)]
        pub struct $ty;

        impl $crate::EntropySource for $ty {
            fn info(&self) -> &$crate::SourceInfo {
                static INFO: $crate::SourceInfo = $crate::SourceInfo {
                    name: $name,
                    category: $crate::SourceCategory::$category,
                    physics: $physics,
                    speed: $crate::SpeedClass::$speed,
                };
                &INFO
            }

            fn collect(&self, $n: usize) -> Result<Vec<u8>, $crate::SourceError> $body
        }
    };
}
pub(crate) use simple_source;

/// An I/O error from source `name`.
pub(crate) fn io_error(name: &'static str) -> impl Fn(std::io::Error) -> crate::SourceError {
    move |source| crate::SourceError::Io { name, source }
}
