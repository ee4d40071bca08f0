//! The picture shape a placement wants, and how each provider spells it.

use illustrator_analysis::{Placement, PlacementType};

/// Covers and section pictures run across the column; concept pictures sit square.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Wide,
    Square,
}

impl Shape {
    pub(crate) fn of(placement: &Placement) -> Shape {
        match placement.kind {
            PlacementType::Cover | PlacementType::Section | PlacementType::Atmospheric => {
                Shape::Wide
            }
            PlacementType::Concept
            | PlacementType::Diagram
            | PlacementType::CodeConcept
            | PlacementType::Chart => Shape::Square,
        }
    }

    /// Width and height in pixels for a model, from the sizes its API accepts.
    pub(crate) fn pixels(self, model: &str) -> (u32, u32) {
        let wide = match model {
            "dall-e-3" => (1792, 1024),
            m if m.starts_with("gpt-image") => (1536, 1024),
            m if m.starts_with("doubao") || m.starts_with("seedream") => (1280, 720),
            // CogView and FLUX take any multiple of 32 in their range.
            _ => (1344, 768),
        };
        match self {
            Shape::Wide => wide,
            Shape::Square => (1024, 1024),
        }
    }

    /// `WIDTHxHEIGHT`, as the OpenAI-style APIs take it.
    pub(crate) fn size(self, model: &str) -> String {
        let (w, h) = self.pixels(model);
        format!("{w}x{h}")
    }
}

/// The first `max` characters of a prompt, cut at a word when it can be, for search
/// queries that providers limit in length.
pub(crate) fn query(prompt: &str, max: usize) -> String {
    let text: String = prompt.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }

    let cut: String = text.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(at) if at > max / 2 => cut[..at].to_string(),
        _ => cut,
    }
}
