//! The offline picture sources: Mermaid diagrams, charts from tables and typographic cards,
//! drawn as SVG in process, plus the PNG rasteriser that checks and previews them.
//!
//! This crate does no network or database I/O and holds no state apart from the system
//! font database, loaded once for rasterising. Every function is deterministic: the same
//! input gives the same bytes.

mod card;
mod chart;
mod error;
pub mod fonts;
mod mermaid;
mod offline;
mod palette;
mod png;
pub mod text;
mod xml;

pub use card::{CardSpec, render_card};
pub use chart::{parse_number, render_chart};
pub use error::RenderError;
pub use mermaid::{render_mermaid, validate_mermaid};
pub use offline::render_offline;
pub use palette::{Palette, for_seed as palette_for_seed};
pub use png::{missing_glyphs, to_png};
pub use xml::escape as escape_xml;

/// The content type of every picture this crate draws.
pub const SVG: &str = "image/svg+xml";

/// Drawn picture bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

/// Reads an SVG back and reports its size: the check that drawn output is well-formed
/// XML and a usable SVG, for tests and for callers that accept SVG from elsewhere.
pub fn check_svg(svg: &[u8]) -> Result<(u32, u32), RenderError> {
    let tree = png::parse(svg)?;
    let size = tree.size().to_int_size();
    Ok((size.width(), size.height()))
}
