//! How an inserted picture is written and recognised on a later run.
//!
//! A picture this product inserts is its own paragraph holding one image whose title is
//! `mi:<type>`, e.g. `![Kyoto in autumn](images/01-cover.svg "mi:cover")`. A title survives
//! editors, renderers and round trips through other Markdown tools (an HTML comment next to
//! the image would not), it is invisible in most renderings apart from a tooltip, and it
//! cannot be mistaken for an author's image. In the fenced-code mode the fenced `mermaid`
//! block starts with the Mermaid comment line `%% mi:<type>` instead.
//!
//! Planning an article that carries such pictures puts the new placement on the same spot
//! with `replaces` set, so running the product twice does not add duplicates.

use crate::model::{Credit, PlacementType};

const PREFIX: &str = "mi:";

/// The placement type of a marked image title, if the title is one of ours.
pub(crate) fn kind_of_title(title: &str) -> Option<PlacementType> {
    title
        .trim()
        .strip_prefix(PREFIX)
        .and_then(PlacementType::parse)
}

/// The placement type of the first line of a marked Mermaid fence (`%% mi:diagram`).
pub(crate) fn kind_of_mermaid_line(first_line: &str) -> Option<PlacementType> {
    let line = first_line.lines().next()?.trim();
    let rest = line.strip_prefix("%%")?.trim();
    kind_of_title(rest)
}

/// The image line (without line ending) for a picture.
pub fn image_line(alt: &str, url: &str, kind: PlacementType) -> String {
    format!(
        "![{}]({} \"{PREFIX}{}\")",
        escape_alt(alt),
        escape_url(url),
        kind.as_str()
    )
}

/// The credit line under a stock photo, in the same paragraph as the image:
/// `*Photo by [Jane Doe](https://…) on [Unsplash](https://…)*`. A later run recognises the
/// paragraph as ours because it opens with a marked image, and replaces it whole.
pub fn credit_line(credit: &Credit) -> String {
    format!(
        "*Photo by [{}]({}) on [{}]({})*",
        escape_alt(&credit.author),
        escape_url(&credit.author_url),
        escape_alt(&credit.site),
        escape_url(&credit.site_url),
    )
}

/// A fenced `mermaid` block for the fenced-code mode, lines ended with `eol`, the last
/// line (the closing fence) without one. The fence is longer than any backtick run
/// inside, so no line of the code can close it.
pub fn mermaid_fence(code: &str, kind: PlacementType, eol: &str) -> String {
    let longest_run = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run.max(2) + 1);

    let mut out = String::with_capacity(code.len() + 64);
    out.push_str(&fence);
    out.push_str("mermaid");
    out.push_str(eol);
    out.push_str("%% ");
    out.push_str(PREFIX);
    out.push_str(kind.as_str());
    out.push_str(eol);

    for line in code.lines() {
        out.push_str(line);
        out.push_str(eol);
    }

    out.push_str(&fence);
    out
}

/// Alt text that renders back to itself: whitespace collapsed (a newline would end the
/// picture's line) and every ASCII punctuation character backslash-escaped, so brackets,
/// emphasis and code markers stay literal.
pub fn escape_alt(alt: &str) -> String {
    let mut out = String::with_capacity(alt.len() + 8);

    for (i, word) in alt.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        for c in word.chars() {
            if c.is_ascii_punctuation() {
                out.push('\\');
            }
            out.push(c);
        }
    }

    out
}

/// A link destination that parses back to `url`: spaces, controls, non-ASCII bytes and
/// the characters that end or confuse a destination are percent-encoded.
pub fn escape_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len() + 8);

    for &b in url.as_bytes() {
        let unsafe_byte = b <= b' '
            || b >= 0x7f
            || matches!(
                b,
                b'<' | b'>' | b'(' | b')' | b'[' | b']' | b'"' | b'\\' | b'`'
            );
        if unsafe_byte {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(b as char);
        }
    }

    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_recognised() {
        assert_eq!(kind_of_title("mi:cover"), Some(PlacementType::Cover));
        assert_eq!(
            kind_of_title("mi:code_concept"),
            Some(PlacementType::CodeConcept)
        );
        assert_eq!(kind_of_title("mi:nothing"), None);
        assert_eq!(kind_of_title("cover"), None);
        assert_eq!(
            kind_of_mermaid_line("%% mi:diagram\n"),
            Some(PlacementType::Diagram)
        );
    }

    #[test]
    fn credit_names_are_escaped_and_links_encoded() {
        let credit = Credit {
            author: "Jane [JD] Doe".into(),
            author_url: "https://unsplash.com/@jane?utm_source=mi&utm_medium=referral".into(),
            site: "Unsplash".into(),
            site_url: "https://unsplash.com/?utm_source=mi&utm_medium=referral".into(),
        };

        assert_eq!(
            credit_line(&credit),
            "*Photo by [Jane \\[JD\\] Doe](https://unsplash.com/@jane?utm_source=mi&\
             utm_medium=referral) on [Unsplash](https://unsplash.com/?utm_source=mi&\
             utm_medium=referral)*"
        );
    }

    #[test]
    fn alt_and_url_are_escaped_as_the_case_states() {
        let line = image_line(
            "Half-open ranges [0, n) in Rust",
            "media/Half-open ranges (1).png",
            PlacementType::Section,
        );
        assert_eq!(
            line,
            "![Half\\-open ranges \\[0\\, n\\) in Rust]\
             (media/Half-open%20ranges%20%281%29.png \"mi:section\")"
        );
        assert_eq!(
            escape_url("media/京都 秋.png"),
            "media/%E4%BA%AC%E9%83%BD%20%E7%A7%8B.png"
        );
        assert_eq!(
            escape_alt("Line one\nline two ]]"),
            "Line one line two \\]\\]"
        );
    }

    #[test]
    fn fence_outgrows_backtick_runs() {
        let f = mermaid_fence(
            "flowchart TD\n  a[\"````\"]\n",
            PlacementType::Diagram,
            "\n",
        );
        assert!(f.starts_with("`````mermaid\n%% mi:diagram\n"));
        assert!(f.ends_with("\n`````"));
    }
}
