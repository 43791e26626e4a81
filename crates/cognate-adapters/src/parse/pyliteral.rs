//! A reader for Python literals, like `ast.literal_eval`: `True`, `'abc'`, `[1, 2,]`,
//! `{'k': None}`, `(1, 2)`. Tuples and sets become JSON arrays.
//!
//! Unsupported (read as "not a literal", as for any syntax error): complex numbers, bytes,
//! `\N{...}` escapes and dicts with non-string keys (pydantic would reject those keys for
//! `dict[str, T]` and models anyway).

use serde_json::{Map, Value};

/// Reads `text` as `ast.literal_eval` does; `None` when Python would raise.
pub(crate) fn literal_eval(text: &str) -> Option<Value> {
    let text = text.trim_start_matches([' ', '\t']);
    let mut r = Reader { s: text.as_bytes(), src: text, pos: 0, nesting: 0 };
    let mut v = r.expr()?;
    r.skip_ws();
    if r.peek() == Some(b',') {
        // A bare tuple: `1, 2` or `1,`.
        let mut items = vec![v];
        while r.peek() == Some(b',') {
            r.pos += 1;
            r.skip_ws();
            if r.pos == r.s.len() {
                break;
            }
            items.push(r.expr()?);
            r.skip_ws();
        }
        v = Value::Array(items);
    }
    (r.pos == r.s.len()).then_some(v)
}

struct Reader<'a> {
    s: &'a [u8],
    src: &'a str,
    pos: usize,
    /// Bracket nesting: newlines are only insignificant inside brackets.
    nesting: usize,
}

const MAX_NESTING: usize = 200;

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\x0c' => self.pos += 1,
                b'\n' | b'\r' => {
                    // A newline ends a top-level expression; only trailing blank lines may follow.
                    if self.nesting == 0 && !self.src[self.pos..].trim().is_empty() && !self.rest_is_comments() {
                        return;
                    }
                    self.pos += 1;
                }
                b'\\' if matches!(self.s.get(self.pos + 1), Some(b'\n')) => self.pos += 2,
                b'#' => {
                    while self.peek().is_some_and(|c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    fn rest_is_comments(&self) -> bool {
        self.src[self.pos..].lines().all(|l| {
            let l = l.trim();
            l.is_empty() || l.starts_with('#')
        })
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Option<Value> {
        self.skip_ws();
        let c = self.peek()?;
        match c {
            b'[' => self.sequence(b']').map(|(items, _)| Value::Array(items)),
            b'(' => {
                let (mut items, trailing_comma) = self.sequence(b')')?;
                if items.len() == 1 && !trailing_comma { items.pop() } else { Some(Value::Array(items)) }
            }
            b'{' => self.dict_or_set(),
            b'-' | b'+' => {
                self.pos += 1;
                self.skip_ws();
                let n = self.number()?;
                if c == b'+' {
                    return Some(n);
                }
                negate(n)
            }
            b'0'..=b'9' | b'.' => self.number(),
            b'\'' | b'"' => self.strings(),
            c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80) {
                    self.pos += 1;
                }
                let word = &self.src[start..self.pos];
                match word {
                    "True" => Some(Value::Bool(true)),
                    "False" => Some(Value::Bool(false)),
                    "None" => Some(Value::Null),
                    w if is_string_prefix(w) && matches!(self.peek(), Some(b'\'' | b'"')) => {
                        self.pos = start;
                        self.strings()
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.nesting += 1;
        (self.nesting <= MAX_NESTING).then_some(())
    }

    /// `[a, b,]` or `(a, b)`; returns the items and whether a comma followed the last item.
    fn sequence(&mut self, close: u8) -> Option<(Vec<Value>, bool)> {
        self.pos += 1;
        self.enter()?;
        let mut items = Vec::new();
        let mut trailing_comma = false;
        loop {
            if self.eat(close) {
                break;
            }
            items.push(self.expr()?);
            trailing_comma = self.eat(b',');
            if !trailing_comma {
                if self.eat(close) {
                    break;
                }
                return None;
            }
        }
        self.nesting -= 1;
        Some((items, trailing_comma))
    }

    fn dict_or_set(&mut self) -> Option<Value> {
        self.pos += 1;
        self.enter()?;
        if self.eat(b'}') {
            self.nesting -= 1;
            return Some(Value::Object(Map::new()));
        }
        let first = self.expr()?;
        if self.eat(b':') {
            let mut map = Map::new();
            let mut key = first;
            loop {
                let value = self.expr()?;
                let Value::String(k) = key else { return None };
                map.insert(k, value);
                if !self.eat(b',') {
                    if self.eat(b'}') {
                        break;
                    }
                    return None;
                }
                if self.eat(b'}') {
                    break;
                }
                key = self.expr()?;
                if !self.eat(b':') {
                    return None;
                }
            }
            self.nesting -= 1;
            return Some(Value::Object(map));
        }
        let mut items = vec![first];
        loop {
            if !self.eat(b',') {
                if self.eat(b'}') {
                    break;
                }
                return None;
            }
            if self.eat(b'}') {
                break;
            }
            let item = self.expr()?;
            if !items.contains(&item) {
                items.push(item);
            }
        }
        self.nesting -= 1;
        Some(Value::Array(items))
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.pos;
        let rest = &self.src[start..];
        let lower = rest.get(..2).map(str::to_ascii_lowercase);
        if let Some(radix) = match lower.as_deref() {
            Some("0x") => Some(16),
            Some("0o") => Some(8),
            Some("0b") => Some(2),
            _ => None,
        } {
            self.pos += 2;
            let digits_start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') {
                self.pos += 1;
            }
            let digits = clean_underscores(&self.src[digits_start..self.pos])?;
            return i64::from_str_radix(&digits, radix).ok().map(Value::from);
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit() || c == b'_') {
            self.pos += 1;
        }
        let mut is_float = false;
        if self.peek() == Some(b'.') {
            is_float = true;
            self.pos += 1;
            while self.peek().is_some_and(|c| c.is_ascii_digit() || c == b'_') {
                self.pos += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            is_float = true;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            let exp_start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_digit() || c == b'_') {
                self.pos += 1;
            }
            if self.pos == exp_start {
                return None;
            }
        }
        // `1j`, `1abc`: not a plain number.
        if self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') {
            return None;
        }
        let text = clean_underscores(&self.src[start..self.pos])?;
        if text == "." || text.is_empty() {
            return None;
        }
        if is_float {
            let f: f64 = text.parse().ok()?;
            return f.is_finite().then(|| Value::from(f));
        }
        if text.len() > 1 && text.starts_with('0') && text.bytes().any(|b| b != b'0') {
            return None;
        }
        if let Ok(i) = text.parse::<i64>() {
            return Some(Value::from(i));
        }
        if let Ok(u) = text.parse::<u64>() {
            return Some(Value::from(u));
        }
        text.parse::<f64>().ok().map(Value::from)
    }

    /// One or more adjacent string literals, concatenated.
    fn strings(&mut self) -> Option<Value> {
        let mut out = String::new();
        let mut any = false;
        loop {
            self.skip_ws();
            let start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                self.pos += 1;
            }
            let prefix = self.src[start..self.pos].to_ascii_lowercase();
            if !matches!(self.peek(), Some(b'\'' | b'"')) || !is_string_prefix(&prefix) && !prefix.is_empty() {
                self.pos = start;
                break;
            }
            if prefix.contains('b') || prefix.contains('f') {
                return None;
            }
            self.string(prefix.contains('r'), &mut out)?;
            any = true;
        }
        any.then_some(Value::String(out))
    }

    fn string(&mut self, raw: bool, out: &mut String) -> Option<()> {
        let q = self.peek()?;
        let triple = self.s.get(self.pos..self.pos + 3) == Some(&[q, q, q][..]);
        self.pos += if triple { 3 } else { 1 };
        loop {
            let rest = &self.src[self.pos..];
            let c = rest.chars().next()?;
            if c as u32 == q as u32 {
                if !triple {
                    self.pos += 1;
                    return Some(());
                }
                if self.s.get(self.pos..self.pos + 3) == Some(&[q, q, q][..]) {
                    self.pos += 3;
                    return Some(());
                }
            }
            if (c == '\n' || c == '\r') && !triple {
                return None;
            }
            if c == '\\' {
                let next = rest[1..].chars().next()?;
                self.pos += 1 + next.len_utf8();
                if raw {
                    out.push('\\');
                    out.push(next);
                    continue;
                }
                match next {
                    '\n' => {}
                    '\\' => out.push('\\'),
                    '\'' => out.push('\''),
                    '"' => out.push('"'),
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'v' => out.push('\u{b}'),
                    '0'..='7' => {
                        let mut code = next.to_digit(8)?;
                        for _ in 0..2 {
                            match self.peek() {
                                Some(d @ b'0'..=b'7') => {
                                    code = code * 8 + u32::from(d - b'0');
                                    self.pos += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push(char::from_u32(code)?);
                    }
                    'x' | 'u' | 'U' => {
                        let n = match next {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let hex = self.src.get(self.pos..self.pos + n)?;
                        let code = u32::from_str_radix(hex, 16).ok()?;
                        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                            return None;
                        }
                        out.push(char::from_u32(code)?);
                        self.pos += n;
                    }
                    'N' => return None,
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
                continue;
            }
            out.push(c);
            self.pos += c.len_utf8();
        }
    }
}

fn is_string_prefix(w: &str) -> bool {
    matches!(w.to_ascii_lowercase().as_str(), "r" | "u" | "b" | "br" | "rb" | "f" | "fr" | "rf")
}

/// Python allows single underscores between digits only.
fn clean_underscores(text: &str) -> Option<String> {
    if text.starts_with('_') || text.ends_with('_') || text.contains("__") || text.contains("_.") || text.contains("._")
    {
        return None;
    }
    Some(text.replace('_', ""))
}

fn negate(n: Value) -> Option<Value> {
    let Value::Number(n) = n else { return None };
    if let Some(i) = n.as_i64() {
        return Some(i.checked_neg().map_or(Value::from(-(i as f64)), Value::from));
    }
    if let Some(u) = n.as_u64() {
        return Some(if u == 1 << 63 { Value::from(i64::MIN) } else { Value::from(-(u as f64)) });
    }
    n.as_f64().map(|f| Value::from(-f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[track_caller]
    fn check(input: &str, expected: Option<Value>) {
        let got = literal_eval(input);
        assert_eq!(got.as_ref().map(Value::to_string), expected.as_ref().map(Value::to_string), "input: {input:?}");
    }

    #[test]
    fn scalars() {
        check("True", Some(json!(true)));
        check("False", Some(json!(false)));
        check("None", Some(Value::Null));
        check("42", Some(json!(42)));
        check("-42", Some(json!(-42)));
        check("+1.5", Some(json!(1.5)));
        check("1_000", Some(json!(1000)));
        check("1e3", Some(json!(1000.0)));
        check("0x1f", Some(json!(31)));
        check(".5", Some(json!(0.5)));
        check("  7", Some(json!(7)));
        check("7  # comment", Some(json!(7)));
        check("7\n\n", Some(json!(7)));
    }

    #[test]
    fn strings() {
        check("'abc'", Some(json!("abc")));
        check("\"it's\"", Some(json!("it's")));
        check("'a' \"b\"", Some(json!("ab")));
        check("'tab\\there\\n'", Some(json!("tab\there\n")));
        check("r'a\\nb'", Some(json!("a\\nb")));
        check("'''multi\nline'''", Some(json!("multi\nline")));
        check("'\\x41\\u00e9\\101'", Some(json!("AéA")));
        check("'unknown \\q escape'", Some(json!("unknown \\q escape")));
    }

    #[test]
    fn containers() {
        check("[1, 2,]", Some(json!([1, 2])));
        check("(1, 2)", Some(json!([1, 2])));
        check("(1,)", Some(json!([1])));
        check("(1)", Some(json!(1)));
        check("()", Some(json!([])));
        check("1,000", Some(json!([1, 0])));
        check("'a', 'b',", Some(json!(["a", "b"])));
        check("{'a': [1, {'b': None}], 'c': (True,)}", Some(json!({"a": [1, {"b": null}], "c": [true]})));
        check("{'a': 1, 'a': 2}", Some(json!({"a": 2})));
        check("{1, 2, 1}", Some(json!([1, 2])));
        check("{}", Some(json!({})));
        check("[\n  1,\n  2\n]", Some(json!([1, 2])));
    }

    #[test]
    fn rejects_what_python_rejects() {
        for bad in [
            "", "abc", "a b", "1 2", "[1, 2", "{'a' 1}", "007", "--1", "-True", "x = 1", "'open", "1\n2", "f'x'",
            "1__0", "[1,,2]", "'a' 1",
        ] {
            check(bad, None);
        }
    }

    #[test]
    fn unsupported_literals_are_not_literals() {
        // Python reads these, but no output type could accept them (documented).
        for unsupported in ["1j", "b'bytes'", "{1: 2}"] {
            check(unsupported, None);
        }
    }
}
