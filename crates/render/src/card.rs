//! Typographic cards: a cover or section picture made of the text itself.

use std::fmt::Write;

use illustrator_analysis::PlacementType;

use crate::fonts::SANS;
use crate::palette::{self, Palette};
use crate::text;
use crate::xml::{escape, n};
use crate::{RenderError, Rendered, SVG};

/// What a card shows, and the seed its colours come from.
#[derive(Clone, Copy, Debug)]
pub struct CardSpec<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    pub kind: PlacementType,
    /// The palette is derived from it (the article title, say), so every card of one
    /// article shares its colours.
    pub seed: &'a str,
}

/// Bold text runs wider than the width classes assume for regular weight.
const BOLD: f32 = 1.08;

/// The shape of one card style: canvas, margins, type sizes and line limits.
struct Layout {
    width: f32,
    height: f32,
    margin_x: f32,
    title_sizes: &'static [f32],
    title_lines: usize,
    subtitle_size: f32,
    subtitle_lines: usize,
}

const COVER: Layout = Layout {
    width: 1200.0,
    height: 630.0,
    margin_x: 96.0,
    title_sizes: &[76.0, 68.0, 60.0, 54.0, 48.0, 42.0],
    title_lines: 3,
    subtitle_size: 28.0,
    subtitle_lines: 2,
};

const SECTION: Layout = Layout {
    width: 1200.0,
    height: 400.0,
    margin_x: 88.0,
    title_sizes: &[56.0, 50.0, 44.0, 40.0, 36.0],
    title_lines: 2,
    subtitle_size: 24.0,
    subtitle_lines: 2,
};

/// Lines of one text block, at their size.
struct Block {
    lines: Vec<String>,
    size: f32,
    leading: f32,
}

impl Block {
    fn height(&self) -> f32 {
        if self.lines.is_empty() {
            0.0
        } else {
            self.lines.len() as f32 * self.size * self.leading
        }
    }
}

/// Draws a card: 1200x630 on a deep gradient for covers, 1200x400 on a pale tint for
/// every other kind. Long titles step down in size before they wrap past the line limit.
pub fn render_card(spec: &CardSpec<'_>) -> Result<Rendered, RenderError> {
    let title = collapse(spec.title);
    let subtitle = collapse(spec.subtitle);
    let (title, subtitle) = if title.is_empty() {
        (subtitle, String::new())
    } else {
        (title, subtitle)
    };
    if title.is_empty() {
        return Err(RenderError::MissingInput {
            what: "card",
            missing: "a title or subtitle",
        });
    }

    let cover = spec.kind == PlacementType::Cover;
    let layout = if cover { &COVER } else { &SECTION };
    let colours = palette::for_seed(if spec.seed.trim().is_empty() {
        &title
    } else {
        spec.seed
    });
    let text_width = layout.width - 2.0 * layout.margin_x;

    let title_block = fit_title(&title, text_width, layout);
    let subtitle_block = Block {
        lines: text::wrap_limited(
            &subtitle,
            text_width,
            layout.subtitle_size,
            layout.subtitle_lines,
        ),
        size: layout.subtitle_size,
        leading: 1.4,
    };
    let seed = collapse(spec.seed);
    let eyebrow = (!cover && !seed.is_empty() && seed != title).then(|| Block {
        lines: vec![text::ellipsize(&seed, text_width, 20.0, false)],
        size: 20.0,
        leading: 1.2,
    });

    let mut svg = String::with_capacity(4096);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{SANS}"><title>{}</title>"#,
        escape(&title),
        w = layout.width,
        h = layout.height,
    );
    if cover {
        cover_background(&mut svg, &colours)
    } else {
        section_background(&mut svg, &colours)
    }

    let gap = if subtitle_block.lines.is_empty() {
        0.0
    } else {
        28.0
    };
    let eyebrow_height = eyebrow.as_ref().map_or(0.0, |b| b.height() + 18.0);
    let rule_height = if cover { 6.0 + 32.0 } else { 0.0 };
    let total = rule_height + eyebrow_height + title_block.height() + gap + subtitle_block.height();
    let mut y = ((layout.height - total) / 2.0).max(32.0);

    let (title_fill, sub_fill, sub_opacity) = if cover {
        ("#FFFFFF", "#FFFFFF", 0.82)
    } else {
        (colours.ink, colours.ink, 0.72)
    };
    if cover {
        let _ = write!(
            svg,
            r#"<rect x="{}" y="{}" width="72" height="6" rx="3" fill="{}"/>"#,
            n(layout.margin_x),
            n(y),
            colours.accent
        );
        y += rule_height;
    }
    if let Some(eyebrow) = &eyebrow {
        y = lines(
            &mut svg,
            eyebrow,
            layout.margin_x,
            y,
            colours.deep_end,
            1.0,
            "600",
        );
        y += 18.0;
    }
    y = lines(
        &mut svg,
        &title_block,
        layout.margin_x,
        y,
        title_fill,
        1.0,
        "700",
    );
    y += gap;
    lines(
        &mut svg,
        &subtitle_block,
        layout.margin_x,
        y,
        sub_fill,
        sub_opacity,
        "400",
    );

    svg.push_str("</svg>");
    Ok(Rendered {
        bytes: svg.into_bytes(),
        content_type: SVG,
        width: layout.width as u32,
        height: layout.height as u32,
    })
}

/// The largest title size whose wrapping stays within the line limit; the smallest size,
/// cut with an ellipsis, when none does.
fn fit_title(title: &str, width: f32, layout: &Layout) -> Block {
    for size in layout.title_sizes {
        let lines = text::wrap(title, width / BOLD, *size);
        if lines.len() <= layout.title_lines {
            return Block {
                lines,
                size: *size,
                leading: 1.18,
            };
        }
    }

    let size = layout.title_sizes.last().copied().unwrap_or(40.0);
    Block {
        lines: text::wrap_limited(title, width / BOLD, size, layout.title_lines),
        size,
        leading: 1.18,
    }
}

/// Writes a block's lines from `top` down; returns the y below the block.
fn lines(
    svg: &mut String,
    block: &Block,
    x: f32,
    top: f32,
    fill: &str,
    opacity: f32,
    weight: &str,
) -> f32 {
    let line_height = block.size * block.leading;
    let ascent = block.size * 0.86 + (line_height - block.size) / 2.0;

    for (i, line) in block.lines.iter().enumerate() {
        let opacity = if opacity < 1.0 {
            format!(r#" fill-opacity="{opacity}""#)
        } else {
            String::new()
        };
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="{}" font-weight="{weight}" fill="{fill}"{opacity}>{}</text>"#,
            n(x),
            n(top + ascent + i as f32 * line_height),
            n(block.size),
            escape(line)
        );
    }
    top + block.height()
}

fn cover_background(svg: &mut String, colours: &Palette) {
    let _ = write!(
        svg,
        r##"<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="{deep}"/><stop offset="1" stop-color="{end}"/></linearGradient></defs><rect width="1200" height="630" fill="url(#bg)"/><circle cx="1080" cy="80" r="260" fill="{accent}" fill-opacity="0.14"/><circle cx="1170" cy="600" r="190" fill="#FFFFFF" fill-opacity="0.05"/><rect x="0" y="622" width="1200" height="8" fill="{accent}"/>"##,
        deep = colours.deep,
        end = colours.deep_end,
        accent = colours.accent,
    );
}

fn section_background(svg: &mut String, colours: &Palette) {
    let _ = write!(
        svg,
        r#"<rect width="1200" height="400" fill="{tint}"/><circle cx="1130" cy="40" r="210" fill="{accent}" fill-opacity="0.12"/><circle cx="1200" cy="400" r="120" fill="{deep}" fill-opacity="0.05"/><rect x="0" y="0" width="14" height="400" fill="{deep}"/>"#,
        tint = colours.tint,
        accent = colours.accent,
        deep = colours.deep,
    );
}

/// Text on one line with single spaces: titles and excerpts may carry newlines and tabs.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
