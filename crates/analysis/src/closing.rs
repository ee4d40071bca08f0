//! Whether a block that ends the file is closed, so that a picture appended after it stays
//! outside it.

use std::ops::Range;

/// The language word of a fence's info string (`rust,ignore` and `js{2-6}` give `rust`
/// and `js`), lowercased.
pub(crate) fn fence_lang(info: &str) -> &str {
    let word = info.split_whitespace().next().unwrap_or("");
    let end = word.find([',', '{', '}', '(']).unwrap_or(word.len());
    &word[..end]
}

/// Whether the fenced code block at `range` ends with its closing fence (else it runs to
/// the end of the file).
pub(crate) fn fence_closed(src: &str, range: &Range<usize>) -> bool {
    let block = &src[range.clone()];
    let mut block_lines = block.lines();

    let Some(first) = block_lines.next() else {
        return false;
    };
    let open = first.trim_start();
    let Some(fence_char) = open.chars().next().filter(|c| *c == '`' || *c == '~') else {
        return false;
    };
    let open_len = open.chars().take_while(|c| *c == fence_char).count();

    let Some(last) = block_lines.last() else {
        return false;
    };
    let indent = last.len() - last.trim_start_matches(' ').len();
    if indent > 3 || last.trim_start_matches(' ').starts_with('\t') {
        return false;
    }
    // Only spaces and tabs may follow a closing fence (not a form feed, say).
    let close = last.trim_matches([' ', '\t']);
    let close_len = close.chars().take_while(|c| *c == fence_char).count();

    close_len >= open_len && close_len == close.chars().count()
}

/// Whether an HTML block is closed. Blocks of kinds 6 and 7 (`<div>`, any tag) end at a
/// blank line, which the inserted picture brings; kinds 1 to 5 need their end marker.
pub(crate) fn html_closed(block: &str) -> bool {
    let head = block.trim_start_matches(' ').as_bytes();
    let lower: Vec<u8> = head.iter().take(12).map(u8::to_ascii_lowercase).collect();
    let has = |needle: &[u8]| {
        block.len() >= needle.len()
            && block
                .as_bytes()
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle))
    };

    for tag in [&b"script"[..], b"pre", b"style", b"textarea"] {
        let starts = lower.len() > tag.len() && lower[0] == b'<' && lower[1..].starts_with(tag);
        let boundary = lower
            .get(tag.len() + 1)
            .is_none_or(|b| matches!(b, b' ' | b'\t' | b'>' | b'\n' | b'\r'));
        if starts && boundary {
            return [&b"</script>"[..], b"</pre>", b"</style>", b"</textarea>"]
                .iter()
                .any(|end| has(end));
        }
    }

    if lower.starts_with(b"<!--") {
        return block.get(2..).is_some_and(|rest| rest.contains("-->"));
    }
    if lower.starts_with(b"<?") {
        return block[2..].contains("?>");
    }
    if lower.starts_with(b"<![cdata[") {
        return block.contains("]]>");
    }
    if lower.starts_with(b"<!") && lower.get(2).is_some_and(u8::is_ascii_alphabetic) {
        return block[2..].contains('>');
    }

    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_closed_or_not() {
        let src = "```rust\nfn x() {}\n```";
        assert!(fence_closed(src, &(0..src.len())));
        let src = "````md\n```\nx\n```";
        assert!(!fence_closed(src, &(0..src.len())));
        let src = "~~~\nx\n";
        assert!(!fence_closed(src, &(0..src.len())));
        let src = "```\naaa\n    ```";
        assert!(!fence_closed(src, &(0..src.len())));
        let src = "```\naaa\n```\u{c}\n";
        assert!(!fence_closed(src, &(0..src.len())));
        let src = "```\naaa\n``` \t\r\n";
        assert!(fence_closed(src, &(0..src.len())));
        assert_eq!(fence_lang("rust,ignore"), "rust");
        assert_eq!(fence_lang("js{2-6} title=x"), "js");
    }

    #[test]
    fn html_blocks_closed_or_not() {
        assert!(html_closed("<div>\nx\n"));
        assert!(!html_closed("<!-- open\nstill\n"));
        assert!(html_closed("<!-- a -->\n"));
        assert!(!html_closed("<pre>\ncode\n"));
        assert!(html_closed("<PRE>\ncode</pre>\n"));
        assert!(html_closed("<press>\n"));
        assert!(!html_closed("<?php echo 1;\n"));
    }
}
