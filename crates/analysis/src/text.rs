//! Length measures and short texts: words for alphabetic scripts, characters for CJK.

/// Whether `c` is written without spaces between words (Han, kana, Hangul), so that each
/// character counts as one unit of length.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK Compatibility Ideographs
        | 0x20000..=0x2FA1F) // CJK Extensions B onwards
}

/// Counts of one piece of text: CJK characters and words of other scripts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Measure {
    pub cjk: usize,
    pub words: usize,
}

impl Measure {
    /// The length the rules compare with their thresholds: one unit per CJK character and
    /// one per word, so mixed Chinese and English text is measured fairly.
    pub fn units(self) -> usize {
        self.cjk + self.words
    }

    pub fn add(&mut self, other: Measure) {
        self.cjk += other.cjk;
        self.words += other.words;
    }
}

/// Appends `text` to `buf` while `buf` is shorter than `cap` bytes, cutting at a char
/// boundary, so that collecting a block's text stays bounded however long the block is.
pub(crate) fn push_capped(buf: &mut String, text: &str, cap: usize) {
    if buf.len() >= cap {
        return;
    }

    let room = cap - buf.len();
    buf.push_str(prefix_bytes(text, room));
}

/// The longest prefix of `text` of at most `max` bytes that ends on a char boundary.
pub(crate) fn prefix_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }

    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` with every run of whitespace turned into one space, trimmed.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());

    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }

    out
}

/// At most `max` characters of `text` (whitespace collapsed), with an ellipsis when cut.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let collapsed = collapse_whitespace(text);

    match collapsed.char_indices().nth(max) {
        None => collapsed,
        Some((cut, _)) => {
            let mut short = collapsed[..cut].trim_end().to_string();
            short.push('…');
            short
        }
    }
}

/// The first sentence-like phrases of `text`, each at most `max_chars` characters.
pub(crate) fn phrases(text: &str, count: usize, max_chars: usize) -> Vec<String> {
    text.split(['。', '！', '？', '；', '.', '!', '?', ';', '\n'])
        .map(str::trim)
        .filter(|p| p.chars().count() >= 2)
        .take(count)
        .map(|p| excerpt(p, max_chars))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_at_characters_not_bytes() {
        assert_eq!(excerpt("京都的秋天很美", 3), "京都的…");
        assert_eq!(excerpt("  a \n b  ", 10), "a b");
        assert_eq!(excerpt("👩‍👩‍👧 family", 2), "👩\u{200d}…");
    }

    #[test]
    fn capped_push_respects_char_boundaries() {
        let mut buf = String::new();
        push_capped(&mut buf, "京都", 4);
        assert_eq!(buf, "京");
        push_capped(&mut buf, "x", 4);
        assert_eq!(buf, "京x");
        push_capped(&mut buf, "yz", 4);
        assert_eq!(buf, "京x");
    }
}
