//! Checks shared by the test suites: well-formed XML, a PNG that shows something, and
//! text drawn with real glyphs.
#![allow(dead_code)]

use illustrator_render::{Rendered, fonts, missing_glyphs, to_png};
use resvg::tiny_skia::Pixmap;
use resvg::usvg::roxmltree;

/// Parses the SVG as XML, renders it, and checks it is not blank; returns the PNG pixels.
pub fn check(picture: &Rendered) -> Pixmap {
    assert_eq!(picture.content_type, "image/svg+xml");
    assert!(picture.width > 0 && picture.height > 0);

    let text = std::str::from_utf8(&picture.bytes).expect("SVG is UTF-8");
    let doc = roxmltree::Document::parse(text).expect("SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");

    let png = to_png(&picture.bytes).expect("SVG rasterises");
    let pixmap = Pixmap::decode_png(&png).expect("PNG decodes");
    assert_eq!(
        (pixmap.width(), pixmap.height()),
        (picture.width, picture.height)
    );

    let inked = inked_fraction(&pixmap);
    assert!(
        inked > 0.01,
        "only {:.4} of the pixels differ from the background",
        inked
    );
    pixmap
}

/// The share of pixels that differ from the top-left one (the background).
pub fn inked_fraction(pixmap: &Pixmap) -> f64 {
    let pixels = pixmap.pixels();
    let background = pixels[0];
    let differing = pixels.iter().filter(|p| **p != background).count();
    differing as f64 / pixels.len() as f64
}

/// Checks every character is drawn with a real glyph, where a CJK font is installed;
/// without one only the blank check above applies.
pub fn check_glyphs(picture: &Rendered) {
    if !fonts::has_cjk_font() {
        eprintln!("no CJK font installed: glyph coverage not checked");
        return;
    }
    let missing = missing_glyphs(&picture.bytes).expect("SVG parses");
    assert!(missing.is_empty(), "drawn as boxes: {missing:?}");
}

/// The SVG as text, for content assertions.
pub fn svg_text(picture: &Rendered) -> &str {
    std::str::from_utf8(&picture.bytes).expect("SVG is UTF-8")
}
