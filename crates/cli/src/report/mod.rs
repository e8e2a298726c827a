//! The pieces of `wellspring report` beyond the battery itself: figures (SVG) and the
//! Markdown document.

pub(crate) mod markdown;
pub(crate) mod plots;
pub(crate) mod svg;
