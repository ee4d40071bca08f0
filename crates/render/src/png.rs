//! Rasterises an SVG to PNG with resvg and the system fonts.

use resvg::{tiny_skia, usvg};

use crate::RenderError;
use crate::fonts;

/// Largest side a PNG may have; bigger canvases are refused instead of allocating gigabytes.
const MAX_SIDE: u32 = 8192;

/// Parses an SVG the way [`to_png`] does, with the system fonts and this crate's fallbacks.
pub(crate) fn parse(svg: &[u8]) -> Result<usvg::Tree, RenderError> {
    let options = usvg::Options {
        font_family: fonts::default_family(),
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

/// The characters of an SVG's text that no installed font can draw: they would show as
/// empty boxes. Empty on a machine with the fonts [`crate::fonts::SANS`] names.
pub fn missing_glyphs(svg: &[u8]) -> Result<Vec<char>, RenderError> {
    let tree = parse(svg)?;
    let mut missing = Vec::new();
    collect_missing(tree.root(), &mut missing);
    Ok(missing)
}

fn collect_missing(group: &usvg::Group, missing: &mut Vec<char>) {
    for node in group.children() {
        match node {
            usvg::Node::Group(child) => collect_missing(child, missing),
            usvg::Node::Text(text) => {
                let glyphs = text
                    .layouted()
                    .iter()
                    .flat_map(|span| &span.positioned_glyphs);
                let unknown = glyphs.filter(|glyph| glyph.id.0 == 0);
                missing.extend(
                    unknown
                        .flat_map(|glyph| glyph.text.chars())
                        .filter(|c| !c.is_whitespace()),
                );
            }
            _ => {}
        }
    }
}
