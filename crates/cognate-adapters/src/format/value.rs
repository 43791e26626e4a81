//! Rendering one field value as text (DSPy's `format_field_value`), and XMLAdapter's nested
//! XML form of demo outputs.

use cognate_core::TypeDesc;
use serde_json::Value;

use crate::pyfmt::{write_json_compact, write_py_str};

/// Appends a field's value as DSPy writes it into a prompt.
///
/// A list in a field typed exactly `str` is numbered (`[1] «a»⏎[2] «b»`, see [`write_blob`]);
/// other lists and objects are compact JSON (`", "` and `": "` separators, non-ASCII kept);
/// anything else is Python's `str()`: strings verbatim, `True`/`False`/`None`, integers in
/// full, floats in Python's shortest round-trip form.
pub(crate) fn write_value(out: &mut String, ty: &TypeDesc, value: &Value) {
    match value {
        Value::Array(items) if *ty == TypeDesc::Str => write_numbered(out, items),
        Value::Array(_) | Value::Object(_) => write_json_compact(out, value),
        scalar => write_py_str(out, scalar),
    }
}

/// DSPy's numbered list: `N/A` for `[]`, the lone blob for one item, else `[i] blob` lines.
fn write_numbered(out: &mut String, items: &[Value]) {
    match items {
        [] => out.push_str("N/A"),
        [only] => write_item_blob(out, only),
        items => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                out.push('[');
                out.push_str(&(i + 1).to_string());
                out.push_str("] ");
                write_item_blob(out, item);
            }
        }
    }
}

/// A list item's blob. DSPy expects strings here; any other item is shown through Python's
/// `str()` (DSPy itself would fail on a number).
fn write_item_blob(out: &mut String, item: &Value) {
    match item {
        Value::String(s) => write_blob(out, s),
        other => {
            let mut s = String::new();
            write_py_str(&mut s, other);
            write_blob(out, &s);
        }
    }
}

/// DSPy's `_format_blob`: `«s»` when `s` holds no newline, `«` or `»`; otherwise
/// `«««⏎    s»»»` with every newline followed by 4 spaces and `⏎»»»` closing it.
pub(crate) fn write_blob(out: &mut String, s: &str) {
    if !s.contains(['\n', '«', '»']) {
        out.push('«');
        out.push_str(s);
        out.push('»');
    } else {
        out.push_str("«««\n    ");
        out.push_str(&s.replace('\n', "\n    "));
        out.push_str("\n»»»");
    }
}

/// Appends `s` with `&` → `&amp;` and `<` → `&lt;` (`>` is left alone), as XMLAdapter escapes
/// text.
pub(crate) fn write_xml_text(out: &mut String, s: &str) {
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(esc);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// Appends XMLAdapter's compact nested XML of a value under `tag` (no newlines): a list holds
/// `<item>` children (`<tag />` when empty), an object one child per key (`<tag></tag>` when
/// empty), a scalar its escaped `str()`, and `null` is `<tag />`.
pub(crate) fn write_value_xml(out: &mut String, tag: &str, key: Option<&str>, value: &Value) {
    let open = |out: &mut String| {
        out.push('<');
        out.push_str(tag);
        if let Some(key) = key {
            out.push_str(" key=");
            write_quoteattr(out, key);
        }
    };
    let close = |out: &mut String| {
        out.push_str("</");
        out.push_str(tag);
        out.push('>');
    };
    match value {
        Value::Null => {
            open(out);
            out.push_str(" />");
        }
        Value::Array(items) if items.is_empty() => {
            open(out);
            out.push_str(" />");
        }
        Value::Array(items) => {
            open(out);
            out.push('>');
            for item in items {
                write_value_xml(out, "item", None, item);
            }
            close(out);
        }
        Value::Object(map) => {
            open(out);
            out.push('>');
            for (k, v) in map {
                if is_xml_name(k) {
                    write_value_xml(out, k, None, v);
                } else {
                    write_value_xml(out, "entry", Some(k), v);
                }
            }
            close(out);
        }
        Value::String(s) => {
            open(out);
            out.push('>');
            write_xml_text(out, s);
            close(out);
        }
        scalar => {
            open(out);
            out.push('>');
            let mut s = String::new();
            write_py_str(&mut s, scalar);
            write_xml_text(out, &s);
            close(out);
        }
    }
}

/// Whether XMLAdapter uses a key as a tag: the key, with every `-` and `.` after its first
/// character read as `_`, must be a Python identifier.
///
/// Python's identifier rule (XID_Start / XID_Continue) is approximated with Rust's
/// alphabetic/alphanumeric classes plus the common combining marks.
fn is_xml_name(key: &str) -> bool {
    let mut chars = key.chars();
    let Some(first) = chars.next() else { return false };
    (first == '_' || first.is_alphabetic()) && chars.all(|c| {
        matches!(c, '_' | '-' | '.' | '\u{b7}')
            || c.is_alphanumeric()
            || matches!(c as u32, 0x300..=0x36F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
    })
}

/// Python's `xml.sax.saxutils.quoteattr`: escape `&`, `<`, `>`, newline, carriage return and
/// tab, then quote with `"…"` (or `'…'` when the value holds `"` but not `'`; with both, `"` is
/// escaped as `&quot;`).
fn write_quoteattr(out: &mut String, s: &str) {
    let mut escaped = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '\n' => escaped.push_str("&#10;"),
            '\r' => escaped.push_str("&#13;"),
            '\t' => escaped.push_str("&#9;"),
            c => escaped.push(c),
        }
    }
    if escaped.contains('"') {
        if escaped.contains('\'') {
            out.push('"');
            out.push_str(&escaped.replace('"', "&quot;"));
            out.push('"');
        } else {
            out.push('\'');
            out.push_str(&escaped);
            out.push('\'');
        }
    } else {
        out.push('"');
        out.push_str(&escaped);
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn render(ty: &str, v: Value) -> String {
        let mut out = String::new();
        write_value(&mut out, &TypeDesc::parse(ty, &[]).unwrap(), &v);
        out
    }

    #[test]
    fn scalars_render_like_python_str() {
        assert_eq!(render("str", json!("as is")), "as is");
        assert_eq!(render("str", json!("{\"json\": 1}")), "{\"json\": 1}");
        assert_eq!(render("bool", json!(true)), "True");
        assert_eq!(render("str", json!(null)), "None");
        assert_eq!(render("int", json!(9007199254740993u64)), "9007199254740993");
        assert_eq!(render("float", json!(3.0)), "3.0");
        assert_eq!(render("float", json!(3)), "3");
        assert_eq!(render("float", json!(1e-5)), "1e-05");
        assert_eq!(render("float", json!(1.2345678901234568e16)), "1.2345678901234568e+16");
    }

    #[test]
    fn containers_render_as_compact_json() {
        assert_eq!(render("list[int]", json!([1, 2.5])), "[1, 2.5]");
        assert_eq!(
            render("dict[str, str]", json!({"ключ": "é", "b": [true, null]})),
            "{\"ключ\": \"é\", \"b\": [true, null]}"
        );
        assert_eq!(render("Optional[str]", json!(["a", "b"])), "[\"a\", \"b\"]");
    }

    #[test]
    fn lists_in_str_fields_are_numbered_blobs() {
        assert_eq!(render("str", json!([])), "N/A");
        assert_eq!(render("str", json!(["one"])), "«one»");
        assert_eq!(
            render("str", json!(["a", "b\nc", "«q»"])),
            "[1] «a»\n[2] «««\n    b\n    c\n»»»\n[3] «««\n    «q»\n»»»"
        );
        assert_eq!(render("str", json!([1, {"k": "v"}])), "[1] «1»\n[2] «{'k': 'v'}»");
    }

    #[test]
    fn nested_xml_values() {
        let xml = |v: Value| {
            let mut out = String::new();
            write_value_xml(&mut out, "t", None, &v);
            out
        };
        assert_eq!(xml(json!([])), "<t />");
        assert_eq!(xml(json!({})), "<t></t>");
        assert_eq!(xml(json!(null)), "<t />");
        assert_eq!(
            xml(json!([1.0, true, "a<b&c>"])),
            "<t><item>1.0</item><item>True</item><item>a&lt;b&amp;c></item></t>"
        );
        assert_eq!(
            xml(json!({"x-y": 1, "k.v": 2, "ключ": 3, "two words": 4, "-a": 5, "q\"'": 6, "q\"": 7, "": 8})),
            concat!(
                "<t><x-y>1</x-y><k.v>2</k.v><ключ>3</ключ><entry key=\"two words\">4</entry>",
                "<entry key=\"-a\">5</entry><entry key=\"q&quot;'\">6</entry><entry key='q\"'>7</entry>",
                "<entry key=\"\">8</entry></t>"
            )
        );
        let mut out = String::new();
        write_quoteattr(&mut out, "a\nb\"c'd<>&\t");
        assert_eq!(out, "\"a&#10;b&quot;c'd&lt;&gt;&amp;&#9;\"");
    }
}
