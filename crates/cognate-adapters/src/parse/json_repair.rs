//! A lenient JSON reader that reproduces what `json_repair.loads` 0.64.5 gives DSPy.
//!
//! Strict JSON is read as Python's `json.loads` reads it. Anything else goes through a repairing
//! scanner with the same shape as json_repair's: prose before the first `{`/`[` is skipped,
//! Markdown code fences are ignored, single and curly quotes, unquoted keys and values, trailing
//! commas, comments and Python `True`/`False`/`None` are accepted inside containers, truncated
//! containers are closed, duplicate keys keep the last value (at the first key's position),
//! several top-level values become a list, and text with no container gives `""`.
//!
//! The rarest heuristics of json_repair (splitting objects on duplicate keys inside arrays,
//! regex character classes, low smart quotes, fenced snippets inside strings) are not
//! reproduced; see `docs/adapters.md`.

use std::cell::RefCell;

use serde_json::{Map, Value};

use super::text::{py_isspace, py_rstrip};

/// Reads `text` as `json_repair.loads` does. `Value::String("")` means nothing was found.
pub(crate) fn loads(text: &str) -> Value {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return v;
    }
    let mut p = Parser::new(text);
    p.parse_top_level()
}

const DELIMS: [char; 4] = ['"', '\'', '\u{201c}', '\u{201d}'];
const MAX_DEPTH: usize = 256;

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
    /// Indexes that keep look-ahead scans linear; rebuilt when `s` changes.
    lookup: RefCell<Lookup>,
}

/// For each set of target characters, the next position holding one of them; and the run of
/// backslashes before each position.
#[derive(Default)]
struct Lookup {
    next: Vec<(Vec<char>, Vec<u32>)>,
    backslashes: Vec<u32>,
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
        Parser { src, s: src.chars().collect(), idx: 0, ctx: Vec::new(), tried_suffix: false, depth: 0, deferred: Vec::new(), lookup: RefCell::default() }
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
    fn skip_to(&self, targets: &[char], offset: isize) -> isize {
        let start = (self.idx as isize + offset).max(0) as usize;
        let len = self.s.len();
        if start >= len {
            return len as isize - self.idx as isize;
        }
        let mut lookup = self.lookup.borrow_mut();
        let lookup = &mut *lookup;
        let slot = match lookup.next.iter().position(|(t, _)| t.as_slice() == targets) {
            Some(slot) => slot,
            None => {
                let mut next = vec![len as u32; len + 1];
                for i in (0..len).rev() {
                    next[i] = if targets.contains(&self.s[i]) { i as u32 } else { next[i + 1] };
                }
                lookup.next.push((targets.to_vec(), next));
                lookup.next.len() - 1
            }
        };
        if lookup.backslashes.len() != len {
            lookup.backslashes = vec![0; len];
            for i in 1..len {
                if self.s[i - 1] == '\\' {
                    lookup.backslashes[i] = lookup.backslashes[i - 1] + 1;
                }
            }
        }
        let next = &lookup.next[slot].1;
        let mut q = next[start] as usize;
        while q < len {
            // Backslashes are only counted from where the scan starts.
            let run = (lookup.backslashes[q] as usize).min(q - start);
            if run % 2 == 0 {
                return q as isize - self.idx as isize;
            }
            q = next[q + 1] as usize;
        }
        len as isize - self.idx as isize
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

    fn parse_top_level(&mut self) -> Value {
        let first = self.parse_json();
        if self.idx >= self.s.len() {
            return first;
        }
        let mut items = vec![first];
        while self.idx < self.s.len() {
            self.ctx.clear();
            self.deferred.clear();
            let comma_separated = self.next_top_level_value_is_comma_separated();
            let value = self.parse_json();
            if truthy(&value) {
                let last = items.last().expect("items is never empty");
                if (!comma_separated && same_shape(last, &value)) || !truthy(last) {
                    items.pop();
                }
                items.push(value);
            } else {
                self.idx += 1;
            }
        }
        if items.len() == 1 { items.pop().expect("one item") } else { Value::Array(items) }
    }

    fn next_top_level_value_is_comma_separated(&self) -> bool {
        let i = self.scroll_ws(0);
        if self.at(i) == Some(',') {
            return true;
        }
        let mut j = self.idx as isize - 1;
        while j >= 0 && py_isspace(self.s[j as usize]) {
            j -= 1;
        }
        j >= 0 && self.s[j as usize] == ','
    }

    /// Whether the first container of the input is followed by something other than a comma.
    fn initial_container_has_trailing_content(&self) -> bool {
        if self.idx != 0 {
            return true;
        }
        let mut stack = Vec::new();
        let mut in_string = false;
        let mut escaped = false;
        for (i, &c) in self.s.iter().enumerate() {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
                continue;
            }
            match c {
                '"' => in_string = true,
                '{' | '[' => stack.push(c),
                '}' | ']' => {
                    let open = if c == '}' { '{' } else { '[' };
                    if stack.pop() != Some(open) {
                        return false;
                    }
                    if stack.is_empty() {
                        let rest = self.s[i + 1..].iter().find(|ch| !py_isspace(**ch));
                        return rest.is_some_and(|ch| *ch != ',');
                    }
                }
                _ => {}
            }
        }
        false
    }

    /// Python's `json.JSONDecoder().raw_decode` from the current position.
    fn raw_decode(&mut self) -> Option<Value> {
        let rest: String = self.s[self.idx..].iter().collect();
        let rest = rest.as_str();
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) => {
                let used = stream.byte_offset();
                self.idx += rest[..used].chars().count();
                Some(v)
            }
            _ => None,
        }
    }

    fn try_missing_opening_object(&mut self, delim: char) -> Option<Value> {
        if self.s[..self.idx].iter().any(|c| !py_isspace(*c)) {
            return None;
        }
        let offset = self.skip_to(&[delim], 1);
        self.at(offset)?;
        let offset = self.scroll_ws(offset + 1);
        if self.at(offset) != Some(':') {
            return None;
        }
        if self.s.iter().rev().find(|c| !py_isspace(**c)) != Some(&'}') {
            return None;
        }
        let candidate = format!("{{{}", self.src);
        let mut stream = serde_json::Deserializer::from_str(&candidate).into_iter::<Value>();
        let value = stream.next()?.ok()?;
        if !candidate[stream.byte_offset()..].trim_matches([' ', '\t', '\r', '\n']).is_empty() {
            return None;
        }
        self.idx = self.s.len();
        Some(value)
    }

    fn parse_json(&mut self) -> Value {
        if !self.deferred.is_empty() {
            // Contexts left by a repair apply to the next value parsed.
            let deferred = std::mem::take(&mut self.deferred);
            let n = deferred.len();
            self.ctx.extend(deferred);
            let v = self.parse_json();
            self.ctx.truncate(self.ctx.len() - n);
            return v;
        }
        if self.depth >= MAX_DEPTH {
            self.idx = self.s.len();
            return empty();
        }
        self.depth += 1;
        let v = self.parse_json_inner();
        self.depth -= 1;
        v
    }

    fn parse_json_inner(&mut self) -> Value {
        let mut check_initial_quote = self.idx == 0 && self.ctx.is_empty();
        loop {
            let Some(c) = self.peek() else { return empty() };
            if (c == '{' || c == '[')
                && self.ctx.is_empty()
                && !self.tried_suffix
                && self.initial_container_has_trailing_content()
            {
                self.tried_suffix = true;
                if let Some(v) = self.raw_decode() {
                    return v;
                }
            }
            match c {
                '{' => {
                    self.idx += 1;
                    return self.parse_object();
                }
                '[' => {
                    self.idx += 1;
                    return Value::Array(self.parse_array(']'));
                }
                '(' => {
                    if !self.ctx.is_empty() || self.top_level_paren_can_start_value() {
                        return self.parse_parenthesized();
                    }
                    self.idx += 1;
                    continue;
                }
                _ => {}
            }
            if !self.ctx.is_empty() && (is_delim(c) || c.is_alphabetic()) {
                return self.parse_string();
            }
            if !self.ctx.is_empty() && (c.is_ascii_digit() || c == '-' || c == '.') {
                return self.parse_number();
            }
            if c == '#' || c == '/' {
                return self.parse_comment();
            }
            if is_delim(c) && check_initial_quote {
                check_initial_quote = false;
                if let Some(v) = self.try_missing_opening_object(c) {
                    return v;
                }
            }
            self.idx += 1;
        }
    }

    fn parse_comment(&mut self) -> Value {
        loop {
            self.skip_comment();
            if !self.ctx.is_empty() {
                return empty();
            }
            self.skip_whitespaces();
            if !matches!(self.peek(), Some('#' | '/')) {
                return self.parse_json();
            }
        }
    }

    fn parse_parenthesized(&mut self) -> Value {
        let explicit_tuple = self.paren_is_explicit_tuple();
        self.idx += 1;
        let mut values = self.parse_array(')');
        if explicit_tuple || values.len() != 1 { Value::Array(values) } else { values.pop().expect("one value") }
    }

    /// Walks a parenthesized group from `idx`; calls `on_close` with the index after the closing
    /// `)` at depth zero, and `on_comma` for a comma at depth zero.
    fn paren_is_explicit_tuple(&self) -> bool {
        let mut i = self.idx + 1;
        let (mut parens, mut squares, mut braces) = (0usize, 0usize, 0usize);
        let mut in_quote: Option<char> = None;
        let mut backslashes = 0usize;
        let mut saw_content = false;
        while i < self.s.len() {
            let ch = self.s[i];
            if ch == '\\' {
                backslashes += 1;
                i += 1;
                continue;
            }
            if let Some(q) = in_quote {
                if ch == q && backslashes % 2 == 0 {
                    in_quote = None;
                }
                backslashes = 0;
                i += 1;
                continue;
            }
            let top = parens == 0 && squares == 0 && braces == 0;
            if is_delim(ch) && backslashes % 2 == 0 {
                in_quote = Some(ch);
                saw_content |= top;
                backslashes = 0;
                i += 1;
                continue;
            }
            backslashes = 0;
            if !py_isspace(ch) && ch != ',' && ch != ')' && top {
                saw_content = true;
            }
            match ch {
                '(' => parens += 1,
                ')' if top => return !saw_content,
                ')' => parens = parens.saturating_sub(1),
                '[' => squares += 1,
                ']' => squares = squares.saturating_sub(1),
                '{' => braces += 1,
                '}' => braces = braces.saturating_sub(1),
                ',' if top => return true,
                _ => {}
            }
            i += 1;
        }
        !saw_content
    }

    fn top_level_paren_can_start_value(&self) -> bool {
        for &ch in self.s[..self.idx].iter().rev() {
            if ch == '\n' || ch == '\r' {
                break;
            }
            if !py_isspace(ch) {
                return false;
            }
        }
        let first_off = self.scroll_ws(1);
        let Some(first) = self.at(first_off) else { return false };
        let inner: String = self.s[(self.idx as isize + first_off) as usize..].iter().take(5).collect();
        let inner = inner.to_lowercase();
        if !matches!(first, ')' | '{' | '[' | '(' | '-' | '.')
            && !is_delim(first)
            && !first.is_ascii_digit()
            && !["true", "null", "none"].iter().any(|w| inner.starts_with(w))
            && !inner.starts_with("false")
        {
            return false;
        }
        let mut i = self.idx + 1;
        let (mut parens, mut squares, mut braces) = (0usize, 0usize, 0usize);
        let mut in_quote: Option<char> = None;
        let mut backslashes = 0usize;
        while i < self.s.len() {
            let ch = self.s[i];
            if ch == '\\' {
                backslashes += 1;
                i += 1;
                continue;
            }
            if let Some(q) = in_quote {
                if ch == q && backslashes % 2 == 0 {
                    in_quote = None;
                }
                backslashes = 0;
                i += 1;
                continue;
            }
            if is_delim(ch) && backslashes % 2 == 0 {
                in_quote = Some(ch);
                backslashes = 0;
                i += 1;
                continue;
            }
            backslashes = 0;
            match ch {
                '(' => parens += 1,
                ')' if parens == 0 && squares == 0 && braces == 0 => {
                    for &t in &self.s[i + 1..] {
                        if t == '\n' || t == '\r' {
                            return true;
                        }
                        if !py_isspace(t) {
                            return false;
                        }
                    }
                    return true;
                }
                ')' => parens = parens.saturating_sub(1),
                '[' => squares += 1,
                ']' => squares = squares.saturating_sub(1),
                '{' => braces += 1,
                '}' => braces = braces.saturating_sub(1),
                _ => {}
            }
            i += 1;
        }
        true
    }

    fn parse_object(&mut self) -> Value {
        let mut obj = Map::new();
        let start = self.idx;
        loop {
            self.skip_ws_and_comments();
            match self.peek() {
                None | Some('}') => break,
                Some(',') => {
                    self.idx += 1;
                    continue;
                }
                Some(':') => self.idx += 1,
                _ => {}
            }
            let key = self.parse_object_key(&mut obj);
            self.skip_ws_and_comments();
            match self.peek() {
                None | Some('}') => continue,
                _ => {}
            }
            // A missing `:` is tolerated: whatever stands there is skipped.
            self.idx += 1;
            let value = self.parse_object_value();
            obj.insert(key, value);
            if matches!(self.peek(), Some(',' | '\'' | '"')) {
                self.idx += 1;
            }
            if self.peek() == Some(']') && self.in_ctx(Ctx::Array) {
                self.idx -= 1;
                break;
            }
        }
        self.idx += 1;

        if obj.is_empty() && self.idx - start > 2 {
            if let Some(v) = self.repair_empty_object(start) {
                return v;
            }
        }

        if !self.ctx.is_empty() {
            if self.peek() == Some('}') && !matches!(self.current(), Some(Ctx::Key | Ctx::Value)) {
                self.idx += 1;
            }
            return Value::Object(obj);
        }
        self.skip_whitespaces();
        if self.peek() == Some(',') {
            self.idx += 1;
            self.skip_whitespaces();
            if self.peek().is_some_and(is_delim) {
                if let Value::Object(more) = self.parse_object() {
                    for (k, v) in more {
                        obj.insert(k, v);
                    }
                }
            }
        }
        Value::Object(obj)
    }

    /// `{"a", "b"}` (a Python set, or an object whose members lost their values) is read as
    /// an array, as json_repair does.
    fn repair_empty_object(&mut self, start: usize) -> Option<Value> {
        let end = (self.idx - 1).min(self.s.len());
        // `{\"key\": 1}`: an object whose quotes were escaped is read again without the escapes.
        let attempted_end = (self.idx + 1).min(self.s.len());
        let attempted: String = self.s[start - 1..attempted_end].iter().collect();
        let inner = attempted[1..].strip_suffix('}').unwrap_or(&attempted[1..]);
        let inner = inner.trim_start_matches(py_isspace);
        if (inner.starts_with("\\\"") && inner.contains("\\\":")) || (inner.starts_with("\\'") && inner.contains("\\':")) {
            let normalized: Vec<char> = attempted.replace("\\\"", "\"").replace("\\'", "'").chars().collect();
            self.s.splice(start - 1..attempted_end, normalized);
            *self.lookup.borrow_mut() = Lookup::default();
            self.idx = start;
            self.ctx.push(Ctx::Key);
            let repaired = self.parse_object();
            self.ctx.pop();
            self.deferred.push(Ctx::Key);
            return Some(repaired);
        }
        let body: String = self.s[start..end].iter().collect();
        let body = strip_comments(&body);
        if body.chars().all(py_isspace) {
            return None;
        }
        let mut in_quote: Option<char> = None;
        let mut backslashes = 0usize;
        for c in body.chars() {
            if c == '\\' {
                backslashes += 1;
                continue;
            }
            if let Some(q) = in_quote {
                if c == q && backslashes % 2 == 0 {
                    in_quote = None;
                }
            } else if is_delim(c) && backslashes % 2 == 0 {
                in_quote = Some(c);
            } else if c == ':' && backslashes % 2 == 0 {
                return None;
            }
            backslashes = 0;
        }
        self.idx = start;
        self.ctx.push(Ctx::Key);
        let arr = self.parse_array(']');
        self.ctx.pop();
        self.deferred.push(Ctx::Key);
        Some(Value::Array(arr))
    }

    fn parse_object_key(&mut self, obj: &mut Map<String, Value>) -> String {
        let mut key = String::new();
        self.ctx.push(Ctx::Key);
        while self.peek().is_some() {
            let before = self.idx;
            if self.peek() == Some('[') && key.is_empty() && self.merge_array_continuation(obj) {
                continue;
            }
            key = match self.parse_string() {
                Value::String(s) => s,
                _ => String::new(),
            };
            if key.is_empty() {
                self.skip_ws_and_comments();
            }
            if !key.is_empty() || matches!(self.peek(), Some(':' | '}')) {
                break;
            }
            if self.idx == before {
                self.idx += 1;
            }
        }
        self.ctx.pop();
        key
    }

    /// `{"rows": [1, 2], [3, 4]}`: an array where a key should be continues the previous
    /// member's array.
    fn merge_array_continuation(&mut self, obj: &mut Map<String, Value>) -> bool {
        let Some((_, Value::Array(_))) = obj.iter().next_back() else { return false };
        self.idx += 1;
        let new_array = self.parse_array(']');
        let Some((_, Value::Array(prev))) = obj.iter_mut().next_back() else { return false };
        let lengths: Vec<usize> = prev.iter().filter_map(|v| v.as_array().map(Vec::len)).collect();
        let expected_len = lengths.first().copied().filter(|l| lengths.iter().all(|x| x == l));
        match expected_len {
            Some(n) if n > 0 => {
                let split = prev.iter().rposition(Value::is_array).map_or(0, |i| i + 1);
                let tail: Vec<Value> = prev.drain(split..).collect();
                if !tail.is_empty() {
                    if tail.len() % n == 0 {
                        prev.extend(tail.chunks(n).map(|c| Value::Array(c.to_vec())));
                    } else {
                        prev.extend(tail);
                    }
                }
                if !new_array.is_empty() {
                    if new_array.iter().all(Value::is_array) {
                        prev.extend(new_array);
                    } else {
                        prev.push(Value::Array(new_array));
                    }
                }
            }
            _ => match <[Value; 1]>::try_from(new_array) {
                Ok([Value::Array(inner)]) => prev.extend(inner),
                Ok([other]) => prev.push(other),
                Err(items) => prev.extend(items),
            },
        }
        self.skip_ws_and_comments();
        if self.peek() == Some(',') {
            self.idx += 1;
        }
        self.skip_ws_and_comments();
        true
    }

    fn parse_object_value(&mut self) -> Value {
        self.ctx.push(Ctx::Value);
        self.skip_ws_and_comments();
        let v = if matches!(self.peek(), Some(',' | '}')) { empty() } else { self.parse_json() };
        self.ctx.pop();
        v
    }

    fn parse_array(&mut self, closing: char) -> Vec<Value> {
        let is_object_value = self.current() == Some(Ctx::Value);
        let mut closed_before_parent = false;
        let mut arr: Vec<Value> = Vec::new();
        self.ctx.push(Ctx::Array);
        loop {
            self.skip_ws_and_comments();
            let Some(c) = self.peek() else { break };
            if c == closing || c == '}' {
                break;
            }
            if c == ',' {
                self.idx += 1;
                continue;
            }
            let before = self.idx;
            let value = if is_delim(c) {
                let i = self.skip_to(&[c], 1);
                let i = self.scroll_ws(i + 1);
                if self.at(i) == Some(':') {
                    if is_object_value && !arr.is_empty() && arr.iter().all(|v| !v.is_array() && !v.is_object()) {
                        closed_before_parent = true;
                        break;
                    }
                    self.parse_object()
                } else {
                    self.parse_string()
                }
            } else {
                self.parse_json()
            };
            if strictly_empty(&value) && !matches!(self.peek(), Some(ch) if ch == closing || ch == ',') {
                self.idx += 1;
            } else if value.as_str() == Some("...") && self.at(-1) == Some('.') {
                // a stray `...` placeholder
            } else {
                arr.push(value);
            }
            if self.idx == before {
                self.idx += 1;
            }
        }
        if !closed_before_parent {
            self.idx += 1;
        }
        self.ctx.pop();
        arr
    }

    fn parse_number(&mut self) -> Value {
        let start = self.idx;
        let mut text = String::new();
        let is_array = self.current() == Some(Ctx::Array);
        while let Some(c) = self.peek() {
            let number_char = "0123456789-.eE/,_".contains(c) || (c == '+' && text.ends_with(['e', 'E']));
            if !number_char || (is_array && c == ',') {
                break;
            }
            if c != '_' {
                text.push(c);
            }
            self.idx += 1;
        }
        if self.peek().is_some_and(char::is_alphabetic) {
            self.idx = start;
            return self.parse_string();
        }
        if text.ends_with(['+', '-', 'e', 'E', '/', ',']) {
            text.pop();
            self.idx -= 1;
        }
        if text.contains(',') {
            return Value::String(text);
        }
        if text.contains(['.', 'e', 'E']) {
            return python_float(&text).map_or(Value::String(text), Value::from);
        }
        python_int(&text).unwrap_or(Value::String(text))
    }

    fn parse_boolean_or_null(&mut self) -> Option<Value> {
        let start = self.idx;
        let first = self.peek()?.to_lowercase().next()?;
        for (word, value) in
            [("true", Value::Bool(true)), ("false", Value::Bool(false)), ("null", Value::Null), ("none", Value::Null)]
        {
            if !word.starts_with(first) {
                continue;
            }
            self.idx = start;
            let matched = word.chars().all(|w| {
                let ok = self.peek().and_then(|c| c.to_lowercase().next()) == Some(w);
                if ok {
                    self.idx += 1;
                }
                ok
            });
            if matched {
                let next = self.peek();
                if next.is_none_or(|c| py_isspace(c) || matches!(c, ',' | ')' | ']' | '}')) {
                    return Some(value);
                }
            }
        }
        self.idx = start;
        None
    }

    fn fast_simple_string(&mut self) -> Option<String> {
        if self.peek() != Some('"') {
            return None;
        }
        let start = self.idx + 1;
        let end = start + self.s[start..].iter().position(|c| *c == '"')?;
        let value = &self.s[start..end];
        if value.iter().any(|c| matches!(c, '\\' | '\n' | '\r')) {
            return None;
        }
        let mut next = end + 1;
        while next < self.s.len() && py_isspace(self.s[next]) {
            next += 1;
        }
        let next = self.s.get(next).copied();
        let ok = match self.current() {
            Some(Ctx::Key) => next == Some(':'),
            Some(Ctx::Value) => matches!(next, None | Some(',' | '}')),
            Some(Ctx::Array) => matches!(next, None | Some(',' | ']')),
            None => next.is_none(),
        };
        if !ok {
            return None;
        }
        self.idx = end + 1;
        Some(value.iter().collect())
    }

    fn parse_string(&mut self) -> Value {
        let mut c = self.peek();
        if matches!(c, Some('#' | '/')) {
            return self.parse_comment();
        }
        while let Some(ch) = c {
            if is_delim(ch) || ch.is_alphanumeric() {
                break;
            }
            self.idx += 1;
            c = self.peek();
        }
        let Some(c) = c else { return empty() };
        if let Some(s) = self.fast_simple_string() {
            return Value::String(s);
        }
        let mut st = StrState {
            missing_quotes: false,
            doubled_quotes: false,
            l: '"',
            r: '"',
            unmatched: false,
            pending_inline: false,
            inline_stack: Vec::new(),
            no_future_delimiter: false,
        };
        match c {
            '\'' => {
                st.l = '\'';
                st.r = '\'';
            }
            '\u{201c}' => {
                st.l = '\u{201c}';
                st.r = '\u{201d}';
            }
            c if c.is_alphanumeric() => {
                if matches!(c.to_lowercase().next(), Some('t' | 'f' | 'n')) && self.current() != Some(Ctx::Key) {
                    if let Some(v) = self.parse_boolean_or_null() {
                        return v;
                    }
                }
                st.missing_quotes = true;
            }
            _ => {}
        }
        if !st.missing_quotes {
            self.idx += 1;
        }
        if self.peek() == Some('`') {
            if let Some(v) = self.parse_llm_block() {
                return v;
            }
        }
        if self.peek() == Some(st.l) {
            let next = self.at(1);
            let empty_here = match self.current() {
                Some(Ctx::Key) => next == Some(':'),
                Some(Ctx::Value) => matches!(next, Some(',' | '}')),
                Some(Ctx::Array) => matches!(next, Some(',' | ']')),
                None => false,
            };
            if empty_here {
                self.idx += 1;
                return empty();
            }
            if next == Some(st.l) {
                return empty();
            }
            let i = self.skip_to(&[st.r], 1);
            if self.at(i + 1) == Some(st.r) {
                st.doubled_quotes = true;
                self.idx += 1;
            } else {
                let i = self.scroll_ws(1);
                let next_c = self.at(i);
                if next_c.is_some_and(|ch| is_delim(ch) || ch == '{' || ch == '[') {
                    self.idx += 1;
                    return empty();
                }
                if !matches!(next_c, Some(',' | ']' | '}')) {
                    self.idx += 1;
                }
            }
        }
        let (acc, ch) = self.scan_string_body(&mut st);
        self.finish_string(&st, acc, ch)
    }

    /// A ```` ```json ```` fence met where a string was expected: its content is parsed as JSON.
    fn parse_llm_block(&mut self) -> Option<Value> {
        let fence: String = self.s[self.idx..].iter().take(7).collect();
        if fence != "```json" {
            return None;
        }
        let i = self.skip_to(&['`'], 7);
        let close: String = self.s.iter().skip((self.idx as isize + i) as usize).take(3).collect();
        if close != "```" {
            return None;
        }
        self.idx += 7;
        Some(self.parse_json())
    }

    fn scan_string_body(&mut self, st: &mut StrState) -> (String, Option<char>) {
        let mut acc = String::new();
        let r = st.r;
        let mut ch = self.peek();
        // Unmatched `{` in `acc`, counted incrementally up to `counted` bytes.
        let (mut counted, mut open_braces) = (0usize, 0usize);
        // Start of a compact `[...]` (regex character class) still open in `acc`.
        let (mut class_scanned, mut class_open, mut class_ws) = (0usize, false, false);
        while let Some(c) = ch {
            if c == r {
                break;
            }
            if st.missing_quotes {
                if self.current() == Some(Ctx::Key) && (c == ':' || py_isspace(c)) {
                    break;
                }
                if self.current() == Some(Ctx::Array) && (c == ']' || c == ',') {
                    break;
                }
            }
            let value_ctx = self.current() == Some(Ctx::Value);
            if matches!(c, '{' | '[' | '(')
                && (st.pending_inline
                    || (value_ctx
                        && c == '{'
                        && self.at(-1) != Some('\\')
                        && self.bare_key_followed_by_colon(self.scroll_ws(1))))
                && !acc.ends_with('\\')
            {
                if let Some(end) = self.skip_inline_container(0) {
                    st.pending_inline = false;
                    st.inline_stack.clear();
                    acc.extend(&self.s[self.idx..self.idx + end as usize]);
                    self.idx += end as usize;
                    ch = self.peek();
                    continue;
                }
            }
            if value_ctx && c == ',' && !st.pending_inline && st.inline_stack.is_empty() {
                let class = if st.no_future_delimiter { CommaClass::Text } else { self.classify_comma() };
                if class == CommaClass::Member {
                    break;
                }
                if class == CommaClass::TextNoFutureDelimiter {
                    st.no_future_delimiter = true;
                }
                st.pending_inline = class == CommaClass::Container;
                acc.push(c);
                self.idx += 1;
                ch = self.peek();
                continue;
            }
            if update_inline_stack(c, st) {
                acc.push(c);
                self.idx += 1;
                ch = self.peek();
                continue;
            }
            if value_ctx && c == '}' && !acc.ends_with(r) {
                for b in acc[counted..].chars() {
                    match b {
                        '{' => open_braces += 1,
                        '}' => open_braces = open_braces.saturating_sub(1),
                        _ => {}
                    }
                }
                counted = acc.len();
                if open_braces > 0 {
                    acc.push(c);
                    self.idx += 1;
                    ch = self.peek();
                    continue;
                }
                if self.closing_brace_ends_string(st) {
                    break;
                }
            }
            if c == ']' && self.in_ctx(Ctx::Array) && !acc.ends_with(r) {
                let i = self.skip_to(&[r], 0);
                if self.at(i).is_none() {
                    break;
                }
            }
            if self.current() == Some(Ctx::Value) && c == '}' {
                let i = self.scroll_ws(1);
                if self.at(i).is_none() {
                    break;
                }
            }
            acc.push(c);
            self.idx += 1;
            ch = self.peek();
            let Some(c) = ch else { break };
            if acc.ends_with('\\') {
                if let Some(next) = self.normalize_escape(&mut acc, c, r) {
                    ch = next;
                    continue;
                }
            }
            if c == ':' && !st.missing_quotes && self.current() == Some(Ctx::Key) {
                let i = self.skip_to(&[st.l], 1);
                if self.at(i).is_some() {
                    let i = self.skip_to(&[r], i + 1);
                    if self.at(i).is_some() {
                        let i = self.scroll_ws(i + 1);
                        if matches!(self.at(i), Some(',' | '}')) {
                            break;
                        }
                    }
                } else {
                    break;
                }
            }
            if c == r && self.current() == Some(Ctx::Value) {
                for b in acc[class_scanned..].chars() {
                    match b {
                        '[' => (class_open, class_ws) = (true, false),
                        ']' => class_open = false,
                        b if py_isspace(b) => class_ws = true,
                        _ => {}
                    }
                }
                class_scanned = acc.len();
                let in_class = class_open && !class_ws;
                if in_class && self.at(self.skip_to(&[']'], 1)) == Some(']') {
                    acc.push(c);
                    self.idx += 1;
                    ch = self.peek();
                    continue;
                }
            }
            if c == r && !acc.is_empty() && !acc.ends_with('\\') {
                match self.right_delimiter_candidate(st, &mut acc) {
                    Candidate::Close => break,
                    Candidate::Literal => ch = self.peek(),
                    Candidate::Stop => {
                        ch = self.peek();
                        break;
                    }
                }
            }
        }
        (acc, ch)
    }

    /// Handles an escape after a backslash; returns the next character when it consumed one.
    fn normalize_escape(&mut self, acc: &mut String, c: char, r: char) -> Option<Option<char>> {
        let replace = |acc: &mut String, with: char| {
            acc.pop();
            acc.push(with);
        };
        match c {
            'u' | 'x' => {
                let n = if c == 'u' { 4 } else { 2 };
                let digits: String = self.s.iter().skip(self.idx + 1).take(n).collect();
                if digits.chars().count() == n && digits.chars().all(|d| d.is_ascii_hexdigit()) {
                    let code = u32::from_str_radix(&digits, 16).ok()?;
                    replace(acc, char::from_u32(code).unwrap_or('\u{fffd}'));
                    self.idx += 1 + n;
                    return Some(self.peek());
                }
                None
            }
            c if c == r || matches!(c, 't' | 'n' | 'r' | 'b' | '\\') => {
                let mapped = match c {
                    't' => '\t',
                    'n' => '\n',
                    'r' => '\r',
                    'b' => '\u{8}',
                    other => other,
                };
                replace(acc, mapped);
                self.idx += 1;
                let mut next = self.peek();
                while let Some(n) = next {
                    if acc.ends_with('\\') && (n == r || n == '\\') {
                        replace(acc, n);
                        self.idx += 1;
                        next = self.peek();
                    } else {
                        break;
                    }
                }
                Some(next)
            }
            c if c == '\u{201e}' || (is_delim(c) && c != r) => {
                replace(acc, c);
                self.idx += 1;
                Some(self.peek())
            }
            _ => None,
        }
    }

    /// json_repair's classification of a comma inside an object value: does it start the next
    /// member (`, "key":`, `, key: 1`, `}`), announce a container, or belong to the text?
    fn classify_comma(&self) -> CommaClass {
        let is_member = |b: bool| if b { CommaClass::Member } else { CommaClass::Text };
        let next_idx = self.scroll_ws(1);
        let Some(next) = self.at(next_idx) else { return CommaClass::Member };
        if next == '}' {
            return CommaClass::Member;
        }
        if is_delim(next) {
            let end = self.skip_to(&[next], next_idx + 1);
            if self.at(end).is_none() {
                return CommaClass::Text;
            }
            let end = self.scroll_ws(end + 1);
            return is_member(self.at(end) == Some(':'));
        }
        if next == '`' {
            let mut i = next_idx + 1;
            while self.at(i).is_some_and(|k| k.is_alphanumeric() || k == '_' || k == '-') {
                i += 1;
            }
            let i = self.scroll_ws(i);
            return is_member(self.at(i) == Some(':'));
        }
        if next.is_alphanumeric() || next == '_' {
            let mut i = next_idx;
            while self.at(i).is_some_and(|k| k.is_alphanumeric() || k == '_' || k == '-') {
                i += 1;
            }
            let i = self.scroll_ws(i);
            if self.at(i) == Some(':') && self.bare_member_has_value(i + 1) {
                return CommaClass::Member;
            }
        }
        if next == '{' || next == '[' {
            return CommaClass::Container;
        }
        let mut targets = DELIMS.to_vec();
        targets.extend(['{', '[']);
        let special_idx = self.skip_to(&targets, next_idx);
        let Some(special) = self.at(special_idx) else { return CommaClass::TextNoFutureDelimiter };
        if special == '{' || special == '[' {
            return CommaClass::Text;
        }
        let end = self.skip_to(&[special], special_idx + 1);
        if self.at(end).is_none() {
            return CommaClass::Text;
        }
        let end = self.scroll_ws(end + 1);
        is_member(self.at(end) == Some(':'))
    }

    fn bare_key_followed_by_colon(&self, key_idx: isize) -> bool {
        if !self.at(key_idx).is_some_and(|k| k.is_alphanumeric() || k == '_') {
            return false;
        }
        let mut i = key_idx;
        while self.at(i).is_some_and(|k| k.is_alphanumeric() || k == '_' || k == '-') {
            i += 1;
        }
        self.at(self.scroll_ws(i)) == Some(':')
    }

    /// The offset just past the balanced container opening at `offset`, skipping quoted text;
    /// `None` when it never closes.
    fn skip_inline_container(&self, offset: isize) -> Option<isize> {
        let closing = |c: char| match c {
            '[' => Some(']'),
            '{' => Some('}'),
            '(' => Some(')'),
            _ => None,
        };
        let mut stack = vec![closing(self.at(offset)?)?];
        let mut i = offset + 1;
        while let Some(&top) = stack.last() {
            let ch = self.at(i)?;
            if is_delim(ch) {
                let end = if ch == '\u{201c}' { '\u{201d}' } else { ch };
                i = self.skip_to(&[end], i + 1);
                if self.at(i) != Some(end) {
                    return None;
                }
            } else if let Some(close) = closing(ch).filter(|_| self.starts_nested_container(i)) {
                stack.push(close);
            } else if ch == top {
                stack.pop();
                if stack.is_empty() {
                    return Some(i + 1);
                }
            }
            i += 1;
        }
        None
    }

    fn starts_nested_container(&self, idx: isize) -> bool {
        let opening = self.at(idx);
        let mut prev_idx = idx - 1;
        while prev_idx >= 0 {
            let Some(prev) = self.at(prev_idx) else { return true };
            if !py_isspace(prev) {
                if matches!(prev, '[' | '{' | '(') {
                    return true;
                }
                if prev != ',' && prev != ':' {
                    return false;
                }
                let next_idx = self.scroll_ws(idx + 1);
                let next = self.at(next_idx);
                if matches!(opening, Some('[' | '(')) {
                    return next.is_some_and(|n| {
                        matches!(n, ']' | ')' | '-' | '[' | '{' | '(' | 't' | 'f' | 'n') || is_delim(n) || n.is_ascii_digit()
                    });
                }
                if opening != Some('{') {
                    return false;
                }
                if next.is_some_and(|n| n == '}' || is_delim(n)) {
                    return true;
                }
                return prev == ':' && self.bare_key_followed_by_colon(next_idx);
            }
            prev_idx -= 1;
        }
        true
    }

    fn bare_member_has_value(&self, value_idx: isize) -> bool {
        let start = self.scroll_ws(value_idx);
        let Some(first) = self.at(start) else {
            let mut targets = DELIMS.to_vec();
            targets.push('}');
            return self.at(self.skip_to(&targets, start)) == Some('}');
        };
        if is_delim(first) || matches!(first, '{' | '[' | '-') || first.is_ascii_digit() {
            return true;
        }
        for word in ["true", "false", "null"] {
            let matches = word.chars().enumerate().all(|(k, w)| self.at(start + k as isize) == Some(w));
            if matches {
                let end = self.at(start + word.len() as isize);
                if end.is_none_or(|e| py_isspace(e) || matches!(e, ',' | '}' | ']')) {
                    return true;
                }
            }
        }
        let mut targets = DELIMS.to_vec();
        targets.push('}');
        self.at(self.skip_to(&targets, start)) == Some('}')
    }

    /// At a `}` inside an object value: whether the string is missing its closing quote and so
    /// ends here.
    fn closing_brace_ends_string(&self, st: &StrState) -> bool {
        let mut missing = true;
        if self.at(1) == Some('\\') {
            missing = false;
        }
        let i = self.skip_to(&[st.r], 1);
        if self.at(i).is_some() {
            let i = self.scroll_ws(i + 1);
            match self.at(i) {
                None | Some(',' | '}') => missing = false,
                Some(_) => {
                    let i = self.skip_to(&[st.l], i);
                    if self.at(i).is_none() {
                        missing = false;
                    } else {
                        let i = self.scroll_ws(i + 1);
                        if self.at(i).is_some_and(|n| n != ':') {
                            missing = false;
                        }
                    }
                }
            }
        } else {
            let i = self.skip_to(&[':'], 1);
            if self.at(i).is_some() {
                return true;
            }
            let i = self.scroll_ws(1);
            let j = self.skip_to(&['}'], i);
            if j - i > 1 {
                missing = false;
            }
        }
        missing
    }

    fn only_ws_until(&self, end: isize) -> bool {
        (1..end).all(|j| self.at(j).is_none_or(py_isspace))
    }

    fn quoted_member_follows(&self, quote_idx: isize) -> bool {
        let comma = self.scroll_ws(quote_idx + 1);
        if self.at(comma) != Some(',') {
            return false;
        }
        let next = self.scroll_ws(comma + 1);
        match self.at(next) {
            None | Some('}') => false,
            Some(q) if is_delim(q) => {
                let close = if q == '\u{201c}' { '\u{201d}' } else { q };
                let end = self.skip_to(&[close], next + 1);
                if self.at(end) != Some(close) {
                    return false;
                }
                self.at(self.scroll_ws(end + 1)) == Some(':')
            }
            Some(k) if k.is_alphanumeric() || k == '_' => {
                let mut i = next;
                while self.at(i).is_some_and(|k| k.is_alphanumeric() || k == '_' || k == '-') {
                    i += 1;
                }
                self.at(self.scroll_ws(i)) == Some(':')
            }
            _ => false,
        }
    }

    /// At a quote that could close the string: decide whether it does.
    fn right_delimiter_candidate(&mut self, st: &mut StrState, acc: &mut String) -> Candidate {
        let r = st.r;
        let literal = |p: &mut Self, acc: &mut String| {
            acc.push(r);
            p.idx += 1;
            Candidate::Literal
        };
        if st.doubled_quotes && self.at(1) == Some(r) {
            self.idx += 1;
            return Candidate::Literal;
        }
        if st.missing_quotes && self.current() == Some(Ctx::Value) {
            let mut i = 1;
            while self.at(i).is_some_and(|n| n != r && n != st.l) {
                i += 1;
            }
            if self.at(i).is_some() {
                let i = self.scroll_ws(i + 1);
                if self.at(i) == Some(':') {
                    self.idx -= 1;
                    return Candidate::Stop;
                }
            }
            return Candidate::Close;
        }
        if st.unmatched {
            st.unmatched = false;
            return literal(self, acc);
        }
        let mut i = 1;
        let mut check_comma = true;
        while let Some(n) = self.at(i) {
            if n == r || n == st.l {
                break;
            }
            if check_comma && n.is_alphabetic() {
                check_comma = false;
            }
            if (self.in_ctx(Ctx::Key) && matches!(n, ':' | '}'))
                || (self.in_ctx(Ctx::Value) && n == '}')
                || (self.in_ctx(Ctx::Array) && matches!(n, ']' | ','))
                || (check_comma && self.current() == Some(Ctx::Value) && n == ',')
            {
                break;
            }
            i += 1;
        }
        let next_c = self.at(i);
        if next_c == Some(',') && self.current() == Some(Ctx::Value) {
            let j = self.skip_to(&[r], i + 1);
            let j = self.scroll_ws(j + 1);
            if matches!(self.at(j), Some('}' | ',')) {
                return literal(self, acc);
            }
        } else if next_c == Some(r) && self.at(i - 1) != Some('\\') {
            if self.only_ws_until(i) && !(self.current() == Some(Ctx::Value) && self.quoted_member_follows(i)) {
                return Candidate::Close;
            }
            match self.current() {
                Some(Ctx::Value) => {
                    if self.quoted_member_follows(i) {
                        return literal(self, acc);
                    }
                    let mut j = self.skip_to(&[r], i + 1) + 1;
                    let mut n = self.at(j);
                    while let Some(x) = n {
                        if x == ':' || matches!(x, ',' | ']' | '}') || (x == r && self.at(j - 1) != Some('\\')) {
                            break;
                        }
                        j += 1;
                        n = self.at(j);
                    }
                    if n != Some(':') {
                        st.unmatched = !st.unmatched;
                        return literal(self, acc);
                    }
                }
                Some(Ctx::Array) => {
                    let mut even = true;
                    let mut j = i;
                    let mut n = self.at(j);
                    while n == Some(r) {
                        j = self.skip_to(&[r, ']'], j + 1);
                        n = self.at(j);
                        if n != Some(r) {
                            even = false;
                            break;
                        }
                        j = self.skip_to(&[r, ']'], j + 1);
                        n = self.at(j);
                    }
                    if even {
                        st.unmatched = !st.unmatched;
                        return literal(self, acc);
                    }
                    return Candidate::Close;
                }
                Some(Ctx::Key) => return literal(self, acc),
                None => {}
            }
        }
        Candidate::Close
    }

    fn finish_string(&mut self, st: &StrState, mut acc: String, ch: Option<char>) -> Value {
        if let Some(c) = ch {
            if st.missing_quotes && self.current() == Some(Ctx::Key) && py_isspace(c) {
                self.skip_whitespaces();
                if !matches!(self.peek(), Some(':' | ',')) {
                    return empty();
                }
            }
        }
        if ch != Some(st.r) {
            acc.truncate(py_rstrip(&acc).len());
        } else {
            self.idx += 1;
        }
        if st.missing_quotes || acc.ends_with('\n') {
            acc.truncate(py_rstrip(&acc).len());
        }
        Value::String(acc)
    }
}

struct StrState {
    missing_quotes: bool,
    doubled_quotes: bool,
    l: char,
    r: char,
    unmatched: bool,
    /// A comma announced a container (`, {` / `, [`) that belongs to the string.
    pending_inline: bool,
    /// Open brackets of such an inline container.
    inline_stack: Vec<char>,
    /// No quote or bracket follows anywhere: later commas stay in the string.
    no_future_delimiter: bool,
}

#[derive(PartialEq, Eq)]
enum CommaClass {
    Member,
    Container,
    Text,
    TextNoFutureDelimiter,
}

/// Tracks inline containers opened after a comma; returns whether `c` closes one (and so is
/// plain text).
fn update_inline_stack(c: char, st: &mut StrState) -> bool {
    if c == '{' || c == '[' {
        if st.pending_inline {
            st.inline_stack.push(c);
            st.pending_inline = false;
            return false;
        }
        if !st.inline_stack.is_empty() {
            st.inline_stack.push(c);
        }
    }
    let closes = matches!((st.inline_stack.last(), c), (Some('{'), '}') | (Some('['), ']'));
    if closes {
        st.inline_stack.pop();
    }
    closes
}

enum Candidate {
    /// The quote closes the string.
    Close,
    /// The quote was kept as text; scanning goes on.
    Literal,
    /// The string stops before the quote.
    Stop,
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

/// Python's `int(text)` for what json_repair's number scanner collects.
fn python_int(text: &str) -> Option<Value> {
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::from(i));
    }
    if let Ok(u) = text.parse::<u64>() {
        return Some(Value::from(u));
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // Beyond 64 bits: kept as the nearest float (Python would keep the exact integer).
        return text.parse::<f64>().ok().map(Value::from);
    }
    None
}

/// Python's `float(text)` for what json_repair's number scanner collects.
fn python_float(text: &str) -> Option<f64> {
    let f = text.parse::<f64>().ok()?;
    f.is_finite().then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[track_caller]
    fn check(input: &str, expected: Value) {
        let got = loads(input);
        assert_eq!(got.to_string(), expected.to_string(), "input: {input:?}");
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
#[cfg(test)]
mod scratch_diff {
    #[test]
    fn scratch_perf() {
        if std::env::var("COGNATE_PERF").is_err() { return }
        let n = 20000;
        let inputs = [
            format!("{{'a': [{}]", (0..n).map(|i| format!("'x{i}'")).collect::<Vec<_>>().join(", ")),
            format!("{{\"a\": \"{}", "word \"q\" , ".repeat(n)),
            format!("{{\"a\": \"{}\"}}", "He said \"hi\" ".repeat(n)),
            format!("Sure {}", "text {a} [b] ".repeat(n)),
            format!("{{{}}}", (0..n).map(|i| format!("k{i}: v{i}")).collect::<Vec<_>>().join(", ")),
            "[".repeat(5000),
            format!("[{}]", "'a\\'b', ".repeat(n)),
        ];
        for i in inputs {
            let t = std::time::Instant::now();
            let _ = super::loads(&i);
            eprintln!("len {} took {:?}", i.len(), t.elapsed());
        }
    }
}
