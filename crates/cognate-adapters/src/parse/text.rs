//! Python string primitives the parsers rely on: `str.isspace`, `str.strip`, `str.splitlines`.

/// Python's `str.isspace()` for one character (it differs from Rust's `char::is_whitespace`
/// on the information separators `\x1c`–`\x1f`, which Python counts as whitespace).
pub(crate) fn py_isspace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n'
            | '\x0b'
            | '\x0c'
            | '\r'
            | '\x1c'..='\x1f'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Python's `str.strip()`.
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(py_isspace)
}

/// Python's `str.rstrip()`.
pub(crate) fn py_rstrip(s: &str) -> &str {
    s.trim_end_matches(py_isspace)
}

/// Python's `str.splitlines()`: splits at `\n`, `\r\n`, `\r`, `\v`, `\f`, `\x1c`–`\x1e`, `\x85`,
/// U+2028 and U+2029, without keeping the ends. A final line break does not start a new line.
pub(crate) fn splitlines(s: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let is_break =
            matches!(c, '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}');
        if !is_break {
            continue;
        }
        lines.push(&s[start..i]);
        let mut end = i + c.len_utf8();
        if c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n') {
            chars.next();
            end += 1;
        }
        start = end;
    }
    if start < s.len() {
        lines.push(&s[start..]);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &[&str]) {
        assert_eq!(splitlines(input), expected, "{input:?}");
    }

    #[test]
    fn splitlines_matches_python_boundaries() {
        check("", &[]);
        check("a", &["a"]);
        check("a\n", &["a"]);
        check("a\n\n", &["a", ""]);
        check("a\r\nb", &["a", "b"]);
        check("a\r\rb", &["a", "", "b"]);
        check("a\n\rb", &["a", "", "b"]);
        check("a\x0bb\x0cc", &["a", "b", "c"]);
        check("a\x1cb\x1dc\x1ed\x1fe", &["a", "b", "c", "d\x1fe"]);
        check("a\u{85}b\u{2028}c\u{2029}d", &["a", "b", "c", "d"]);
        check("\n", &[""]);
        check("x\t y", &["x\t y"]);
    }

    #[test]
    fn strip_uses_python_whitespace() {
        assert_eq!(py_strip("\x1c a \u{3000}\x0b"), "a");
        assert_eq!(py_strip("\u{200b}a"), "\u{200b}a");
        assert_eq!(py_rstrip("  a  \n"), "  a");
        assert!(!py_isspace('\u{200b}'));
    }
}
