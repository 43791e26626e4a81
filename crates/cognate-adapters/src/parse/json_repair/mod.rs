//! A lenient JSON reader that reproduces what `json_repair.loads` 0.64.5 gives DSPy.
//!
//! Strict JSON is read as Python's `json.loads` reads it. Anything else goes through a repairing
//! scanner with the same shape as json_repair's: prose before the first `{`/`[` is skipped,
//! Markdown code fences are ignored, single and curly quotes, unquoted keys and values, trailing
//! commas, comments and Python `True`/`False`/`None` are accepted inside containers, truncated
//! containers are closed, duplicate keys keep the last value (at the first key's position),
//! several top-level values become a list, and text with no container gives `""`.
//!
//! The string heuristics (where an unterminated or badly quoted string ends) follow json_repair's
//! look-aheads. Not reproduced: low smart quotes (`„...“`) and a few combinations of doubled or
//! curly quotes; integers beyond 64 bits become floats and `NaN`/`Infinity` are not numbers (see
//! `docs/adapters.md`). Checked against json_repair through DSPy 3.4.1's verdicts on the 540
//! parse cases in `tests/data/`.

use std::cell::RefCell;

use serde_json::Value;

use crate::pyfmt::py_is_space as py_isspace;
use lookup::Lookup;

mod containers;
mod lookup;
mod string;
mod top;

/// Reads `text` as `json_repair.loads` does. `Value::String("")` means nothing was found.
///
/// # Errors
/// [`TooDeep`] when the text nests deeper than the reader's budget (json_repair raises
/// `ValueError` there).
pub(crate) fn loads(text: &str) -> Result<Value, TooDeep> {
    if let Ok(mut v) = serde_json::from_str::<Value>(text) {
        fix_negative_zero(&mut v, text);
        return Ok(v);
    }
    repair(text, text.chars().count() > SHORT_INPUT)
}

fn repair(text: &str, tables: bool) -> Result<Value, TooDeep> {
    let mut p = Parser::new(text);
    p.tables = tables;
    let v = p.parse_top_level();
    if p.too_deep { Err(TooDeep) } else { Ok(v) }
}

/// serde_json reads the integer `-0` as the float `-0.0`; Python's `json` reads it as `0`.
/// Numbers are matched with the source's number tokens in document order (skipped when
/// duplicate keys make the counts differ).
fn fix_negative_zero(value: &mut Value, src: &str) {
    fn has_negative_zero(v: &Value) -> bool {
        match v {
            Value::Number(n) => n.as_f64().is_some_and(|f| f == 0.0 && f.is_sign_negative()),
            Value::Array(a) => a.iter().any(has_negative_zero),
            Value::Object(o) => o.values().any(has_negative_zero),
            _ => false,
        }
    }
    fn numbers<'v>(v: &'v mut Value, out: &mut Vec<&'v mut Value>) {
        match v {
            Value::Number(_) => out.push(v),
            Value::Array(a) => a.iter_mut().for_each(|x| numbers(x, out)),
            Value::Object(o) => o.values_mut().for_each(|x| numbers(x, out)),
            _ => {}
        }
    }
    if !src.contains("-0") || !has_negative_zero(value) {
        return;
    }
    // Number tokens outside strings: whether each one is an integer `-0`.
    let b = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                    i += 1;
                }
                tokens.push(&src[start..i] == "-0");
            }
            _ => i += 1,
        }
    }
    let mut nums = Vec::new();
    numbers(value, &mut nums);
    if nums.len() != tokens.len() {
        return;
    }
    for (v, int_zero) in nums.into_iter().zip(tokens) {
        if int_zero {
            *v = Value::from(0);
        }
    }
}

/// The text nests too deeply to be repaired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooDeep;

impl std::fmt::Display for TooDeep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Input nesting exceeds the supported parser recursion depth.")
    }
}

const DELIMS: [char; 4] = ['"', '\'', '\u{201c}', '\u{201d}'];
/// Nesting budget (values, objects and arrays count one each), like Python's recursion limit.
const MAX_DEPTH: usize = 500;
/// The look-aheads that match brackets to answer a question about what follows (is this `(`
/// a tuple?), and the repairs that read an object again, may examine, in all, this many
/// characters per input character (plus [`SCAN_BUDGET_BASE`]). Real replies use a small
/// fraction of it; on junk the budget keeps the whole parse linear: once it is spent, a
/// look-ahead answers as if the text ended where it stopped, and an object is not read again.
const SCAN_BUDGET_PER_CHAR: usize = 4;
/// See [`SCAN_BUDGET_PER_CHAR`].
const SCAN_BUDGET_BASE: usize = 1 << 16;
/// Inputs up to this many characters are scanned without look-up tables.
const SHORT_INPUT: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Key,
    Value,
    Array,
}

struct Parser<'a> {
    src: &'a str,
    s: Vec<char>,
    idx: usize,
    ctx: Vec<Ctx>,
    tried_suffix: bool,
    depth: usize,
    /// Contexts a repair left for the next value (json_repair's `deferred_contexts`).
    deferred: Vec<Ctx>,
    /// Indexes that keep look-ahead scans linear; told about every edit of `s`.
    lookup: RefCell<Lookup>,
    /// Set when the nesting budget ran out; the parse then unwinds.
    too_deep: bool,
    /// Whether look-aheads use the `lookup` tables (long inputs) or scan directly.
    tables: bool,
    /// Characters the bracket-matching look-aheads may still examine (see [`Parser::scan_end`]).
    scan_budget: std::cell::Cell<usize>,
}

fn is_delim(c: char) -> bool {
    DELIMS.contains(&c)
}

fn empty() -> Value {
    Value::String(String::new())
}

/// Python truthiness of a JSON value.
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn strictly_empty(v: &Value) -> bool {
    match v {
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// json_repair's `ObjectComparer.is_same_object`: same types and the same keys, recursively.
fn same_shape(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_shape(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_shape(v, w)),
        (Value::Number(x), Value::Number(y)) => x.is_f64() == y.is_f64(),
        (Value::Null, Value::Null) | (Value::Bool(_), Value::Bool(_)) | (Value::String(_), Value::String(_)) => true,
        _ => false,
    }
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Self {
        Parser {
            src,
            s: src.chars().collect(),
            idx: 0,
            ctx: Vec::new(),
            tried_suffix: false,
            depth: 0,
            deferred: Vec::new(),
            lookup: RefCell::default(),
            too_deep: false,
            tables: false,
            scan_budget: std::cell::Cell::new(
                SCAN_BUDGET_PER_CHAR.saturating_mul(src.len()).saturating_add(SCAN_BUDGET_BASE),
            ),
        }
    }

    fn at(&self, offset: isize) -> Option<char> {
        let i = self.idx as isize + offset;
        if i < 0 {
            return None;
        }
        self.s.get(i as usize).copied()
    }

    fn peek(&self) -> Option<char> {
        self.s.get(self.idx).copied()
    }

    fn current(&self) -> Option<Ctx> {
        self.ctx.last().copied()
    }

    fn in_ctx(&self, c: Ctx) -> bool {
        self.ctx.contains(&c)
    }

    fn skip_whitespaces(&mut self) {
        while self.peek().is_some_and(py_isspace) {
            self.idx += 1;
        }
    }

    /// Offset from `idx` of the first non-whitespace character at or after `offset`.
    fn scroll_ws(&self, mut offset: isize) -> isize {
        while self.at(offset).is_some_and(py_isspace) {
            offset += 1;
        }
        offset
    }

    /// Offset of the next unescaped character in `targets`, or the distance to the end.
    ///
    /// Short inputs are scanned directly; long ones use next-occurrence tables (module
    /// `lookup`) so that the many look-aheads of the string heuristics stay linear overall.
    fn skip_to(&self, targets: &[char], offset: isize) -> isize {
        let start = (self.idx as isize + offset).max(0) as usize;
        let len = self.s.len();
        if start >= len {
            return len as isize - self.idx as isize;
        }
        if !self.tables {
            let mut backslashes = 0usize;
            for (i, &ch) in self.s.iter().enumerate().skip(start) {
                if ch == '\\' {
                    backslashes += 1;
                    continue;
                }
                if targets.contains(&ch) && backslashes % 2 == 0 {
                    return i as isize - self.idx as isize;
                }
                backslashes = 0;
            }
            return len as isize - self.idx as isize;
        }
        self.lookup.borrow_mut().next_unescaped(&self.s, targets, start) as isize - self.idx as isize
    }

    /// The end (exclusive) of a look-ahead that starts at `from` and may run to `end`, within
    /// the scan budget. Call [`Parser::scanned`] with the characters examined.
    fn scan_end(&self, from: usize, end: usize) -> usize {
        end.min(from.saturating_add(self.scan_budget.get()))
    }

    /// Charges `n` examined characters to the scan budget.
    fn scanned(&self, n: usize) {
        self.scan_budget.set(self.scan_budget.get().saturating_sub(n));
    }

    /// Charges `n` characters about to be read again; `false` (charging nothing) when the
    /// budget cannot cover them.
    fn spend(&self, n: usize) -> bool {
        let left = self.scan_budget.get();
        if n > left {
            return false;
        }
        self.scan_budget.set(left - n);
        true
    }

    fn skip_comment(&mut self) {
        let c = self.peek();
        if c == Some('#') || (c == Some('/') && self.at(1) == Some('/')) {
            let mut stops = vec!['\n', '\r'];
            if c == Some('#') {
                if self.in_ctx(Ctx::Array) {
                    stops.push(']');
                }
                if self.in_ctx(Ctx::Value) {
                    stops.push('}');
                }
                if self.in_ctx(Ctx::Key) {
                    stops.push(':');
                }
            }
            while self.peek().is_some_and(|ch| !stops.contains(&ch)) {
                self.idx += 1;
            }
        } else if c == Some('/') && self.at(1) == Some('*') {
            self.idx += 2;
            while let Some(ch) = self.peek() {
                self.idx += 1;
                if ch == '/' && self.idx >= 2 && self.s[self.idx - 2] == '*' {
                    break;
                }
            }
        } else if c == Some('/') {
            self.idx += 1;
        }
    }

    fn skip_ws_and_comments(&mut self) {
        loop {
            self.skip_whitespaces();
            let c = self.peek();
            if c != Some('#') && !(c == Some('/') && matches!(self.at(1), Some('/' | '*'))) {
                return;
            }
            self.skip_comment();
        }
    }

    fn only_ws_until(&self, end: isize) -> bool {
        (1..end).all(|j| self.at(j).is_none_or(py_isspace))
    }

    /// Skips whitespace and comments from `idx`, without moving.
    fn scroll_comments(&self, idx: isize) -> isize {
        let mut idx = self.scroll_ws(idx);
        loop {
            match (self.at(idx), self.at(idx + 1)) {
                (Some('#'), _) | (Some('/'), Some('/')) => {
                    while self.at(idx).is_some_and(|c| c != '\n' && c != '\r') {
                        idx += 1;
                    }
                }
                (Some('/'), Some('*')) => {
                    idx += 2;
                    loop {
                        match self.at(idx) {
                            None => return idx,
                            Some('*') if self.at(idx + 1) == Some('/') => {
                                idx += 2;
                                break;
                            }
                            Some(_) => idx += 1,
                        }
                    }
                }
                _ => return idx,
            }
            idx = self.scroll_ws(idx);
        }
    }
}

fn strip_comments(body: &str) -> String {
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::new();
    let mut in_quote: Option<char> = None;
    let mut backslashes = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\\' {
            backslashes += 1;
            out.push(c);
            i += 1;
            continue;
        }
        if let Some(q) = in_quote {
            out.push(c);
            if c == q && backslashes % 2 == 0 {
                in_quote = None;
            }
            backslashes = 0;
            i += 1;
            continue;
        }
        if is_delim(c) && backslashes % 2 == 0 {
            in_quote = Some(c);
            out.push(c);
            backslashes = 0;
            i += 1;
            continue;
        }
        backslashes = 0;
        if c == '#' || (c == '/' && next == Some('/')) {
            while i < chars.len() && chars[i] != '\n' && chars[i] != '\r' {
                i += 1;
            }
            continue;
        }
        if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i = (i + 2).min(chars.len());
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[track_caller]
    fn check(input: &str, expected: Value) {
        let got = loads(input).unwrap();
        assert_eq!(got.to_string(), expected.to_string(), "input: {input:?}");
        if serde_json::from_str::<Value>(input).is_err() {
            // The look-up tables used for long inputs must give the same answers.
            let with_tables = repair(input, true).unwrap();
            assert_eq!(with_tables.to_string(), expected.to_string(), "tables, input: {input:?}");
        }
    }

    #[test]
    fn strict_json() {
        check(r#"{"a": 1, "b": [1.0, "x"]}"#, json!({"a": 1, "b": [1.0, "x"]}));
        check("42", json!(42));
        check(" -3.5 ", json!(-3.5));
        check(r#""abc""#, json!("abc"));
        check("null", Value::Null);
        check("true", json!(true));
        check("[]", json!([]));
        check("[-0, -0.0, {\"a\": -0}]", json!([0, -0.0, {"a": 0}]));
        check("x [-0, 1]", json!([0, 1]));
        check(r#"{"a": 1, "a": 2, "b": 3}"#, json!({"a": 2, "b": 3}));
    }

    #[test]
    fn prose_and_fences() {
        check("Sure! {\"a\": 1} hope it helps", json!({"a": 1}));
        check("```json\n{\"a\": [1, 2]}\n```", json!({"a": [1, 2]}));
        check("```\n[1, 2]\n```", json!([1, 2]));
        check("The answer: [\"x\"]", json!(["x"]));
        check("hello", json!(""));
        check("True", json!(""));
        check("42 apples", json!(""));
        check("", json!(""));
    }

    #[test]
    fn repairs_inside_containers() {
        check("{'a': 'b', 'c': True, 'd': None, 'e': False}", json!({"a": "b", "c": true, "d": null, "e": false}));
        check("{a: 1, b: 'two'}", json!({"a": 1, "b": "two"}));
        check("[1, 2, 3,]", json!([1, 2, 3]));
        check("{'a': [1, 2,], 'b': {'c': 1,},}", json!({"a": [1, 2], "b": {"c": 1}}));
        check("['N/A', 'x',]", json!(["N/A", "x"]));
        check("{\"a\": 1, // comment\n \"b\": 2}", json!({"a": 1, "b": 2}));
        check("[1, /* c */ 2]", json!([1, 2]));
        check("{\"a\": hello world}", json!({"a": "hello world"}));
        check("{\"a\": yes, \"b\": 2}", json!({"a": "yes", "b": 2}));
        check("['a', \"b\"]", json!(["a", "b"]));
        check("{\u{201c}a\u{201d}: \u{201c}b\u{201d}}", json!({"a": "b"}));
        check("(1, 2)", json!([1, 2]));
        check("{'a', 'b'}", json!(["a", "b"]));
    }

    #[test]
    fn truncated_containers_are_closed() {
        check("{\"a\": 1, \"b\": [1, 2", json!({"a": 1, "b": [1, 2]}));
        check("{\"plan\": \"Paris\", \"steps\": [\"N/A\", \"x\"]", json!({"plan": "Paris", "steps": ["N/A", "x"]}));
        check("[1, 2", json!([1, 2]));
        check("{\"a\": \"unfinished", json!({"a": "unfinished"}));
        check("{\"a\"", json!(["a"]));
        check("{\"rows\": [[1, 2]], [3, 4]}", json!({"rows": [[1, 2], [3, 4]]}));
        check("{\"a\": [1, 2], [3, 4]}", json!({"a": [1, 2, 3, 4]}));
    }

    #[test]
    fn several_top_level_values() {
        check("{\"a\": 1}\n{\"b\": 2}", json!([{"a": 1}, {"b": 2}]));
        check("{\"a\": 1} {\"a\": 2}", json!({"a": 2}));
        check("[] {\"a\": 1}", json!({"a": 1}));
        check("{\"a\": 1}, \"b\": 2}", json!({"a": 1, "b": 2}));
    }

    #[test]
    fn numbers() {
        check("[1e3, -2, 0.5, 1_000]", json!([1000.0, -2, 0.5, 1000]));
        check("{\"a\": 1,2}", json!({"a": "1,2"}));
        check("{\"a\": 2024abc}", json!({"a": "2024abc"}));
        check("[-]", json!([]));
    }

    #[test]
    fn embedded_quotes() {
        check(r#"{"a": "He said "hi" to me"}"#, json!({"a": "He said \"hi\" to me"}));
        check(r#"{"a": "x" "b": 1}"#, json!({"a": "x", "b": 1}));
        check(r#"{"a": "line\nbreak \u00e9"}"#, json!({"a": "line\nbreak é"}));
    }
}
