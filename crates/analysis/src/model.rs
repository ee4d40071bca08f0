//! The types a plan is made of: what the rest of the product reads and stores.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a picture comes from. Offline sources need no key and no network.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Mermaid,
    Chart,
    Card,
    Unsplash,
    Pexels,
    Doubao,
    Flux,
    Zhipu,
    Dalle,
}

impl Source {
    pub const ALL: [Source; 9] = [
        Source::Mermaid,
        Source::Chart,
        Source::Card,
        Source::Unsplash,
        Source::Pexels,
        Source::Doubao,
        Source::Flux,
        Source::Zhipu,
        Source::Dalle,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Mermaid => "mermaid",
            Source::Chart => "chart",
            Source::Card => "card",
            Source::Unsplash => "unsplash",
            Source::Pexels => "pexels",
            Source::Doubao => "doubao",
            Source::Flux => "flux",
            Source::Zhipu => "zhipu",
            Source::Dalle => "dalle",
        }
    }

    pub fn parse(name: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Offline sources draw in the process and are always available.
    pub fn is_offline(self) -> bool {
        matches!(self, Source::Mermaid | Source::Chart | Source::Card)
    }

    pub fn is_stock(self) -> bool {
        matches!(self, Source::Unsplash | Source::Pexels)
    }

    pub fn is_ai(self) -> bool {
        matches!(
            self,
            Source::Doubao | Source::Flux | Source::Zhipu | Source::Dalle
        )
    }
}

/// What the writer asked for: one source for every picture, or a choice per placement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SourceRequest {
    #[default]
    Auto,
    #[serde(untagged)]
    Explicit(Source),
}

/// The role a picture plays in the article.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlacementType {
    Cover,
    Section,
    Concept,
    Atmospheric,
    Diagram,
    CodeConcept,
    Chart,
}

impl PlacementType {
    pub const ALL: [PlacementType; 7] = [
        PlacementType::Cover,
        PlacementType::Section,
        PlacementType::Concept,
        PlacementType::Atmospheric,
        PlacementType::Diagram,
        PlacementType::CodeConcept,
        PlacementType::Chart,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlacementType::Cover => "cover",
            PlacementType::Section => "section",
            PlacementType::Concept => "concept",
            PlacementType::Atmospheric => "atmospheric",
            PlacementType::Diagram => "diagram",
            PlacementType::CodeConcept => "code_concept",
            PlacementType::Chart => "chart",
        }
    }

    pub fn parse(name: &str) -> Option<PlacementType> {
        PlacementType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SectionMode {
    All,
    #[default]
    Smart,
    None,
}

/// How a Mermaid picture goes into the article.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MermaidMode {
    /// A link to the rendered SVG.
    #[default]
    Image,
    /// A fenced `mermaid` block that the reader's renderer draws.
    Code,
}

/// The file format the offline sources deliver: SVG, or PNG rasterised from it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    #[default]
    Svg,
    Png,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Zh,
    En,
}

/// The rules of a plan, as a request's `options` gives them; absent fields keep the defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PlanOptions {
    pub source: SourceRequest,
    /// Online sources whose keys are configured; offline sources are always available.
    pub available: Vec<Source>,
    pub cover: bool,
    pub sections: SectionMode,
    /// A paragraph this long (words, or CJK characters) gets an atmospheric picture.
    pub long_paragraph: usize,
    /// Top-level blocks that must stand between two pictures.
    pub min_gap: usize,
    pub max_images: usize,
    pub mermaid_mode: MermaidMode,
    /// What the offline sources (mermaid, chart, card) deliver.
    pub image_format: ImageFormat,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            source: SourceRequest::Auto,
            available: Vec::new(),
            cover: true,
            sections: SectionMode::Smart,
            long_paragraph: 150,
            min_gap: 3,
            max_images: 10,
            mermaid_mode: MermaidMode::Image,
            image_format: ImageFormat::Svg,
        }
    }
}

/// Whether the article reads as technical, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Classification {
    pub technical: bool,
    pub score: f64,
    /// 0.0 to 1.0: how far the score is from the threshold.
    pub confidence: f64,
    pub reasons: Vec<String>,
}

/// A GFM table's cells, for the chart source.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TableData {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One picture the plan wants, and where it goes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Placement {
    /// Position in the plan, 0-based, in document order.
    pub index: u32,
    #[serde(rename = "type")]
    pub kind: PlacementType,
    pub source: Source,
    /// Sources to try, in order, when `source` fails for good.
    pub fallbacks: Vec<Source>,
    /// Byte offset in the original input where the picture block goes: always a line start
    /// between two top-level blocks (or the end of the input).
    pub offset: usize,
    /// The heading of the section the picture belongs to, if any.
    pub heading: Option<String>,
    /// A short text from the content, for cards and captions.
    pub excerpt: String,
    pub prompt: String,
    pub alt: String,
    /// Mermaid code for diagram placements drawn by the mermaid source.
    pub mermaid: Option<String>,
    /// The table a chart placement draws.
    pub table: Option<TableData>,
    /// Byte range of a picture this product inserted earlier at this place, which the new
    /// picture replaces instead of being added beside it.
    pub replaces: Option<(usize, usize)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    pub language: Language,
    pub title: Option<String>,
    pub classification: Classification,
    pub placements: Vec<Placement>,
}

/// A drawn picture to splice in for one placement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Picture {
    /// The placement this picture fills.
    pub index: u32,
    pub url: String,
    pub alt: String,
    /// With `MermaidMode::Code`, the Mermaid source goes in as a fenced block instead of a link.
    pub mermaid_code: Option<String>,
    /// The credit a stock photo's licence asks for, written on the line under the picture.
    #[serde(default)]
    pub credit: Option<Credit>,
}

/// Who took a stock photo and where it comes from, with the links its licence asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Credit {
    pub author: String,
    pub author_url: String,
    /// The stock site's name, e.g. `Unsplash`.
    pub site: String,
    pub site_url: String,
}

impl Placement {
    /// The file the picture is stored under next to the article, e.g. `images/01-cover.svg`:
    /// 1-based index, type, and the extension the source usually delivers (offline sources
    /// draw SVG, stock photos are JPEG, AI images PNG).
    pub fn file_name(&self) -> String {
        let ext = match self.source {
            s if s.is_offline() => "svg",
            s if s.is_stock() => "jpg",
            _ => "png",
        };
        format!(
            "images/{:02}-{}.{ext}",
            self.index + 1,
            self.kind.as_str().replace('_', "-")
        )
    }
}
