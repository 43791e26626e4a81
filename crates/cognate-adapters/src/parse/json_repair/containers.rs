//! Objects and arrays, with json_repair's repairs: missing braces and colons, duplicate keys,
//! sets read as arrays, rows continued after a closing bracket.

use serde_json::{Map, Value};

use super::{Ctx, Parser, empty, is_delim, strictly_empty, strip_comments};
use crate::pyfmt::py_is_space as py_isspace;

impl Parser<'_> {
    pub(super) fn parse_object(&mut self) -> Value {
        if !self.enter() {
            return Value::Object(Map::new());
        }
        let v = self.parse_object_inner();
        self.depth -= 1;
        v
    }

    fn parse_object_inner(&mut self) -> Value {
        let mut obj = Map::new();
        let start = self.idx;
        let parsing_object_value = self.current() == Some(Ctx::Value);
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
            let (key, rollback) = self.parse_object_key(&mut obj);
            if self.in_ctx(Ctx::Array)
                && obj.contains_key(&key)
                && !parsing_object_value
                && self.duplicate_splits(rollback)
            {
                // `[{"a": 1 "a": 2}]`: a repeated key starts the next object of the array.
                self.idx = rollback - 1;
                self.s.insert(rollback, '{');
                self.lookup.borrow_mut().edited(&self.s, rollback + 1);
                break;
            }
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

    /// Whether a repeated key read from `rollback` starts a new object: not when it is a
    /// quoted key after a comma and before a colon (a plain duplicate, last value wins).
    fn duplicate_splits(&self, rollback: usize) -> bool {
        let prev = self.s[..rollback].iter().rev().find(|c| !py_isspace(**c)).copied();
        let key_start = self.s.get(rollback).copied();
        let next = self.at(self.scroll_ws(0));
        !(key_start.is_some_and(is_delim) && prev == Some(',') && next == Some(':'))
    }

    /// `{"a", "b"}` (a Python set, or an object whose members lost their values) is read as
    /// an array, as json_repair does.
    ///
    /// Reading an object again can nest (json_repair is exponential on `{{{{...` with no
    /// colons), so every attempt is charged to the scan budget; once it is spent the object
    /// stays as read.
    fn repair_empty_object(&mut self, start: usize) -> Option<Value> {
        let end = (self.idx - 1).min(self.s.len());
        // `{\"key\": 1}`: an object whose quotes were escaped is read again without the escapes.
        let attempted_end = (self.idx + 1).min(self.s.len());
        if !self.spend(attempted_end + 1 - start) {
            return None;
        }
        let attempted: String = self.s[start - 1..attempted_end].iter().collect();
        let inner = attempted[1..].strip_suffix('}').unwrap_or(&attempted[1..]);
        let inner = inner.trim_start_matches(py_isspace);
        if (inner.starts_with("\\\"") && inner.contains("\\\":"))
            || (inner.starts_with("\\'") && inner.contains("\\':"))
        {
            let normalized: Vec<char> = attempted.replace("\\\"", "\"").replace("\\'", "'").chars().collect();
            let region_end = start - 1 + normalized.len();
            self.s.splice(start - 1..attempted_end, normalized);
            self.lookup.borrow_mut().edited(&self.s, region_end);
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

    /// Reads a key; returns it with the index where its last reading attempt started.
    fn parse_object_key(&mut self, obj: &mut Map<String, Value>) -> (String, usize) {
        let mut key = String::new();
        let mut rollback = self.idx;
        self.ctx.push(Ctx::Key);
        while self.peek().is_some() {
            let before = self.idx;
            rollback = before;
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
        (key, rollback)
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

    pub(super) fn parse_array(&mut self, closing: char) -> Vec<Value> {
        if !self.enter() {
            return Vec::new();
        }
        let v = self.parse_array_inner(closing);
        self.depth -= 1;
        v
    }

    fn parse_array_inner(&mut self, closing: char) -> Vec<Value> {
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
}
