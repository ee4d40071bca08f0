//! Text width estimates and line wrapping for the SVGs this crate lays out itself.
//!
//! Widths come from per-character classes, not from font files: the estimate is the same
//! on every machine (so layouts are deterministic and testable) and costs nanoseconds.
//! Classes are calibrated on common sans-serif faces and err on the wide side, so text
//! laid out with them does not overflow in practice. A CJK character is one em.

/// Width of one character in ems.
pub fn char_em(c: char) -> f32 {
    if is_wide(c) {
        return 1.0;
    }

    match c {
        'i' | 'j' | 'l' | '.' | ',' | '\'' | '|' | '!' | ':' | ';' => 0.28,
        ' ' | 'f' | 't' | 'r' | 'I' | '(' | ')' | '[' | ']' | '-' => 0.36,
        'm' | 'w' => 0.86,
        'M' | 'W' => 0.9,
        '@' | '%' | '&' => 0.85,
        'A'..='Z' => 0.68,
        '0'..='9' => 0.6,
        'a'..='z' => 0.56,
        _ => 0.6,
    }
}

/// Whether a character takes a full em: Han, kana, Hangul, and full-width forms.
pub fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA960..=0xA97F
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD)
}

/// Estimated width of `text` at `size` pixels.
pub fn width(text: &str, size: f32) -> f32 {
    text.chars().map(char_em).sum::<f32>() * size
}

/// Punctuation that must not start a line: it stays with the text before it.
fn is_closing(c: char) -> bool {
    "，。、；：？！）》」』】〕〉…”’,.;:!?)]}%".contains(c)
}

/// Punctuation that must not end a line: it stays with the text after it.
fn is_opening(c: char) -> bool {
    "（《「『【〔〈“‘([{".contains(c)
}

/// A piece of text that is never split across lines unless it alone is too wide.
struct Token {
    text: String,
    space_before: bool,
}

/// Splits text into breakable pieces: each CJK character is one, a Latin word is one,
/// and punctuation clings to its neighbour.
fn tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut space = false;
    let mut glue_next = false;

    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            glue_next = false;
            continue;
        }

        let joins_previous = match out.last() {
            None => false,
            Some(_) if glue_next || (is_closing(c) && !space) => true,
            Some(last) => {
                let last_wide = last.text.chars().last().is_some_and(is_wide);
                !space && !is_wide(c) && !last_wide && !is_opening(c)
            }
        };

        match out.last_mut() {
            Some(last) if joins_previous => last.text.push(c),
            _ => out.push(Token {
                text: c.to_string(),
                space_before: space,
            }),
        }

        glue_next = is_opening(c);
        space = false;
    }
    out
}

/// Wraps text into lines no wider than `max_width` at `size` pixels.
///
/// English breaks between words, Chinese and Japanese between any two characters, and a
/// word wider than the line is cut between characters.
pub fn wrap(text: &str, max_width: f32, size: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut line_width = 0.0;
    let space = char_em(' ') * size;

    for token in tokens(text) {
        let token_width = width(&token.text, size);
        let gap = if token.space_before && !line.is_empty() {
            space
        } else {
            0.0
        };

        if line.is_empty() || line_width + gap + token_width <= max_width {
            if gap > 0.0 {
                line.push(' ');
            }
            line.push_str(&token.text);
            line_width += gap + token_width;
        } else {
            lines.push(std::mem::take(&mut line));
            line.push_str(&token.text);
            line_width = token_width;
        }

        if line_width > max_width {
            let (done, rest) = cut_overlong(&line, max_width, size);
            lines.extend(done);
            line_width = width(&rest, size);
            line = rest;
        }
    }

    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Cuts a line wider than `max_width` between characters; returns full lines and the rest.
fn cut_overlong(line: &str, max_width: f32, size: f32) -> (Vec<String>, String) {
    let mut done = Vec::new();
    let mut current = String::new();
    let mut current_width = 0.0;

    for c in line.chars() {
        let w = char_em(c) * size;
        if !current.is_empty() && current_width + w > max_width {
            done.push(std::mem::take(&mut current));
            current_width = 0.0;
        }
        current.push(c);
        current_width += w;
    }
    (done, current)
}

/// Wraps like [`wrap`] but keeps at most `max_lines`, ending the last kept line with an
/// ellipsis when text was dropped.
pub fn wrap_limited(text: &str, max_width: f32, size: f32, max_lines: usize) -> Vec<String> {
    let mut lines = wrap(text, max_width, size);
    if lines.len() <= max_lines {
        return lines;
    }

    lines.truncate(max_lines.max(1));
    if let Some(last) = lines.last_mut() {
        *last = ellipsize(last, max_width, size, true);
    }
    lines
}

/// Shortens text to fit `max_width`, ending with `…`; `force` adds the ellipsis even when
/// the text fits (because text after it was dropped).
pub fn ellipsize(text: &str, max_width: f32, size: f32, force: bool) -> String {
    if !force && width(text, size) <= max_width {
        return text.to_string();
    }

    let room = max_width - char_em('…') * size;
    let mut out = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let w = char_em(c) * size;
        if used + w > room {
            break;
        }
        out.push(c);
        used += w;
    }

    let trimmed = out.trim_end_matches(|c: char| c.is_whitespace() || ",，、;；:：".contains(c));
    format!("{trimmed}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_breaks_between_words() {
        let lines = wrap("the quick brown fox jumps over the lazy dog", 200.0, 20.0);

        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| width(l, 20.0) <= 200.0));
        assert_eq!(
            lines.join(" "),
            "the quick brown fox jumps over the lazy dog"
        );
    }

    #[test]
    fn chinese_breaks_between_characters_but_not_before_closing_punctuation() {
        let text = "事件溯源把每一次变更记录为事实，读模型可以随时重建。";
        let lines = wrap(text, 200.0, 20.0);

        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), text);
        assert!(
            lines
                .iter()
                .all(|l| !l.starts_with('，') && !l.starts_with('。'))
        );
        assert!(lines.iter().all(|l| width(l, 20.0) <= 200.0 + 20.0));
    }

    #[test]
    fn mixed_text_keeps_latin_words_whole() {
        let lines = wrap("使用 JetStream 作为事件存储的唯一来源", 180.0, 20.0);

        assert!(lines.iter().any(|l| l.contains("JetStream")));
    }

    #[test]
    fn overlong_words_are_cut() {
        let lines = wrap("Supercalifragilisticexpialidocious", 100.0, 20.0);

        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), "Supercalifragilisticexpialidocious");
    }

    #[test]
    fn limited_wrap_ends_with_an_ellipsis() {
        let lines = wrap_limited("one two three four five six seven eight", 90.0, 20.0, 2);

        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
    }
}
