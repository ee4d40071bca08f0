//! One pass over pulldown-cmark's events: the article's top-level blocks and their spans.
//!
//! Offsets in every [`Block`] are bytes of the whole input (a BOM included), so the rest of
//! the crate never has to think about the BOM again.

use std::ops::Range;

use pulldown_cmark::{Options, Parser};

use crate::model::{PlacementType, TableData};
use crate::terms::TermCounts;
use crate::text::Measure;
use crate::walk::Walk;
/// Rows of a table kept for the chart source.
pub(crate) const TABLE_ROW_CAP: usize = 50;

/// The extensions the product reads Markdown with; the tests parse with the same set.
pub fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    FrontMatter { title: Option<String> },
    Heading(u8),
    Paragraph,
    Code { lang: String, closed: bool },
    List { ordered: bool },
    Table,
    Quote,
    Html { closed: bool },
    Rule,
    Footnote,
    Other,
}

impl Kind {
    pub fn name(&self) -> &'static str {
        match self {
            Kind::FrontMatter { .. } => "front_matter",
            Kind::Heading(_) => "heading",
            Kind::Paragraph => "paragraph",
            Kind::Code { .. } => "code",
            Kind::List { .. } => "list",
            Kind::Table => "table",
            Kind::Quote => "block_quote",
            Kind::Html { .. } => "html",
            Kind::Rule => "rule",
            Kind::Footnote => "footnote",
            Kind::Other => "other",
        }
    }
}

/// A top-level block of the article.
#[derive(Clone, Debug)]
pub(crate) struct Block {
    pub kind: Kind,
    pub range: Range<usize>,
    /// Start of the line the block starts on.
    pub line_start: usize,
    /// Start of the line after the block's last line (or the end of the input).
    pub line_end: usize,
    /// Plain text of the block, capped at [`TEXT_CAP`] bytes.
    pub text: String,
    pub units: usize,
    /// Length of the longest paragraph inside, at any depth.
    pub longest_paragraph: usize,
    /// The author's pictures inside: images, `<img>` tags and Mermaid fences.
    pub pictures: u32,
    /// Text of a list's top-level items.
    pub items: Vec<String>,
    /// A fenced code block inside it (in a list item) is never closed and runs to the
    /// block's end: a blank line written after the block would continue that item and
    /// land in the code, so nothing may be inserted right after it.
    pub open_fence_at_end: bool,
    pub table: Option<TableData>,
}

/// A picture this product inserted on an earlier run, found by its marker.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Marked {
    pub kind: PlacementType,
    /// The gap (index of the block after it) it sits in.
    pub gap: usize,
    /// Its line span.
    pub span: (usize, usize),
}

/// Counts over the whole article, for the classifier.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stats {
    pub measure: Measure,
    pub code_blocks: usize,
    pub inline_code: usize,
    pub tables: usize,
    pub ordered_lists: usize,
    pub terms: TermCounts,
}

pub(crate) struct Doc<'a> {
    pub src: &'a str,
    /// Where the Markdown starts: 3 after a BOM, else 0.
    pub body: usize,
    pub blocks: Vec<Block>,
    pub marked: Vec<Marked>,
    pub stats: Stats,
    /// Offset of each gap `g` (before block `g`; `blocks.len()` is after the last block),
    /// or `None` where no picture may go.
    pub gaps: Vec<Option<usize>>,
}

/// Reads `src` (valid UTF-8, BOM allowed) into its top-level blocks.
pub(crate) fn parse(src: &str) -> Doc<'_> {
    let body = if src.starts_with('\u{feff}') { 3 } else { 0 };
    let mut walk = Walk::new(src, body);

    let parser = Parser::new_ext(&src[body..], parser_options()).into_offset_iter();
    for (event, range) in parser {
        walk.event(event, (range.start + body)..(range.end + body));
    }

    let gaps = gaps(src.as_bytes(), body, &walk.blocks);
    Doc {
        src,
        body,
        blocks: walk.blocks,
        marked: walk.marked,
        stats: walk.stats,
        gaps,
    }
}

fn gaps(src: &[u8], body: usize, blocks: &[Block]) -> Vec<Option<usize>> {
    let mut out = Vec::with_capacity(blocks.len() + 1);

    for g in 0..=blocks.len() {
        let offset = match (g.checked_sub(1).map(|i| &blocks[i]), blocks.get(g)) {
            (None, None) => Some(body),
            (None, Some(first)) => match first.kind {
                Kind::FrontMatter { .. } => None,
                // Link reference definitions before the first block may open its paragraph
                // (they are cut out of it): then only the very start is outside it.
                _ if only_blank_lines(&src[body..first.line_start]) => Some(first.line_start),
                _ => Some(body),
            },
            (Some(prev), Some(next)) => (prev.line_end <= next.line_start
                && !prev.open_fence_at_end
                && !opened_by_definition(src, body, next))
            .then_some(prev.line_end),
            (Some(last), None) => closed_at_end(src, last).then_some(last.line_end),
        };
        out.push(offset);
    }

    out
}

/// Whether a link reference definition sits on the line right before a paragraph: it
/// opened that paragraph (definitions are cut out of it), so a picture between them would
/// leave the rest to start a block of its own, which can be another kind of block.
fn opened_by_definition(src: &[u8], body: usize, next: &Block) -> bool {
    if next.kind != Kind::Paragraph || next.line_start <= body {
        return false;
    }
    let before = crate::lines::line_start_of(src, next.line_start - 1, body);
    let line = &src[before..next.line_start];
    let indent = line.iter().take_while(|&&b| b == b' ').count();
    let rest = &line[indent..];

    indent <= 3 && rest.first() == Some(&b'[') && rest.windows(2).any(|w| w == b"]:")
}

fn only_blank_lines(text: &[u8]) -> bool {
    text.iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// Whether text appended after `last` would fall outside it: an unclosed fence or an
/// unclosed `<pre>`/comment HTML block runs to the end of the file and would swallow it.
fn closed_at_end(_src: &[u8], last: &Block) -> bool {
    match last.kind {
        Kind::Code { closed, .. } | Kind::Html { closed } => closed,
        _ => !last.open_fence_at_end,
    }
}
