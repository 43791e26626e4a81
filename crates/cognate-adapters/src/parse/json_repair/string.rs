//! Strings: quoted with `"`, `'` or curly quotes, or bare; where a string ends when its
//! closing quote is missing or misplaced is decided with json_repair's look-ahead heuristics.

use serde_json::Value;

use super::{Ctx, DELIMS, Parser, empty, is_delim};
use crate::pyfmt::{py_is_space as py_isspace, py_rstrip};

impl Parser<'_> {
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

    pub(super) fn parse_string(&mut self) -> Value {
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
                if self.at(i) == Some(st.r) {
                    // `'' x' y',`: the second quote opens a quoted span kept in the value.
                    let outer = self.skip_to(&[st.r], i + 1);
                    let after = self.at(self.scroll_ws(outer + 1));
                    if self.current() == Some(Ctx::Value)
                        && !self.only_ws_until(i)
                        && self.at(outer) == Some(st.r)
                        && matches!(after, None | Some(',' | '}'))
                    {
                        st.unmatched = true;
                        self.idx += 1;
                        let prefix = String::from(st.l);
                        let (acc, ch) = self.scan_string_body(&mut st, prefix);
                        return self.finish_string(&st, acc, ch);
                    }
                }
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
        let (acc, ch) = self.scan_string_body(&mut st, String::new());
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

    fn scan_string_body(&mut self, st: &mut StrState, mut acc: String) -> (String, Option<char>) {
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
                if (0..3).all(|k| self.at(i + k) == Some('`')) {
                    if !self.fence_belongs_to_string(st, i) {
                        break;
                    }
                    acc.push(c);
                    self.idx += 1;
                    ch = self.peek();
                    continue;
                }
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
                        matches!(n, ']' | ')' | '-' | '[' | '{' | '(' | 't' | 'f' | 'n')
                            || is_delim(n)
                            || n.is_ascii_digit()
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

    fn quoted_member_follows(&self, quote_idx: isize) -> bool {
        let comma = self.scroll_ws(quote_idx + 1);
        if self.at(comma) != Some(',') {
            return false;
        }
        self.member_starts_at(self.scroll_comments(comma + 1))
    }

    /// Whether a `"key":` or `key:` member starts at `idx`.
    fn member_starts_at(&self, idx: isize) -> bool {
        match self.at(idx) {
            None | Some('}') => false,
            Some(q) if is_delim(q) => {
                let close = if q == '\u{201c}' { '\u{201d}' } else { q };
                let end = self.skip_to(&[close], idx + 1);
                if self.at(end) != Some(close) {
                    return false;
                }
                self.at(self.scroll_ws(end + 1)) == Some(':')
            }
            Some(k) if k.is_alphanumeric() || k == '_' => self.bare_key_followed_by_colon(idx),
            _ => false,
        }
    }

    /// A `}` followed by a code fence inside an object value: whether the `}` and the fence
    /// belong to the string (a later quote closes it before `,`/`}`/`]`).
    fn fence_belongs_to_string(&self, st: &mut StrState, fence_idx: isize) -> bool {
        let mut search = fence_idx + 3;
        let content = self.scroll_comments(search);
        let mut keep_container = false;
        if matches!(self.at(content), Some('[' | '{' | '(')) {
            if let Some(end) = self.skip_inline_container(content) {
                if self.container_precedes_member(end) {
                    return false;
                }
                keep_container = true;
                search = end;
            }
        }
        let mut quote = self.skip_to(&[st.r], search);
        while self.at(quote) == Some(st.r) {
            if matches!(self.at(self.scroll_ws(quote + 1)), None | Some(',' | '}' | ']')) {
                if keep_container {
                    st.pending_inline = true;
                }
                return true;
            }
            quote = self.skip_to(&[st.r], quote + 1);
        }
        false
    }

    fn container_precedes_member(&self, end: isize) -> bool {
        let after = self.scroll_ws(end);
        match self.at(after) {
            None | Some('}') => true,
            Some(',') => {
                let next = self.scroll_comments(after + 1);
                matches!(self.at(next), None | Some('}')) || self.member_starts_at(next)
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
