//! Line arithmetic on byte offsets: line starts, blank lines and the line ending in use.
//!
//! CommonMark ends a line at LF, CRLF or a lone CR, so every helper here does too.

/// Whether `pos` is the start of a line of `text` (or its end).
pub(crate) fn is_line_start(text: &[u8], pos: usize) -> bool {
    if pos == 0 || pos >= text.len() {
        return pos <= text.len();
    }

    match text[pos - 1] {
        b'\n' => true,
        b'\r' => text[pos] != b'\n',
        _ => false,
    }
}

/// The start of the line that contains `pos`, never before `floor`.
pub(crate) fn line_start_of(text: &[u8], pos: usize, floor: usize) -> usize {
    let mut i = pos.min(text.len());

    while i > floor {
        match text[i - 1] {
            b'\n' => return i,
            b'\r' if text.get(i) != Some(&b'\n') => return i,
            _ => i -= 1,
        }
    }

    floor
}

/// `pos` if it starts a line, else the start of the next line (or the end of `text`).
pub(crate) fn snap_to_line_start(text: &[u8], pos: usize) -> usize {
    if is_line_start(text, pos) {
        return pos;
    }

    if text[pos - 1] == b'\r' && text.get(pos) == Some(&b'\n') {
        return pos + 1;
    }

    next_line_start(text, pos)
}

/// The start of the line after the one containing `pos`, or the end of `text`.
pub(crate) fn next_line_start(text: &[u8], pos: usize) -> usize {
    let rest = &text[pos.min(text.len())..];

    match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
        None => text.len(),
        Some(i) => {
            let at = pos + i;
            if text[at] == b'\r' && text.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            }
        }
    }
}

/// Whether the line starting at `start` holds only spaces and tabs (an empty last line
/// counts as blank).
pub(crate) fn line_is_blank(text: &[u8], start: usize) -> bool {
    text[start.min(text.len())..]
        .iter()
        .take_while(|&&b| b != b'\n' && b != b'\r')
        .all(|&b| b == b' ' || b == b'\t')
}

/// The line ending that ends the line starting at `start`, if that line has one.
pub(crate) fn ending_of_line(text: &[u8], start: usize) -> Option<&'static str> {
    let rest = &text[start.min(text.len())..];
    let i = rest.iter().position(|&b| b == b'\n' || b == b'\r')?;

    Some(match (rest[i], rest.get(i + 1)) {
        (b'\r', Some(b'\n')) => "\r\n",
        (b'\r', _) => "\r",
        _ => "\n",
    })
}

/// The line ending to write at `pos`: that of the line before it, else the first one in
/// the document, else LF. Taking the neighbour's ending keeps mixed files locally
/// consistent.
pub(crate) fn ending_near(text: &[u8], pos: usize, floor: usize) -> &'static str {
    if pos > floor {
        let before = line_start_of(text, pos - 1, floor);
        if let Some(eol) = ending_of_line(text, before) {
            return eol;
        }
    }

    ending_of_line(text, floor).unwrap_or("\n")
}

/// 1-based line number of byte `pos`.
pub fn line_number(text: &[u8], pos: usize) -> usize {
    let upto = &text[..pos.min(text.len())];
    let lf = upto.iter().filter(|&&b| b == b'\n').count();
    let lone_cr = upto
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\r' && text.get(i + 1) != Some(&b'\n'))
        .count();

    lf + lone_cr + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_starts_in_lf_crlf_and_cr() {
        let t = b"a\r\nb\rc\nd";
        assert!(is_line_start(t, 0));
        assert!(!is_line_start(t, 2));
        assert!(is_line_start(t, 3));
        assert!(is_line_start(t, 5));
        assert!(is_line_start(t, 7));
        assert_eq!(snap_to_line_start(t, 2), 3);
        assert_eq!(snap_to_line_start(t, 1), 3);
        assert_eq!(next_line_start(t, 7), 8);
        assert_eq!(line_start_of(t, 8, 0), 7);
        assert_eq!(line_number(t, 7), 4);
    }

    #[test]
    fn endings_follow_the_neighbouring_line() {
        let t = b"a\nb\r\n\r\nc";
        assert_eq!(ending_near(t, 2, 0), "\n");
        assert_eq!(ending_near(t, 5, 0), "\r\n");
        assert_eq!(ending_near(b"abc", 3, 0), "\n");
        assert!(line_is_blank(t, 5));
        assert!(!line_is_blank(t, 7));
    }
}
