//! Small helpers for writing SVG text by hand: escaping and compact numbers.

use std::borrow::Cow;
use std::fmt::Write;

/// Escapes text for an XML text node or a double-quoted attribute.
///
/// Characters XML 1.0 forbids (most C0 controls) are dropped rather than escaped: no
/// escape makes them legal, and a single one would make the whole document unreadable.
pub fn escape(text: &str) -> Cow<'_, str> {
    let needs_work = text
        .chars()
        .any(|c| matches!(c, '&' | '<' | '>' | '"' | '\'') || is_forbidden(c));
    if !needs_work {
        return Cow::Borrowed(text);
    }

    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if is_forbidden(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn is_forbidden(c: char) -> bool {
    let control = c < ' ' && !matches!(c, '\t' | '\n' | '\r');
    control || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Appends a coordinate with at most two decimals and no trailing zeros.
pub fn num(out: &mut String, value: f32) {
    let rounded = (value * 100.0).round() / 100.0;
    if rounded == rounded.trunc() {
        let _ = write!(out, "{}", rounded as i64);
    } else {
        let _ = write!(out, "{rounded}");
    }
}

/// A coordinate as a string, for `format!` arguments.
pub fn n(value: f32) -> String {
    let mut out = String::new();
    num(&mut out, value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"a<b & "c" 'd'>"#),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
        assert!(matches!(escape("plain 中文"), Cow::Borrowed(_)));
    }

    #[test]
    fn drops_characters_xml_forbids() {
        assert_eq!(escape("a\u{1}b\u{8}c"), "abc");
    }

    #[test]
    fn numbers_are_compact() {
        assert_eq!(n(12.0), "12");
        assert_eq!(n(12.345), "12.35");
        assert_eq!(n(-0.5), "-0.5");
    }
}
