//! Splicing pictures into the source bytes: each picture its own block at a line start
//! between top-level blocks, with one blank line around it, in the file's own line ending.
//!
//! Only insertions (and replacements of our own earlier pictures) are made: every other
//! byte of the input comes through unchanged, the BOM and the presence or absence of a
//! final newline included.
//!
//! Files whose lines end in a lone CR are spliced with lone CRs, but pulldown-cmark does
//! not end lines at a lone CR inside code blocks, so a picture placed right after a code
//! block of such a file can read as part of the code.

use std::ops::Range;

use crate::AnalysisError;
use crate::lines;
use crate::marker;
use crate::model::{Picture, Placement, Plan};

/// The assembled article, and where in it the inserted text went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assembled {
    pub text: String,
    /// Byte ranges of `text` that were inserted (blank lines included). For pictures that
    /// replaced earlier ones, the range covers the new picture line only.
    pub inserted: Vec<Range<usize>>,
}

/// One picture to write, resolved against its placement.
struct Item<'a> {
    placement: &'a Placement,
    picture: &'a Picture,
}

pub(crate) fn assemble(
    src: &str,
    plan: &Plan,
    pictures: &[Picture],
) -> Result<Assembled, AnalysisError> {
    let bytes = src.as_bytes();
    let body = if src.starts_with('\u{feff}') { 3 } else { 0 };

    let mut items: Vec<Item<'_>> = Vec::with_capacity(pictures.len());
    for picture in pictures {
        let placement = plan
            .placements
            .iter()
            .find(|p| p.index == picture.index)
            .ok_or(AnalysisError::UnknownPicture {
                index: picture.index,
            })?;
        check_offset(src, body, placement)?;
        items.push(Item { placement, picture });
    }
    items.sort_by_key(|i| {
        (
            i.placement.offset,
            i.placement.replaces.is_some(),
            i.placement.index,
        )
    });

    let mut out = String::with_capacity(src.len() + items.len() * 96);
    let mut inserted = Vec::with_capacity(items.len());
    let mut copied = 0;
    let mut i = 0;

    while i < items.len() {
        let offset = items[i].placement.offset;
        out.push_str(&src[copied..offset]);
        copied = offset;

        if let Some((start, end)) = items[i].placement.replaces {
            let eol = lines::ending_near(bytes, end, body);
            let keep_eol = src[start..end].ends_with(['\n', '\r']);
            let begin = out.len();
            out.push_str(&block_text(&items[i], eol));
            if keep_eol {
                out.push_str(lines::ending_of_line(bytes, start).unwrap_or(eol));
            }
            inserted.push(begin..out.len());
            copied = end;
            i += 1;
            continue;
        }

        let group_end = items[i..]
            .iter()
            .position(|it| it.placement.offset != offset || it.placement.replaces.is_some())
            .map_or(items.len(), |p| i + p);
        let begin = out.len();
        insert_group(&mut out, bytes, body, offset, &items[i..group_end]);
        inserted.push(begin..out.len());
        i = group_end;
    }

    out.push_str(&src[copied..]);
    Ok(Assembled {
        text: out,
        inserted,
    })
}

/// Writes the pictures that go at `offset`, with the blank lines they need.
fn insert_group(out: &mut String, bytes: &[u8], body: usize, offset: usize, group: &[Item<'_>]) {
    let eol = lines::ending_near(bytes, offset, body);
    let at_end = offset == bytes.len();
    let unterminated =
        at_end && offset > body && !bytes.ends_with(b"\n") && !bytes.ends_with(b"\r");

    if unterminated {
        // The last line has no ending: end it, leave a blank line, and keep the file
        // ending without a newline after the picture.
        for item in group {
            out.push_str(eol);
            out.push_str(eol);
            out.push_str(&block_text(item, eol));
        }
        return;
    }

    let before_blank = offset == body || {
        let prev = lines::line_start_of(bytes, offset - 1, body);
        lines::line_is_blank(bytes, prev)
    };
    if !before_blank {
        out.push_str(eol);
    }

    for (n, item) in group.iter().enumerate() {
        if n > 0 {
            out.push_str(eol);
        }
        out.push_str(&block_text(item, eol));
        out.push_str(eol);
    }

    if !at_end && !lines::line_is_blank(bytes, offset) {
        out.push_str(eol);
    }
}

/// The picture's own lines, without the final line ending.
fn block_text(item: &Item<'_>, eol: &str) -> String {
    let kind = item.placement.kind;
    match &item.picture.mermaid_code {
        // pulldown-cmark does not open a fence whose line ends in a lone CR, so a file with
        // old Mac line endings gets its fence lines ended with CRLF, which it does read.
        Some(code) if eol == "\r" => marker::mermaid_fence(code, kind, "\r\n"),
        Some(code) => marker::mermaid_fence(code, kind, eol),
        None => {
            let image = marker::image_line(&item.picture.alt, &item.picture.url, kind);
            match &item.picture.credit {
                Some(credit) => format!("{image}{eol}{}", marker::credit_line(credit)),
                None => image,
            }
        }
    }
}

/// A plan made for other bytes would splice into the middle of a line or a character.
fn check_offset(src: &str, body: usize, p: &Placement) -> Result<(), AnalysisError> {
    let bytes = src.as_bytes();
    let bad = AnalysisError::BadOffset {
        index: p.index,
        offset: p.offset,
    };

    let at_line_start = p.offset >= body
        && p.offset <= src.len()
        && src.is_char_boundary(p.offset)
        && (p.offset == body || lines::is_line_start(bytes, p.offset));
    if !at_line_start {
        return Err(bad);
    }

    if let Some((start, end)) = p.replaces {
        let fits = start == p.offset
            && end <= src.len()
            && start < end
            && lines::is_line_start(bytes, end)
            && src.is_char_boundary(end);
        if !fits {
            return Err(bad);
        }
    }

    Ok(())
}
