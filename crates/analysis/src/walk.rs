//! The walk over pulldown-cmark's events that gathers each top-level block: its kind,
//! span, text, length, pictures, list items and table cells.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};

use crate::closing::{fence_closed, fence_lang, html_closed};
use crate::frontmatter;
use crate::lines;
use crate::marker;
use crate::model::{PlacementType, TableData};
use crate::parse::{Block, Kind, Marked, Stats, TABLE_ROW_CAP};
use crate::terms::scan;
use crate::text::{self, Measure};

/// Bytes of text kept per block: enough for headings, excerpts and prompts, and small
/// enough that a 10 MB article costs no more memory than its blocks' count.
const TEXT_CAP: usize = 2048;
const ITEM_CAP: usize = 40;
const ITEM_TEXT_CAP: usize = 240;

/// The state of the walk over the event stream.
#[derive(Default)]
pub(crate) struct Walk<'a> {
    pub src: &'a str,
    pub body: usize,
    pub blocks: Vec<Block>,
    pub marked: Vec<Marked>,
    pub stats: Stats,
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
    /// A marked image opened the paragraph and has ended: what follows is its credit line.
    credit: bool,
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
    pub fn new(src: &'a str, body: usize) -> Walk<'a> {
        Walk {
            src,
            body,
            ..Walk::default()
        }
    }

    pub fn event(&mut self, event: Event<'_>, range: Range<usize>) {
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
                self.start(&tag, &range);
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

    fn start(&mut self, tag: &Tag<'_>, range: &Range<usize>) {
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
                // Blocks start in order, so the last nested fence decides: it reaches the
                // end of the top-level block when nothing follows it there.
                cur.block.open_fence_at_end = matches!(kind, CodeBlockKind::Fenced(_))
                    && !fence_closed(self.src, range)
                    && range.end >= cur.block.range.end;
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
        if depth > 1 && !is_image && cur.in_image == 0 && !cur.credit {
            cur.other_content = true;
        }
    }

    fn end(&mut self, tag: TagEnd) {
        let depth = self.depth;
        let Some(cur) = self.cur.as_mut() else { return };

        match tag {
            TagEnd::Image => {
                cur.in_image = cur.in_image.saturating_sub(1);
                let ours_so_far = cur.images == 1 && cur.marker.is_some() && !cur.other_content;
                cur.credit = cur.in_image == 0 && depth == 1 && ours_so_far;
            }
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

        if !cur.other_content && !cur.credit && !t.trim().is_empty() {
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
            && !cur.credit
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
            open_fence_at_end: false,
        };

        Current {
            block,
            in_image: 0,
            images: 0,
            marker: None,
            other_content: false,
            credit: false,
            paragraph: 0,
            code,
            item: None,
            table: matches!(tag, Tag::Table(_)).then(TableState::default),
        }
    }
}
