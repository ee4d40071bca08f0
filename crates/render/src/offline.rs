//! Drawing one placement with an offline source: the entry point the workers call.

use illustrator_analysis::{Placement, PlacementType, Source};

use crate::{CardSpec, RenderError, Rendered, render_card, render_chart, render_mermaid};

/// Draws a placement with an offline source (mermaid, chart, card).
///
/// A chart is titled with the section heading, falling back to the picture's alt text; a
/// cover card shows the article title over the excerpt, any other card the section
/// heading over the excerpt, all in the palette of the article title. Fallbacks to other
/// sources are the caller's: this returns the error of the source asked for.
pub fn render_offline(
    source: Source,
    placement: &Placement,
    article_title: Option<&str>,
) -> Result<Rendered, RenderError> {
    let article_title = article_title.map(str::trim).filter(|t| !t.is_empty());

    match source {
        Source::Mermaid => {
            let code = placement
                .mermaid
                .as_deref()
                .ok_or(RenderError::MissingInput {
                    what: "mermaid",
                    missing: "Mermaid code",
                })?;
            render_mermaid(code)
        }
        Source::Chart => {
            let table = placement.table.as_ref().ok_or(RenderError::MissingInput {
                what: "chart",
                missing: "a table",
            })?;
            let title = placement.heading.as_deref().unwrap_or(&placement.alt);
            render_chart(table, title)
        }
        Source::Card => render_card(&card_spec(placement, article_title)),
        other => Err(RenderError::NotOffline(other.as_str())),
    }
}

fn card_spec<'a>(placement: &'a Placement, article_title: Option<&'a str>) -> CardSpec<'a> {
    let heading = placement
        .heading
        .as_deref()
        .filter(|h| !h.trim().is_empty());
    let title = if placement.kind == PlacementType::Cover {
        article_title.or(heading)
    } else {
        heading.or(article_title)
    };

    CardSpec {
        title: title.unwrap_or(&placement.alt),
        subtitle: &placement.excerpt,
        kind: placement.kind,
        seed: article_title.or(title).unwrap_or(""),
    }
}
