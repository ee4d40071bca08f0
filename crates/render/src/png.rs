//! Rasterises an SVG to PNG with resvg and the system fonts.

use resvg::{tiny_skia, usvg};

use crate::RenderError;
use crate::fonts;

/// Largest side a PNG may have; bigger canvases are refused instead of allocating gigabytes.
const MAX_SIDE: u32 = 8192;

/// Parses an SVG the way [`to_png`] does, with the system fonts and this crate's fallbacks.
pub(crate) fn parse(svg: &[u8]) -> Result<usvg::Tree, RenderError> {
    let options = usvg::Options {
        font_family: "sans-serif".to_string(),
        fontdb: fonts::database(),
        font_resolver: usvg::FontResolver {
            select_font: usvg::FontResolver::default_font_selector(),
            select_fallback: fonts::fallback_selector(),
        },
        ..usvg::Options::default()
    };

    usvg::Tree::from_data(svg, &options).map_err(|err| RenderError::InvalidSvg(err.to_string()))
}

/// Draws an SVG into a PNG of the SVG's own size, on a transparent canvas where the SVG
/// paints no background.
pub fn to_png(svg: &[u8]) -> Result<Vec<u8>, RenderError> {
    let tree = parse(svg)?;

    let size = tree.size().to_int_size();
    let (width, height) = (size.width(), size.height());
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(RenderError::Png(format!(
            "{width}x{height} exceeds {MAX_SIDE} pixels a side"
        )));
    }

    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| RenderError::Png(format!("cannot allocate {width}x{height}")))?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());

    pixmap
        .encode_png()
        .map_err(|err| RenderError::Png(err.to_string()))
}
