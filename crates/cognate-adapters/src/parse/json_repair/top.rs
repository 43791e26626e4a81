//! Top-level reading and value dispatch: strict JSON first, then values found in prose,
//! several top-level values, comments, tuples, numbers and literals.

use serde_json::Value;

use super::{Ctx, MAX_DEPTH, Parser, empty, fix_negative_zero, is_delim, same_shape, truthy};
use crate::pyfmt::py_is_space as py_isspace;

impl Parser<'_> {
    pub(super) fn parse_top_level(&mut self) -> Value {
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
            Some(Ok(mut v)) => {
                let used = stream.byte_offset();
                fix_negative_zero(&mut v, &rest[..used]);
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
        let mut value = stream.next()?.ok()?;
        fix_negative_zero(&mut value, &candidate);
        if !candidate[stream.byte_offset()..].trim_matches([' ', '\t', '\r', '\n']).is_empty() {
            return None;
        }
        self.idx = self.s.len();
        Some(value)
    }

    pub(super) fn parse_json(&mut self) -> Value {
        if !self.deferred.is_empty() {
            // Contexts left by a repair apply to the next value parsed.
            let deferred = std::mem::take(&mut self.deferred);
            let n = deferred.len();
            self.ctx.extend(deferred);
            let v = self.parse_json();
            self.ctx.truncate(self.ctx.len() - n);
            return v;
        }
        if !self.enter() {
            return empty();
        }
        let v = self.parse_json_inner();
        self.depth -= 1;
        v
    }

    /// Spends one unit of the nesting budget; when it is exhausted, marks the parse as failed
    /// and jumps to the end so that every caller unwinds.
    pub(super) fn enter(&mut self) -> bool {
        if self.too_deep || self.depth >= MAX_DEPTH {
            self.too_deep = true;
            self.idx = self.s.len();
            return false;
        }
        self.depth += 1;
        true
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

    pub(super) fn parse_comment(&mut self) -> Value {
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
        let start = i;
        let end = self.scan_end(start, self.s.len());
        let answer = |i: usize, answer: bool| {
            self.scanned(i - start);
            answer
        };
        while i < end {
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
                ')' if top => return answer(i, !saw_content),
                ')' => parens = parens.saturating_sub(1),
                '[' => squares += 1,
                ']' => squares = squares.saturating_sub(1),
                '{' => braces += 1,
                '}' => braces = braces.saturating_sub(1),
                ',' if top => return answer(i, true),
                _ => {}
            }
            i += 1;
        }
        answer(i, !saw_content)
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
        let start = i;
        let end = self.scan_end(start, self.s.len());
        while i < end {
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
                    self.scanned(i - start);
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
        self.scanned(i - start);
        true
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

    pub(super) fn parse_boolean_or_null(&mut self) -> Option<Value> {
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
