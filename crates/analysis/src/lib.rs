//! Reads a Markdown article, plans where its pictures go, and splices pictures in byte-exactly.
//!
//! This crate does no I/O and knows nothing of HTTP, NATS or Postgres. Its two entry points
//! are [`plan`] and [`assemble`]; everything they need arrives as arguments. Both run in
//! time linear in the input and never recurse over the document's nesting, so deeply
//! nested or very long articles cannot overflow the stack.

mod assemble;
mod classify;
mod closing;
mod diagram;
mod frontmatter;
mod lines;
mod marker;
pub mod mermaid;
mod model;
mod numeric;
mod parse;
mod planner;
mod prompts;
mod rules;
mod sources;
mod terms;
mod text;
mod walk;

pub use assemble::Assembled;
pub use classify::THRESHOLD as TECHNICAL_THRESHOLD;
pub use lines::line_number;
pub use marker::{credit_line, escape_alt, escape_url, image_line, mermaid_fence};
pub use model::*;
pub use parse::parser_options;

/// Why an article could not be read or a plan not applied.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AnalysisError {
    #[error("the article is not valid UTF-8 at byte {offset}")]
    NotUtf8 { offset: usize },
    /// A picture names a placement the plan does not have.
    #[error("no placement with index {index} in the plan")]
    UnknownPicture { index: u32 },
    /// The plan was made for other bytes: its offset is not a line start of this input.
    #[error("placement {index} points at byte {offset}, which is not a line start here")]
    BadOffset { index: u32, offset: usize },
}

/// The input as text, or the byte offset where it stops being UTF-8.
fn utf8(input: &[u8]) -> Result<&str, AnalysisError> {
    std::str::from_utf8(input).map_err(|e| AnalysisError::NotUtf8 {
        offset: e.valid_up_to(),
    })
}

/// Plans the pictures of an article.
pub fn plan(input: &[u8], options: &PlanOptions) -> Result<Plan, AnalysisError> {
    let src = utf8(input)?;
    let doc = parse::parse(src);
    Ok(planner::plan(&doc, options))
}

/// Writes the article back with `pictures` inserted where `plan` placed them.
pub fn assemble(input: &[u8], plan: &Plan, pictures: &[Picture]) -> Result<String, AnalysisError> {
    assemble_detailed(input, plan, pictures).map(|a| a.text)
}

/// [`assemble`], also telling which byte ranges of the result were inserted.
pub fn assemble_detailed(
    input: &[u8],
    plan: &Plan,
    pictures: &[Picture],
) -> Result<Assembled, AnalysisError> {
    let src = utf8(input)?;
    assemble::assemble(src, plan, pictures)
}

/// A place between two top-level blocks where a picture may go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Boundary {
    /// Byte offset of the line start where the picture block goes.
    pub offset: usize,
    /// Kind of the block before it (`heading`, `paragraph`, `code`, `list`, `table`,
    /// `block_quote`, `html`, `rule`, `footnote`, `front_matter`, `other`), if any.
    pub after: Option<&'static str>,
    /// Kind of the block after it, if any.
    pub before: Option<&'static str>,
}

/// Every place of the article where a picture may go, in document order.
pub fn boundaries(input: &[u8]) -> Result<Vec<Boundary>, AnalysisError> {
    let src = utf8(input)?;
    let doc = parse::parse(src);

    let out = doc
        .gaps
        .iter()
        .enumerate()
        .filter_map(|(g, offset)| {
            let offset = (*offset)?;
            let after = g.checked_sub(1).map(|i| doc.blocks[i].kind.name());
            let before = doc.blocks.get(g).map(|b| b.kind.name());
            (after.is_some() || before.is_some()).then_some(Boundary {
                offset,
                after,
                before,
            })
        })
        .collect();

    Ok(out)
}
