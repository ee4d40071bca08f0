//! Mermaid diagrams, parsed and drawn in process by mermaid-rs-renderer.

use std::panic::{AssertUnwindSafe, catch_unwind};

use mermaid_rs_renderer::{Theme, compute_layout, parse_mermaid_strict, render_svg};

use crate::{Rendered, RenderError, SVG, fonts};

/// The font family the renderer is told to measure labels with: a name no system has.
///
/// The renderer measures with the theme's family and writes the same family into the SVG.
/// Measuring with an installed face costs a process-wide lock, a parse of the font file per
/// label and, on first use, a copy of the face into `~/.cache/mmdr`; with a name that
/// resolves to nothing it falls back to its calibrated width tables (CJK as one em), which
/// is quick and the same on every machine. The name is then replaced in the SVG by
/// [`fonts::SANS`], which names the CJK faces viewers need.
const MEASURE_FAMILY: &str = "IllustratorLabelMetrics";

/// Checks that Mermaid code parses, without laying it out.
pub fn validate_mermaid(code: &str) -> Result<(), RenderError> {
    parse(code).map(|_| ())
}

/// Draws Mermaid code as SVG: flowchart, sequence, class, state, ER, mindmap and the other
/// kinds the renderer knows.
pub fn render_mermaid(code: &str) -> Result<Rendered, RenderError> {
    let parsed = parse(code)?;

    let mut theme = Theme::modern();
    theme.font_family = MEASURE_FAMILY.to_string();
    let mut layout_config = mermaid_rs_renderer::LayoutConfig::default();
    layout_config.fast_text_metrics = true;

    let drawn = catch_unwind(AssertUnwindSafe(|| {
        let layout = compute_layout(&parsed.graph, &theme, &layout_config);
        render_svg(&layout, &theme, &layout_config)
    }));
    let svg = drawn.map_err(|panic| RenderError::LayoutFailed(panic_text(&panic)))?;

    if svg.contains("Syntax error in text") {
        return Err(RenderError::BadMermaid("the renderer drew its syntax-error picture".into()));
    }

    let svg = svg.replace(MEASURE_FAMILY, fonts::SANS);
    let (width, height) = root_size(&svg)
        .ok_or_else(|| RenderError::InvalidSvg("the diagram has no width or height".into()))?;

    Ok(Rendered {
        bytes: svg.into_bytes(),
        content_type: SVG,
        width,
        height,
    })
}

fn parse(code: &str) -> Result<mermaid_rs_renderer::ParseOutput, RenderError> {
    let meaningful = code
        .lines()
        .map(str::trim)
        .any(|line| !line.is_empty() && !line.starts_with("%%"));
    if !meaningful {
        return Err(RenderError::EmptyMermaid);
    }

    let parsed = catch_unwind(|| parse_mermaid_strict(code))
        .map_err(|panic| RenderError::BadMermaid(panic_text(&panic)))?;
    parsed.map_err(|err| RenderError::BadMermaid(err.to_string()))
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned());
    text.unwrap_or_else(|| "the renderer stopped unexpectedly".to_string())
}

/// Reads `width` and `height` of the root `<svg>` element, rounded up to whole pixels.
fn root_size(svg: &str) -> Option<(u32, u32)> {
    let start = svg.find("<svg")?;
    let end = start + svg[start..].find('>')?;
    let tag = &svg[start..end];

    let attr = |name: &str| -> Option<u32> {
        let marker = format!(" {name}=\"");
        let from = tag.find(&marker)? + marker.len();
        let to = from + tag[from..].find('"')?;
        let value: f32 = tag[from..to].trim_end_matches("px").parse().ok()?;
        (value.is_finite() && value > 0.0).then(|| value.ceil() as u32)
    };
    Some((attr("width")?, attr("height")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_size_reads_the_svg_element_only() {
        let svg = r#"<svg xmlns="x" width="315.2" height="84"><rect width="9" height="9"/></svg>"#;

        assert_eq!(root_size(svg), Some((316, 84)));
    }

    #[test]
    fn comments_only_is_empty() {
        assert_eq!(validate_mermaid("  \n%% nothing\n"), Err(RenderError::EmptyMermaid));
    }
}
