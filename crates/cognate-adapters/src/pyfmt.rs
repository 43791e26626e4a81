//! Python-compatible text forms of values, shared by formatting and parsing: `repr` of floats,
//! `str()` and `repr()` of JSON-shaped values, `json.dumps` (compact and `indent=2`, both with
//! `ensure_ascii=False`), and Python's notions of whitespace, `strip()` and `splitlines()`.

use std::fmt::Write as _;

use serde_json::{Number, Value};

/// Python's `repr(float)`: the shortest string that round-trips, in fixed notation when the
/// decimal exponent is in `-4..16` and scientific (`1e-05`, `1.5e+16`) otherwise.
pub fn py_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // Rust's `{:e}` prints the shortest round-trip digits: `-1.2345e16`, `1e-5`.
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` always has an exponent");
    let exp: i32 = exp.parse().expect("integer exponent");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::from(sign);
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.abs()));
    }
    out
}

/// Appends Python's `repr(float)` of `x` to `out` (see [`py_float_repr`]).
pub fn write_py_float(out: &mut String, x: f64) {
    out.push_str(&py_float_repr(x));
}

/// Appends a JSON number as Python prints it: integers in full, floats as [`py_float_repr`].
pub fn write_py_number(out: &mut String, n: &Number) {
    if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else {
        write_py_float(out, n.as_f64().unwrap_or(f64::NAN));
    }
}

/// Python's `str.isspace()` for one character: Unicode whitespace plus the ASCII
/// separators `\x1c`–`\x1f`, which Python also treats as whitespace.
pub fn py_is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Python's `str.strip()` with no arguments.
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(py_is_space)
}

/// Python's `str.rstrip()` with no arguments.
pub fn py_rstrip(s: &str) -> &str {
    s.trim_end_matches(py_is_space)
}

/// Whether `c` ends a line for Python's `str.splitlines()`.
pub fn py_is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Python's `str.splitlines()` (without `keepends`): splits at `\n`, `\r\n`, `\r`, `\v`, `\f`,
/// `\x1c`–`\x1e`, `\x85`, U+2028 and U+2029; a trailing line break gives no empty last line.
pub fn py_splitlines(s: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if py_is_line_break(c) {
            lines.push(&s[start..i]);
            let mut end = i + c.len_utf8();
            if c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n') {
                chars.next();
                end += 1;
            }
            start = end;
        }
    }
    if start < s.len() {
        lines.push(&s[start..]);
    }
    lines
}

/// Appends `s` as a JSON string literal the way Python's `json.dumps(..., ensure_ascii=False)`
/// writes it: `"` and `\` escaped, `\n`, `\r`, `\t`, `\b`, `\f` by name, other control
/// characters below U+0020 as `\u00XX`, everything else verbatim.
pub fn write_json_str(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\x08' => "\\b",
            '\x0c' => "\\f",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push_str(esc);
        }
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Appends Python's `json.dumps(value, ensure_ascii=False)`: `", "` and `": "` separators,
/// keys in map order.
pub fn write_json_compact(out: &mut String, value: &Value) {
    write_flat(out, value, &JSON);
}

/// How a one-line writer spells scalars: JSON (`null`, `true`, `"s"`) or Python (`None`,
/// `True`, `'s'`). Containers are `[a, b]` and `{k: v}` with `", "` and `": "` either way.
struct Spelling {
    null: &'static str,
    yes: &'static str,
    no: &'static str,
    string: fn(&mut String, &str),
}

const JSON: Spelling = Spelling { null: "null", yes: "true", no: "false", string: write_json_str };
const PYTHON: Spelling = Spelling { null: "None", yes: "True", no: "False", string: write_py_str_repr };

fn write_flat(out: &mut String, value: &Value, spelling: &Spelling) {
    match value {
        Value::Null => out.push_str(spelling.null),
        Value::Bool(b) => out.push_str(if *b { spelling.yes } else { spelling.no }),
        Value::Number(n) => write_py_number(out, n),
        Value::String(s) => (spelling.string)(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_flat(out, item, spelling);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                (spelling.string)(out, k);
                out.push_str(": ");
                write_flat(out, v, spelling);
            }
            out.push('}');
        }
    }
}

/// Python's `json.dumps(value, ensure_ascii=False)` as a new string.
pub fn json_dumps(value: &Value) -> String {
    let mut out = String::new();
    write_json_compact(&mut out, value);
    out
}

/// Appends Python's `json.dumps(value, indent=2, ensure_ascii=False)`, starting at nesting
/// level `level` (0 for a top-level value). Empty arrays and objects print as `[]` and `{}`.
pub fn write_json_indent2(out: &mut String, value: &Value, level: usize) {
    fn newline(out: &mut String, level: usize) {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', 2 * level));
    }
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                write_json_indent2(out, item, level + 1);
            }
            newline(out, level);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                write_json_str(out, k);
                out.push_str(": ");
                write_json_indent2(out, v, level + 1);
            }
            newline(out, level);
            out.push('}');
        }
        other => write_json_compact(out, other),
    }
}

/// Python's `json.dumps(value, indent=2, ensure_ascii=False)` as a new string.
pub fn json_dumps_indent2(value: &Value) -> String {
    let mut out = String::new();
    write_json_indent2(&mut out, value, 0);
    out
}

/// Appends Python's `str()` of a JSON-shaped value: strings verbatim, `True`/`False`/`None`,
/// integers in full, floats as `repr`, and lists and dicts as their Python `repr`
/// (`['a', 1]`, `{'k': True}`).
pub fn write_py_str(out: &mut String, value: &Value) {
    match value {
        Value::String(s) => out.push_str(s),
        other => write_py_repr(out, other),
    }
}

/// Python's `str()` of a JSON-shaped value as a new string (see [`write_py_str`]).
pub fn py_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => py_repr(other),
    }
}

/// Appends Python's `repr()` of a JSON-shaped value: `None`, `True`, `42`, `1e-05`, `'text'`,
/// `['a', 1]`, `{'k': None}`.
pub fn write_py_repr(out: &mut String, value: &Value) {
    write_flat(out, value, &PYTHON);
}

/// Python's `repr()` of a JSON-shaped value as a new string (see [`write_py_repr`]).
pub fn py_repr(value: &Value) -> String {
    let mut out = String::new();
    write_py_repr(&mut out, value);
    out
}

pub use cognate_core::types::{python_str_repr as py_str_repr, write_python_str_repr as write_py_str_repr};

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn matches_python_repr() {
        for (x, s) in [
            (2.0, "2.0"),
            (0.1, "0.1"),
            (1e-05, "1e-05"),
            (1.5e-07, "1.5e-07"),
            (1e16, "1e+16"),
            (1.2345678901234568e16, "1.2345678901234568e+16"),
            (123456789012345.6, "123456789012345.6"),
            (0.0001, "0.0001"),
            (-0.0, "-0.0"),
            (-3.25, "-3.25"),
            (1e22, "1e+22"),
            (1e100, "1e+100"),
        ] {
            assert_eq!(py_float_repr(x), s, "{x:?}");
        }
    }

    #[test]
    fn json_dumps_matches_python() {
        let v =
            json!({"a": [1, 2.0, {"b": []}], "c": {}, "d": "x\u{2028}\u{7f}\u{1}\"\\ü\n", "big": 9007199254740993u64});
        assert_eq!(
            json_dumps(&v),
            "{\"a\": [1, 2.0, {\"b\": []}], \"c\": {}, \"d\": \"x\u{2028}\u{7f}\\u0001\\\"\\\\ü\\n\", \"big\": 9007199254740993}"
        );
        assert_eq!(
            json_dumps_indent2(&json!({"a": [1, 2.0, {"b": []}], "c": {}})),
            "{\n  \"a\": [\n    1,\n    2.0,\n    {\n      \"b\": []\n    }\n  ],\n  \"c\": {}\n}"
        );
        assert_eq!(json_dumps_indent2(&json!([])), "[]");
        assert_eq!(json_dumps_indent2(&json!("s")), "\"s\"");
        assert_eq!(json_dumps(&json!([1e-5, 1e16, -0.5])), "[1e-05, 1e+16, -0.5]");
    }

    #[test]
    fn str_and_repr_match_python() {
        assert_eq!(py_str(&json!("plain")), "plain");
        assert_eq!(py_str(&json!(true)), "True");
        assert_eq!(py_str(&json!(null)), "None");
        assert_eq!(py_str(&json!(3.0)), "3.0");
        assert_eq!(py_str(&json!(3)), "3");
        assert_eq!(py_str(&json!(-9007199254740993i64)), "-9007199254740993");
        assert_eq!(py_str(&json!(["a", 1, null])), "['a', 1, None]");
        assert_eq!(py_str(&json!({"k": 1, "it's": [false]})), "{'k': 1, \"it's\": [False]}");
        assert_eq!(py_str_repr("a\u{a0}b\u{200b}\u{85}\u{2028}é😀\u{e000}"), "'a\\xa0b\\u200b\\x85\\u2028é😀\\ue000'");
        assert_eq!(py_str_repr("both ' and \""), "'both \\' and \"'");
        assert_eq!(py_str_repr("tab\there\\"), "'tab\\there\\\\'");
    }

    #[test]
    fn whitespace_strip_and_splitlines_match_python() {
        assert!(py_is_space('\x1c') && py_is_space('\u{85}') && !py_is_space('\u{200b}'));
        assert_eq!(py_strip("\x1f \t x y \u{3000}\n"), "x y");
        assert_eq!(py_splitlines("a\r\nb\rc\n\nd\u{2028}e\x0bf\n"), ["a", "b", "c", "", "d", "e", "f"]);
        assert_eq!(py_splitlines(""), Vec::<&str>::new());
        assert_eq!(py_splitlines("\n"), [""]);
    }

    fn check_lines(input: &str, expected: &[&str]) {
        assert_eq!(py_splitlines(input), expected, "{input:?}");
    }

    #[test]
    fn splitlines_matches_python_boundaries() {
        check_lines("", &[]);
        check_lines("a", &["a"]);
        check_lines("a\n", &["a"]);
        check_lines("a\n\n", &["a", ""]);
        check_lines("a\r\nb", &["a", "b"]);
        check_lines("a\r\rb", &["a", "", "b"]);
        check_lines("a\n\rb", &["a", "", "b"]);
        check_lines("a\x0bb\x0cc", &["a", "b", "c"]);
        check_lines("a\x1cb\x1dc\x1ed\x1fe", &["a", "b", "c", "d\x1fe"]);
        check_lines("a\u{85}b\u{2028}c\u{2029}d", &["a", "b", "c", "d"]);
        check_lines("\n", &[""]);
        check_lines("x\t y", &["x\t y"]);
    }

    #[test]
    fn strip_uses_python_whitespace() {
        assert_eq!(py_strip("\x1c a \u{3000}\x0b"), "a");
        assert_eq!(py_strip("\u{200b}a"), "\u{200b}a");
        assert_eq!(py_rstrip("  a  \n"), "  a");
        assert!(!py_is_space('\u{200b}'));
    }
}
