//! The placement rules: where each kind of picture may go, and which of them are kept.

use std::collections::BTreeMap;

use crate::diagram;
use crate::model::{PlacementType, PlanOptions, SectionMode};
use crate::numeric;
use crate::parse::{Doc, Kind};

/// A section shorter than this (words, or CJK characters) gets no picture in smart mode.
pub const SHORT_SECTION: usize = 80;
/// A code block of fewer lines (fences included) gets no code concept picture.
pub const CODE_CONCEPT_LINES: usize = 4;

/// A place a picture could go, before the limits are applied.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub kind: PlacementType,
    pub gap: usize,
    /// The block the picture illustrates.
    pub anchor: usize,
}

impl Candidate {
    /// Lower goes first when the limits force a choice: the cover frames the article, charts
    /// and diagrams carry information, atmosphere only decorates.
    fn priority(&self) -> u8 {
        match self.kind {
            PlacementType::Cover => 0,
            PlacementType::Chart => 1,
            PlacementType::Diagram => 2,
            PlacementType::Section => 3,
            PlacementType::Concept => 4,
            PlacementType::CodeConcept => 5,
            PlacementType::Atmospheric => 6,
        }
    }
}

/// The article's title block and the level of its section headings.
pub(crate) struct Outline {
    pub title_block: Option<usize>,
    pub section_level: Option<u8>,
}

pub(crate) fn outline(doc: &Doc<'_>) -> Outline {
    let heading = |i: usize| match doc.blocks[i].kind {
        Kind::Heading(level) => Some(level),
        _ => None,
    };

    let first_content = doc
        .blocks
        .iter()
        .position(|b| !matches!(b.kind, Kind::FrontMatter { .. } | Kind::Html { .. }));
    let title_block = (0..doc.blocks.len())
        .find(|&i| heading(i) == Some(1))
        .or_else(|| first_content.filter(|&i| heading(i).is_some()));

    let levels = (0..doc.blocks.len())
        .filter(|&i| Some(i) != title_block)
        .filter_map(heading);
    let section_level = if levels.clone().any(|l| l == 2) {
        Some(2)
    } else {
        levels.min()
    };

    Outline {
        title_block,
        section_level,
    }
}

/// Every candidate the rules allow, in no particular order.
pub(crate) fn candidates(
    doc: &Doc<'_>,
    outline: &Outline,
    technical: bool,
    options: &PlanOptions,
) -> Vec<Candidate> {
    let blocks = &doc.blocks;
    let mut out = Vec::new();
    let mut push = |kind, gap: usize, anchor| {
        if doc.gaps.get(gap).copied().flatten().is_some() {
            out.push(Candidate { kind, gap, anchor });
        }
    };

    if options.cover && !blocks.is_empty() {
        let after = match outline.title_block {
            Some(t) => t + 1,
            None => blocks
                .iter()
                .take_while(|b| matches!(b.kind, Kind::FrontMatter { .. }))
                .count(),
        };
        let logo_follows = blocks
            .get(after)
            .is_some_and(|b| b.kind == Kind::Paragraph && b.pictures > 0 && b.units == 0);
        if !logo_follows {
            push(PlacementType::Cover, after, after.saturating_sub(1));
        }
    }

    for (i, block) in blocks.iter().enumerate() {
        if let Some(kind) = block_rule(doc, i, outline, technical, options) {
            let gap = if kind == PlacementType::CodeConcept {
                i
            } else {
                i + 1
            };
            push(kind, gap, i);
        }

        let prose = matches!(
            block.kind,
            Kind::Paragraph | Kind::List { .. } | Kind::Quote | Kind::Footnote
        );
        if prose && block.longest_paragraph >= options.long_paragraph.max(1) {
            push(PlacementType::Atmospheric, i + 1, i);
        }
    }

    out
}

/// The picture block `i` itself calls for, if any: a section picture after its heading,
/// a chart after a numeric table, a diagram after a list of steps or messages, a code
/// concept before a code block, a concept picture after a definition.
fn block_rule(
    doc: &Doc<'_>,
    i: usize,
    outline: &Outline,
    technical: bool,
    options: &PlanOptions,
) -> Option<PlacementType> {
    let block = &doc.blocks[i];
    let section_heading = |level: u8| {
        Some(level) == outline.section_level
            && Some(i) != outline.title_block
            && wants_section(doc, i, level, options.sections)
    };

    match &block.kind {
        Kind::Heading(level) if section_heading(*level) => Some(PlacementType::Section),
        Kind::Table
            if block
                .table
                .as_ref()
                .is_some_and(numeric::has_numeric_column) =>
        {
            Some(PlacementType::Chart)
        }
        Kind::List { .. } if technical && diagram::is_diagram_list(block) => {
            Some(PlacementType::Diagram)
        }
        Kind::Code { lang, .. }
            if lang != "mermaid"
                && doc.src[block.range.clone()].lines().count() >= CODE_CONCEPT_LINES =>
        {
            Some(PlacementType::CodeConcept)
        }
        Kind::Paragraph if block.units >= 20 && is_definition(&block.text) => {
            Some(PlacementType::Concept)
        }
        _ => None,
    }
}

/// Whether the section under heading `h` gets a picture in `mode`.
fn wants_section(doc: &Doc<'_>, h: usize, level: u8, mode: SectionMode) -> bool {
    match mode {
        SectionMode::None => false,
        SectionMode::All => true,
        SectionMode::Smart => {
            let body = section_body(doc, h, level);
            let units: usize = body.clone().map(|i| doc.blocks[i].units).sum();
            let pictures: u32 = body.map(|i| doc.blocks[i].pictures).sum();
            units >= SHORT_SECTION && pictures == 0 && doc.blocks[h].pictures == 0
        }
    }
}

/// The blocks of the section under heading `h`: up to the next heading of its level or
/// higher.
pub(crate) fn section_body(doc: &Doc<'_>, h: usize, level: u8) -> std::ops::Range<usize> {
    let end = doc.blocks[h + 1..]
        .iter()
        .position(|b| matches!(b.kind, Kind::Heading(l) if l <= level))
        .map_or(doc.blocks.len(), |p| h + 1 + p);
    (h + 1)..end
}

/// Whether a paragraph opens by defining a term ("X is a ...", "X 是指 ...").
fn is_definition(text: &str) -> bool {
    let head = crate::text::prefix_bytes(text, 240);
    let first = head.split(['.', '。', '\n']).next().unwrap_or("");

    [
        " is a ",
        " is an ",
        " refers to ",
        " is the term for ",
        "是指",
        "是一种",
        "指的是",
        "定义为",
    ]
    .iter()
    .any(|p| first.contains(p))
}

/// The candidates kept: by priority, each at least `min_gap` blocks from those already
/// kept, at most `max_images`; returned in document order. A first pass lets no kind but
/// the cover take more than two fifths of the pictures, so that a long run of tables or
/// lists cannot crowd out the section pictures; a second pass fills what is left.
pub(crate) fn select(mut all: Vec<Candidate>, options: &PlanOptions) -> Vec<Candidate> {
    all.sort_by_key(|c| (c.priority(), c.gap));

    let quota = options.max_images.saturating_mul(2).div_ceil(5).max(1);
    let mut kept: BTreeMap<usize, Vec<Candidate>> = BTreeMap::new();
    let mut per_kind = [0usize; 7];
    let mut count = 0;
    let mut taken = vec![false; all.len()];

    for pass in 0..2 {
        for (n, c) in all.iter().enumerate() {
            if count >= options.max_images {
                break;
            }
            let slot = c.priority() as usize;
            let over_quota = pass == 0 && c.kind != PlacementType::Cover && per_kind[slot] >= quota;
            if taken[n] || over_quota || !fits(&kept, c, options.min_gap) {
                continue;
            }

            kept.entry(c.gap).or_default().push(c.clone());
            taken[n] = true;
            per_kind[slot] += 1;
            count += 1;
        }
    }

    let mut out: Vec<Candidate> = kept.into_values().flatten().collect();
    out.sort_by_key(|c| (c.gap, c.priority()));
    out
}

/// Whether `c` keeps `min_gap` blocks from every kept picture (and is no second picture
/// of the same kind at one spot).
fn fits(kept: &BTreeMap<usize, Vec<Candidate>>, c: &Candidate, min_gap: usize) -> bool {
    let lo = c.gap.saturating_sub(min_gap.saturating_sub(1));
    let hi = c.gap.saturating_add(min_gap);
    let crowded = min_gap > 0 && kept.range(lo..hi).next().is_some();
    let duplicate = kept
        .get(&c.gap)
        .is_some_and(|v| v.iter().any(|k| k.kind == c.kind));

    !crowded && !duplicate
}
