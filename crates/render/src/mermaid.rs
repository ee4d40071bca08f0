//! Mermaid diagrams, parsed and drawn in process by mermaid-rs-renderer.

use std::panic::{AssertUnwindSafe, catch_unwind};

use mermaid_rs_renderer::{Theme, compute_layout, parse_mermaid_strict, render_svg};

use crate::{RenderError, Rendered, SVG, fonts};

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
    let layout_config = mermaid_rs_renderer::LayoutConfig {
        fast_text_metrics: true,
        ..Default::default()
    };

    let drawn = catch_unwind(AssertUnwindSafe(|| {
        let layout = compute_layout(&parsed.graph, &theme, &layout_config);
        render_svg(&layout, &theme, &layout_config)
    }));
    let svg = drawn.map_err(|panic| RenderError::LayoutFailed(panic_text(&panic)))?;

    if svg.contains("Syntax error in text") {
        return Err(RenderError::BadMermaid(
            "the renderer drew its syntax-error picture".into(),
        ));
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

    check_flowchart_balance(code)?;

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

/// Reads the size of the root `<svg>` element in whole pixels: its `width` and `height`,
/// or its `viewBox` where those are relative (the mindmap is drawn `width="100%"`).
fn root_size(svg: &str) -> Option<(u32, u32)> {
    let start = svg.find("<svg")?;
    let end = start + svg[start..].find('>')?;
    let tag = &svg[start..end];

    let attr = |name: &str| -> Option<&str> {
        let marker = format!(" {name}=\"");
        let from = tag.find(&marker)? + marker.len();
        let to = from + tag[from..].find('"')?;
        Some(&tag[from..to])
    };
    let pixels = |value: &str| -> Option<u32> {
        let value: f32 = value.trim().trim_end_matches("px").parse().ok()?;
        (value.is_finite() && value > 0.0).then(|| value.round().max(1.0) as u32)
    };

    let direct = attr("width")
        .and_then(pixels)
        .zip(attr("height").and_then(pixels));
    direct.or_else(|| {
        let view_box: Vec<&str> = attr("viewBox")?.split_whitespace().collect();
        pixels(view_box.get(2)?).zip(pixels(view_box.get(3)?))
    })
}

/// Brackets and quotes of every flowchart line must close: mermaid.js rejects
/// `A[unclosed --> B`, which the in-process parser reads leniently.
fn check_flowchart_balance(code: &str) -> Result<(), RenderError> {
    let mut lines = code
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("%%"));
    let header = lines.next().unwrap_or("");
    if !(header.starts_with("flowchart") || header.starts_with("graph")) {
        return Ok(());
    }

    for (number, line) in code.lines().enumerate().skip(1) {
        let mut stack: Vec<char> = Vec::new();
        let mut quoted = false;
        for c in line.chars() {
            match c {
                '"' => quoted = !quoted,
                _ if quoted => {}
                '[' | '(' | '{' => stack.push(c),
                ']' | ')' | '}' => {
                    let open = match c {
                        ']' => '[',
                        ')' => '(',
                        _ => '{',
                    };
                    if stack.pop() != Some(open) {
                        return Err(unbalanced(number, line));
                    }
                }
                _ => {}
            }
        }
        if quoted || !stack.is_empty() {
            return Err(unbalanced(number, line));
        }
    }
    Ok(())
}

fn unbalanced(number: usize, line: &str) -> RenderError {
    RenderError::BadMermaid(format!(
        "line {}: unbalanced brackets or quotes in `{}`",
        number + 1,
        line.trim()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_size_reads_the_svg_element_only() {
        let svg = r#"<svg xmlns="x" width="315.2" height="84"><rect width="9" height="9"/></svg>"#;

        assert_eq!(root_size(svg), Some((315, 84)));

        let relative = r#"<svg width="100%" viewBox="0 0 474.3 149.01" style="max-width: 474px;">"#;
        assert_eq!(root_size(relative), Some((474, 149)));
    }

    #[test]
    fn flowchart_brackets_must_close() {
        assert!(check_flowchart_balance("flowchart TD\n  A[unclosed --> B\n").is_err());
        assert!(check_flowchart_balance("graph TD\n  A[\"open] --> B\n").is_err());
        assert!(
            check_flowchart_balance("flowchart TD\n  A[\"a [quoted) one\"] --> B{ok}\n").is_ok()
        );
        assert!(check_flowchart_balance("sequenceDiagram\n  A->>B: list [x\n").is_ok());
    }

    #[test]
    fn comments_only_is_empty() {
        assert_eq!(
            validate_mermaid("  \n%% nothing\n"),
            Err(RenderError::EmptyMermaid)
        );
    }
}
