//! From the parsed article to a [`Plan`]: language, classification, and each placement
//! filled in with its source, text, prompt and Mermaid code.

use crate::classify::classify;
use crate::diagram;
use crate::model::{Language, Placement, PlacementType, Plan, PlanOptions, Source};
use crate::parse::{Doc, Kind};
use crate::prompts::{self, PromptInput};
use crate::rules::{self, Candidate, Outline};
use crate::sources;
use crate::text;

/// Characters of an excerpt: a card subtitle, or the context of a prompt.
const EXCERPT_CHARS: usize = 120;

pub(crate) fn plan(doc: &Doc<'_>, options: &PlanOptions) -> Plan {
    let language = language(doc);
    let classification = classify(&doc.stats);
    let outline = rules::outline(doc);
    let title = title(doc, &outline);

    let all = rules::candidates(doc, &outline, classification.technical, options);
    let chosen = rules::select(all, options);

    let mut claimed = vec![false; doc.marked.len()];
    let placements = chosen
        .iter()
        .enumerate()
        .map(|(index, c)| {
            let ctx = Context {
                doc,
                options,
                language,
                title: title.as_deref(),
                outline: &outline,
            };
            let mut p = ctx.placement(index as u32, c, classification.technical);
            claim_marked(doc, c, &mut claimed, &mut p);
            p
        })
        .collect();

    Plan {
        language,
        title,
        classification,
        placements,
    }
}

/// Chinese when CJK characters outnumber the words of other scripts.
fn language(doc: &Doc<'_>) -> Language {
    let m = doc.stats.measure;
    if m.cjk > 0 && m.cjk >= m.words {
        Language::Zh
    } else {
        Language::En
    }
}

/// The first H1, else the front matter's `title`, else a heading that opens the article.
fn title(doc: &Doc<'_>, outline: &Outline) -> Option<String> {
    let h1 = doc.blocks.iter().find(|b| b.kind == Kind::Heading(1));
    let front = doc.blocks.iter().find_map(|b| match &b.kind {
        Kind::FrontMatter { title } => title.clone(),
        _ => None,
    });
    let opening = outline.title_block.map(|t| doc.blocks[t].text.clone());

    h1.map(|b| text::collapse_whitespace(&b.text))
        .or(front)
        .or(opening.map(|t| text::collapse_whitespace(&t)))
        .filter(|t| !t.is_empty())
}

/// A picture of ours already at this spot becomes the one this placement replaces.
fn claim_marked(doc: &Doc<'_>, c: &Candidate, claimed: &mut [bool], p: &mut Placement) {
    let found = doc
        .marked
        .iter()
        .enumerate()
        .find(|(i, m)| !claimed[*i] && m.gap == c.gap && m.kind == c.kind);

    if let Some((i, m)) = found {
        claimed[i] = true;
        p.offset = m.span.0;
        p.replaces = Some(m.span);
    }
}

struct Context<'a> {
    doc: &'a Doc<'a>,
    options: &'a PlanOptions,
    language: Language,
    title: Option<&'a str>,
    outline: &'a Outline,
}

impl Context<'_> {
    fn placement(&self, index: u32, c: &Candidate, technical: bool) -> Placement {
        let blocks = &self.doc.blocks;
        let anchor = &blocks[c.anchor.min(blocks.len() - 1)];
        let heading = self.heading_of(c);
        let table = (c.kind == PlacementType::Chart)
            .then(|| anchor.table.clone())
            .flatten();

        let source = sources::choose(
            self.options.source,
            c.kind,
            technical,
            table.is_some(),
            &self.options.available,
        );
        let excerpt = self.excerpt(c);
        let title = self.title.unwrap_or("");
        let prompt = prompts::prompt(&PromptInput {
            kind: c.kind,
            language: self.language,
            title,
            heading: heading.as_deref(),
            excerpt: &excerpt,
        });
        let subject = match c.kind {
            PlacementType::Cover => title.to_string(),
            _ => heading
                .clone()
                .unwrap_or_else(|| text::excerpt(&excerpt, 40)),
        };

        Placement {
            index,
            kind: c.kind,
            source,
            fallbacks: sources::fallbacks(source, &self.options.available),
            offset: self.doc.gaps[c.gap].unwrap_or(self.doc.body),
            heading,
            excerpt,
            prompt,
            alt: prompts::alt(c.kind, self.language, &subject),
            mermaid: (source == Source::Mermaid).then(|| self.mermaid(c)),
            table,
            replaces: None,
        }
    }

    /// The nearest heading at or before the anchor; the cover has the title.
    fn heading_of(&self, c: &Candidate) -> Option<String> {
        if c.kind == PlacementType::Cover {
            return self.title.map(str::to_string);
        }

        self.doc.blocks[..=c.anchor.min(self.doc.blocks.len() - 1)]
            .iter()
            .rev()
            .find(|b| matches!(b.kind, Kind::Heading(_)))
            .map(|b| text::collapse_whitespace(&b.text))
    }

    /// Text from the content the picture belongs to.
    fn excerpt(&self, c: &Candidate) -> String {
        let blocks = &self.doc.blocks;
        let first_paragraph = |from: usize| {
            blocks[from.min(blocks.len())..]
                .iter()
                .take(8)
                .find(|b| b.kind == Kind::Paragraph && b.units > 0)
                .map(|b| b.text.as_str())
        };
        let anchor = &blocks[c.anchor.min(blocks.len() - 1)];

        let source_text = match c.kind {
            PlacementType::Cover | PlacementType::Section => first_paragraph(c.gap),
            PlacementType::CodeConcept => c
                .anchor
                .checked_sub(1)
                .map(|p| &blocks[p])
                .filter(|b| b.kind == Kind::Paragraph)
                .map(|b| b.text.as_str()),
            PlacementType::Chart => None,
            PlacementType::Diagram => None,
            PlacementType::Concept | PlacementType::Atmospheric => Some(anchor.text.as_str()),
        };

        let fallback = match (&anchor.table, anchor.items.is_empty()) {
            (Some(t), _) => t.headers.join(", "),
            (None, false) => anchor.items.join("; "),
            (None, true) => anchor.text.clone(),
        };
        text::excerpt(source_text.unwrap_or(&fallback), EXCERPT_CHARS)
    }

    /// Mermaid code for a placement the mermaid source draws.
    fn mermaid(&self, c: &Candidate) -> String {
        let doc = self.doc;
        let anchor = &doc.blocks[c.anchor.min(doc.blocks.len() - 1)];

        if let Some(code) = diagram::for_list(anchor) {
            return code;
        }

        let (root, body) = match (c.kind, self.outline.title_block) {
            (PlacementType::Section, _) => match anchor.kind {
                Kind::Heading(level) => (
                    anchor.text.clone(),
                    rules::section_body(doc, c.anchor, level),
                ),
                _ => (anchor.text.clone(), c.anchor..c.anchor + 1),
            },
            (PlacementType::Cover, t) => {
                let start = t.map_or(0, |t| t + 1);
                (
                    self.title.unwrap_or("").to_string(),
                    start..doc.blocks.len(),
                )
            }
            _ => {
                let root = self
                    .heading_of(c)
                    .unwrap_or_else(|| text::excerpt(&anchor.text, 30));
                (root, c.anchor..c.anchor + 1)
            }
        };

        diagram::for_section(&root, &doc.blocks[body])
    }
}
