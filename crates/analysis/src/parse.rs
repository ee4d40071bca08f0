//! One pass over pulldown-cmark's events: the article's top-level blocks and their spans.
//!
//! Offsets in every [`Block`] are bytes of the whole input (a BOM included), so the rest of
//! the crate never has to think about the BOM again.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::classify::{TermCounts, scan};
use crate::closing::{fence_closed, fence_lang, html_closed};
use crate::frontmatter;
use crate::lines;
use crate::marker;
use crate::model::{PlacementType, TableData};
use crate::text::{self, Measure};

/// Bytes of text kept per block: enough for headings, excerpts and prompts, and small
/// enough that a 10 MB article costs no more memory than its blocks' count.
const TEXT_CAP: usize = 2048;
const ITEM_CAP: usize = 40;
const ITEM_TEXT_CAP: usize = 240;
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
    let mut walk = Walk {
        src,
        body,
        blocks: Vec::new(),
        marked: Vec::new(),
        ..Walk::default()
    };

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
            (Some(prev), Some(next)) => (prev.line_end <= next.line_start).then_some(prev.line_end),
            (Some(last), None) => closed_at_end(src, last).then_some(last.line_end),
        };
        out.push(offset);
    }

    out
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
        _ => true,
    }
}

/// The state of the walk over the event stream.
#[derive(Default)]
struct Walk<'a> {
    src: &'a str,
    body: usize,
    blocks: Vec<Block>,
    marked: Vec<Marked>,
    stats: Stats,
    depth: usize,
    cur: Option<Current>,
}

/// The top-level block being read.
struct Current {
    block: Block,
    /// Depth of images open: alt text is neither prose nor block text.
    in_image: usize,
    images: u32,
    marker: Option<PlacementType>,
    /// Something other than one image in a paragraph: not a picture of ours.
    other_content: bool,
    paragraph: usize,
    code: Option<CodeState>,
    item: Option<String>,
    table: Option<TableState>,
}

struct CodeState {
    lang: String,
    fenced: bool,
    first_line: String,
}

#[derive(Default)]
struct TableState {
    data: TableData,
    row: Option<Vec<String>>,
    cell: Option<String>,
}

impl<'a> Walk<'a> {
    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(tag) => {
                if self.depth == 0 {
                    self.cur = Some(Current::new(
                        &tag,
                        range.clone(),
                        self.src.as_bytes(),
                        self.body,
                    ));
                }
                self.depth += 1;
                self.start(&tag);
            }
            Event::End(tag) => {
                self.depth = self.depth.saturating_sub(1);
                self.end(tag);
                if self.depth == 0 {
                    self.finish();
                }
            }
            Event::Rule if self.depth == 0 => {
                let tag = Tag::Paragraph;
                let mut cur = Current::new(&tag, range, self.src.as_bytes(), self.body);
                cur.block.kind = Kind::Rule;
                self.cur = Some(cur);
                self.finish();
            }
            Event::Text(t) => self.text(&t),
            Event::Code(t) => {
                self.stats.inline_code += 1;
                self.text(&t);
            }
            Event::Html(t) | Event::InlineHtml(t) => self.html(&t),
            Event::SoftBreak | Event::HardBreak => self.text(" "),
            _ => self.content(),
        }
    }

    fn start(&mut self, tag: &Tag<'_>) {
        let depth = self.depth;
        let Some(cur) = self.cur.as_mut() else { return };

        match tag {
            Tag::Image { title, .. } => {
                cur.in_image += 1;
                cur.images += 1;
                cur.block.pictures += 1;
                cur.marker = marker::kind_of_title(title);
                if depth != 2 {
                    cur.other_content = true;
                }
            }
            Tag::Paragraph => cur.paragraph = 0,
            Tag::CodeBlock(kind) if depth > 1 => {
                self.stats.code_blocks += 1;
                if let CodeBlockKind::Fenced(info) = kind
                    && fence_lang(info) == "mermaid"
                {
                    cur.block.pictures += 1;
                }
            }
            Tag::List(Some(_)) => self.stats.ordered_lists += 1,
            Tag::Table(_) => self.stats.tables += 1,
            Tag::Item if depth == 2 => cur.item = Some(String::new()),
            Tag::TableRow => {
                if let Some(t) = cur.table.as_mut() {
                    t.row = Some(Vec::new());
                }
            }
            Tag::TableCell => {
                if let Some(t) = cur.table.as_mut() {
                    t.cell = Some(String::new());
                }
            }
            _ => {}
        }

        let is_image = matches!(tag, Tag::Image { .. });
        if depth > 1 && !is_image && cur.in_image == 0 {
            cur.other_content = true;
        }
    }

    fn end(&mut self, tag: TagEnd) {
        let depth = self.depth;
        let Some(cur) = self.cur.as_mut() else { return };

        match tag {
            TagEnd::Image => cur.in_image = cur.in_image.saturating_sub(1),
            TagEnd::Paragraph => {
                cur.block.longest_paragraph = cur.block.longest_paragraph.max(cur.paragraph);
            }
            TagEnd::Item if depth == 1 => {
                if let Some(item) = cur.item.take()
                    && cur.block.items.len() < ITEM_CAP
                {
                    cur.block.items.push(text::collapse_whitespace(&item));
                }
            }
            TagEnd::TableCell => {
                if let Some(t) = cur.table.as_mut()
                    && let Some(cell) = t.cell.take()
                {
                    let cell = text::collapse_whitespace(&cell);
                    match t.row.as_mut() {
                        Some(row) => row.push(cell),
                        None => t.data.headers.push(cell),
                    }
                }
            }
            TagEnd::TableRow => {
                if let Some(t) = cur.table.as_mut()
                    && let Some(row) = t.row.take()
                    && t.data.rows.len() < TABLE_ROW_CAP
                {
                    t.data.rows.push(row);
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, t: &str) {
        let Some(cur) = self.cur.as_mut() else { return };

        if let Some(code) = cur.code.as_mut() {
            if code.first_line.len() < 64 && !code.first_line.contains('\n') {
                text::push_capped(&mut code.first_line, t, 64);
            }
            return;
        }

        if cur.in_image > 0 {
            return;
        }

        if !t.trim().is_empty() {
            cur.other_content = true;
        }

        if let Some(table) = cur.table.as_mut()
            && let Some(cell) = table.cell.as_mut()
        {
            text::push_capped(cell, t, ITEM_TEXT_CAP);
        }

        if let Some(item) = cur.item.as_mut() {
            text::push_capped(item, t, ITEM_TEXT_CAP);
        }

        if matches!(cur.block.kind, Kind::FrontMatter { .. }) {
            text::push_capped(&mut cur.block.text, t, frontmatter::CAP);
            return;
        }

        text::push_capped(&mut cur.block.text, t, TEXT_CAP);
        let mut measured = Measure::default();
        scan(t, &mut measured, &mut self.stats.terms);
        let units = measured.units();
        self.stats.measure.add(measured);
        cur.block.units += units;
        cur.paragraph += units;
    }

    fn html(&mut self, t: &str) {
        let Some(cur) = self.cur.as_mut() else { return };

        cur.other_content = true;
        let lower_has_img = t.len() >= 4
            && t.as_bytes()
                .windows(4)
                .any(|w| w.eq_ignore_ascii_case(b"<img"));
        if lower_has_img {
            cur.block.pictures += 1;
        }
    }

    fn content(&mut self) {
        if let Some(cur) = self.cur.as_mut()
            && cur.in_image == 0
        {
            cur.other_content = true;
        }
    }

    fn finish(&mut self) {
        let Some(mut cur) = self.cur.take() else {
            return;
        };

        if let Some(code) = cur.code.take() {
            let mine = marker::kind_of_mermaid_line(&code.first_line);
            if code.lang == "mermaid" && mine.is_some() {
                cur.marker = mine;
                cur.images = 1;
                cur.other_content = false;
            } else {
                self.stats.code_blocks += 1;
                if code.lang == "mermaid" {
                    cur.block.pictures += 1;
                }
            }
            let closed = !code.fenced || fence_closed(self.src, &cur.block.range);
            cur.block.kind = Kind::Code {
                lang: code.lang,
                closed,
            };
        }

        if let Some(table) = cur.table.take() {
            cur.block.table = Some(table.data);
        }

        if let Kind::Html { .. } = cur.block.kind {
            let closed = html_closed(&self.src[cur.block.range.clone()]);
            cur.block.kind = Kind::Html { closed };
        }

        if let Kind::FrontMatter { .. } = cur.block.kind {
            let title = frontmatter::title(&cur.block.text);
            cur.block.text.clear();
            cur.block.kind = Kind::FrontMatter { title };
        }

        let picture_kinds = matches!(cur.block.kind, Kind::Paragraph | Kind::Code { .. });
        if let (true, Some(kind), 1, false) =
            (picture_kinds, cur.marker, cur.images, cur.other_content)
        {
            let span = (cur.block.line_start, cur.block.line_end);
            self.marked.push(Marked {
                kind,
                gap: self.blocks.len(),
                span,
            });
            return;
        }

        self.blocks.push(cur.block);
    }
}

impl Current {
    fn new(tag: &Tag<'_>, range: Range<usize>, src: &[u8], body: usize) -> Current {
        let mut code = None;
        let kind = match tag {
            Tag::MetadataBlock(_) => Kind::FrontMatter { title: None },
            Tag::Heading { level, .. } => Kind::Heading(*level as u8),
            Tag::Paragraph => Kind::Paragraph,
            Tag::CodeBlock(kind) => {
                let (lang, fenced) = match kind {
                    CodeBlockKind::Fenced(info) => (fence_lang(info).to_string(), true),
                    CodeBlockKind::Indented => (String::new(), false),
                };
                code = Some(CodeState {
                    lang: lang.clone(),
                    fenced,
                    first_line: String::new(),
                });
                Kind::Code { lang, closed: true }
            }
            Tag::List(start) => Kind::List {
                ordered: start.is_some(),
            },
            Tag::Table(_) => Kind::Table,
            Tag::BlockQuote(_) => Kind::Quote,
            Tag::HtmlBlock => Kind::Html { closed: true },
            Tag::FootnoteDefinition(_) => Kind::Footnote,
            _ => Kind::Other,
        };

        let line_start = lines::line_start_of(src, range.start, body);
        let line_end = lines::snap_to_line_start(src, range.end.max(line_start));
        let block = Block {
            kind,
            range,
            line_start,
            line_end,
            text: String::new(),
            units: 0,
            longest_paragraph: 0,
            pictures: 0,
            items: Vec::new(),
            table: None,
        };

        Current {
            block,
            in_image: 0,
            images: 0,
            marker: None,
            other_content: false,
            paragraph: 0,
            code,
            item: None,
            table: matches!(tag, Tag::Table(_)).then(TableState::default),
        }
    }
}
