//! Type descriptors: what a signature field holds, spelled the way DSPy spells it.

use std::fmt;
use std::sync::Arc;

use crate::error::{Error, Result};

/// The type of a signature field or of a model property.
///
/// This is the one description every part of Cognate shares: adapters render it into prompts
/// (`list[str]`, JSON schemas), parsers validate replies against it, and the macros build it
/// from Rust types through their `schemars::JsonSchema` implementation.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeDesc {
    /// `str`
    Str,
    /// `int`
    Int,
    /// `float`
    Float,
    /// `bool`
    Bool,
    /// `list[T]`
    List(Box<TypeDesc>),
    /// `dict[str, T]`
    Dict(Box<TypeDesc>),
    /// `Literal[...]`: a closed set of choices (Rust unit-variant enums).
    Literal(Vec<LiteralValue>),
    /// `Union[T, NoneType]` (`Option<T>`).
    Optional(Box<TypeDesc>),
    /// A structured model (a Rust struct deriving `JsonSchema`, a pydantic model in DSPy).
    Model(Arc<ModelDesc>),
}

/// One member of a `Literal[...]` type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LiteralValue {
    /// A string member, `'a'`.
    Str(String),
    /// An integer member, `1`.
    Int(i64),
}

impl LiteralValue {
    /// The member as a JSON value.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            LiteralValue::Str(s) => serde_json::Value::String(s.clone()),
            LiteralValue::Int(i) => serde_json::Value::from(*i),
        }
    }

    /// The member as Python's `repr` writes it: `'a'`, `"it's"`, `1`.
    pub fn python_repr(&self) -> String {
        match self {
            LiteralValue::Int(i) => i.to_string(),
            LiteralValue::Str(s) => python_str_repr(s),
        }
    }

    /// The member unquoted: `a`, `1` (used in notes).
    pub fn plain(&self) -> String {
        match self {
            LiteralValue::Int(i) => i.to_string(),
            LiteralValue::Str(s) => s.clone(),
        }
    }
}

/// Python's `repr()` of a string: single quotes unless the string holds `'` and no `"`;
/// `\\`, `\n`, `\r`, `\t` by name; other non-printable characters as `\xNN`, `\uNNNN` or
/// `\UNNNNNNNN`.
pub fn python_str_repr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_python_str_repr(&mut out, s);
    out
}

/// Appends Python's `repr()` of a string to `out` (see [`python_str_repr`]).
pub fn write_python_str_repr(out: &mut String, s: &str) {
    use std::fmt::Write;
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if python_nonprintable(c) => {
                let u = c as u32;
                let _ = if u < 0x100 {
                    write!(out, "\\x{u:02x}")
                } else if u < 0x10000 {
                    write!(out, "\\u{u:04x}")
                } else {
                    write!(out, "\\U{u:08x}")
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// Whether Python's `str.isprintable()` would reject `c`, so that `repr` escapes it.
///
/// Covers control characters, the separators (`Zs` other than space, `Zl`, `Zp`), the common
/// format characters (`Cf`), surrogates and private-use code points. Unassigned code points are
/// not known to Rust's standard library and are printed as is.
fn python_nonprintable(c: char) -> bool {
    let u = c as u32;
    c.is_control()
        || (c != ' ' && c.is_whitespace())
        || matches!(
            u,
            0xAD | 0x600..=0x605
                | 0x61C
                | 0x6DD
                | 0x70F
                | 0x180E
                | 0x200B..=0x200F
                | 0x202A..=0x202E
                | 0x2060..=0x2064
                | 0x2066..=0x206F
                | 0xFEFF
                | 0xFFF9..=0xFFFB
                | 0xE000..=0xF8FF
                | 0xF0000..=0x10FFFF
        )
}

/// A structured model: a named record of typed properties.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelDesc {
    /// The model's name (its JSON-schema title; the class or struct name).
    pub name: String,
    /// The model's description, if it has one (a pydantic docstring, a Rust doc comment).
    pub description: Option<String>,
    /// The properties, in declaration order.
    pub fields: Vec<ModelField>,
}

/// One property of a [`ModelDesc`].
#[derive(Debug, Clone, PartialEq)]
pub struct ModelField {
    /// The property name as it appears in JSON.
    pub name: String,
    /// The property's type.
    pub ty: TypeDesc,
    /// Whether the property must be present. Optional properties default to `null`.
    pub required: bool,
    /// The property's description, if any.
    pub description: Option<String>,
}

impl TypeDesc {
    /// The type's name as DSPy prints it in prompts: `str`, `list[str]`, `dict[str, int]`,
    /// `Literal['a', 'b']`, `Union[int, NoneType]`, or a model's name.
    pub fn python_name(&self) -> String {
        self.to_string()
    }

    /// Whether the type admits `null` (an `Optional`).
    pub fn is_optional(&self) -> bool {
        matches!(self, TypeDesc::Optional(_))
    }

    /// Every model this type mentions, dependencies first, each once.
    pub fn models(&self) -> Vec<Arc<ModelDesc>> {
        let mut out: Vec<Arc<ModelDesc>> = Vec::new();
        self.collect_models(&mut out);
        out
    }

    fn collect_models(&self, out: &mut Vec<Arc<ModelDesc>>) {
        match self {
            TypeDesc::List(t) | TypeDesc::Dict(t) | TypeDesc::Optional(t) => t.collect_models(out),
            TypeDesc::Model(m) => {
                if out.iter().any(|o| o.name == m.name) {
                    return;
                }
                for f in &m.fields {
                    f.ty.collect_models(out);
                }
                if !out.iter().any(|o| o.name == m.name) {
                    out.push(m.clone());
                }
            }
            _ => {}
        }
    }

    /// Parses a type spelled as DSPy prints it (`list[dict[str, int]]`, `Optional[str]`,
    /// `int | None`, `Literal['a', 1]`). Model names are looked up in `models`.
    ///
    /// # Errors
    /// [`Error::UnsupportedType`] when the spelling is malformed or names an unknown model.
    pub fn parse(text: &str, models: &[Arc<ModelDesc>]) -> Result<TypeDesc> {
        let mut p = TypeParser { s: text, pos: 0, models, depth: 0 };
        let ty = p.union()?;
        p.ws();
        if p.pos != p.s.len() {
            return Err(p.err(&format!("unexpected `{}`", &p.s[p.pos..])));
        }
        Ok(ty)
    }
}

impl fmt::Display for TypeDesc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeDesc::Str => f.write_str("str"),
            TypeDesc::Int => f.write_str("int"),
            TypeDesc::Float => f.write_str("float"),
            TypeDesc::Bool => f.write_str("bool"),
            TypeDesc::List(t) => write!(f, "list[{t}]"),
            TypeDesc::Dict(t) => write!(f, "dict[str, {t}]"),
            TypeDesc::Optional(t) => write!(f, "Union[{t}, NoneType]"),
            TypeDesc::Model(m) => f.write_str(&m.name),
            TypeDesc::Literal(members) => {
                f.write_str("Literal[")?;
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&m.python_repr())?;
                }
                f.write_str("]")
            }
        }
    }
}

/// The deepest nesting of type constructors (`list[...]`, `dict[...]`, `Optional[...]`,
/// `Union[...]`) that [`TypeDesc::parse`] and [`TypeDesc::from_json_schema`] accept. Real
/// types stay far below it; deeper spellings are errors, never a stack overflow.
pub const MAX_TYPE_DEPTH: usize = 32;

/// At most this many bytes of a malformed spelling are quoted in its error.
const QUOTED_SPELLING: usize = 120;

/// `text` cut for quoting in an error message.
pub(crate) fn quoted(text: &str) -> String {
    crate::error::truncate(text, QUOTED_SPELLING).into_owned()
}

struct TypeParser<'a> {
    s: &'a str,
    pos: usize,
    models: &'a [Arc<ModelDesc>],
    /// Type constructors open around the current position.
    depth: usize,
}

impl TypeParser<'_> {
    fn err(&self, reason: &str) -> Error {
        Error::UnsupportedType { ty: quoted(self.s), reason: reason.to_string() }
    }

    /// Opens a type constructor's brackets, within [`MAX_TYPE_DEPTH`].
    fn open(&mut self) -> Result<()> {
        self.expect("[")?;
        self.depth += 1;
        if self.depth > MAX_TYPE_DEPTH {
            return Err(self.err(&format!("the type nests deeper than {MAX_TYPE_DEPTH} levels")));
        }
        Ok(())
    }

    /// Closes what [`TypeParser::open`] opened.
    fn close(&mut self) -> Result<()> {
        self.expect("]")?;
        self.depth -= 1;
        Ok(())
    }

    fn ws(&mut self) {
        while self.s[self.pos..].starts_with(char::is_whitespace) {
            self.pos += self.s[self.pos..].chars().next().map_or(1, char::len_utf8);
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.ws();
        if self.s[self.pos..].starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str) -> Result<()> {
        if self.eat(token) { Ok(()) } else { Err(self.err(&format!("expected `{token}` at offset {}", self.pos))) }
    }

    fn ident(&mut self) -> Result<String> {
        self.ws();
        let rest = &self.s[self.pos..];
        let len = rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '.'))
            .map_or(rest.len(), |(i, _)| i);
        if len == 0 {
            return Err(self.err(&format!("expected a type name at offset {}", self.pos)));
        }
        self.pos += len;
        Ok(rest[..len].to_string())
    }

    /// `T | None`, `T | U` (only optional unions are supported).
    fn union(&mut self) -> Result<TypeDesc> {
        let first = self.primary()?;
        let mut optional = false;
        let ty = first;
        while self.eat("|") {
            let name_start = self.pos;
            let next = self.primary_or_none()?;
            match next {
                None => optional = true,
                Some(_) => {
                    self.pos = name_start;
                    return Err(self.err("only `T | None` unions are supported"));
                }
            }
        }
        Ok(if optional { wrap_optional(ty) } else { ty })
    }

    fn primary_or_none(&mut self) -> Result<Option<TypeDesc>> {
        let save = self.pos;
        let name = self.ident()?;
        if name == "None" || name == "NoneType" {
            return Ok(None);
        }
        self.pos = save;
        self.primary().map(Some)
    }

    fn primary(&mut self) -> Result<TypeDesc> {
        let name = self.ident()?;
        let name = name.strip_prefix("typing.").unwrap_or(&name).to_string();
        match name.as_str() {
            "str" | "String" => Ok(TypeDesc::Str),
            "int" => Ok(TypeDesc::Int),
            "float" => Ok(TypeDesc::Float),
            "bool" => Ok(TypeDesc::Bool),
            "list" | "List" => {
                self.open()?;
                let inner = self.union()?;
                self.close()?;
                Ok(TypeDesc::List(Box::new(inner)))
            }
            "dict" | "Dict" => {
                self.open()?;
                let key = self.union()?;
                if key != TypeDesc::Str {
                    return Err(self.err("dict keys must be `str`"));
                }
                self.expect(",")?;
                let value = self.union()?;
                self.close()?;
                Ok(TypeDesc::Dict(Box::new(value)))
            }
            "Optional" => {
                self.open()?;
                let inner = self.union()?;
                self.close()?;
                Ok(wrap_optional(inner))
            }
            "Union" => {
                self.open()?;
                let mut inner = None;
                let mut optional = false;
                loop {
                    match self.primary_or_none()? {
                        None => optional = true,
                        Some(t) if inner.is_none() => inner = Some(t),
                        Some(_) => return Err(self.err("only `Union[T, NoneType]` is supported")),
                    }
                    if !self.eat(",") {
                        break;
                    }
                }
                self.close()?;
                let inner = inner.ok_or_else(|| self.err("`Union` needs a type besides `NoneType`"))?;
                Ok(if optional { wrap_optional(inner) } else { inner })
            }
            "Literal" => {
                self.expect("[")?;
                let mut members = Vec::new();
                loop {
                    members.push(self.literal_member()?);
                    if !self.eat(",") {
                        break;
                    }
                }
                self.expect("]")?;
                Ok(TypeDesc::Literal(members))
            }
            other => self
                .models
                .iter()
                .find(|m| m.name == other)
                .map(|m| TypeDesc::Model(m.clone()))
                .ok_or_else(|| self.err(&format!("unknown type `{other}`"))),
        }
    }

    fn literal_member(&mut self) -> Result<LiteralValue> {
        self.ws();
        let rest = &self.s[self.pos..];
        let Some(first) = rest.chars().next() else {
            return Err(self.err("unterminated `Literal[`"));
        };
        if first == '\'' || first == '"' {
            let mut out = String::new();
            let mut chars = rest.char_indices().skip(1);
            while let Some((i, c)) = chars.next() {
                if c == '\\' {
                    if let Some((_, e)) = chars.next() {
                        out.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            'r' => '\r',
                            other => other,
                        });
                    }
                } else if c == first {
                    self.pos += i + 1;
                    return Ok(LiteralValue::Str(out));
                } else {
                    out.push(c);
                }
            }
            Err(self.err("unterminated string in `Literal[...]`"))
        } else {
            let len = rest
                .char_indices()
                .find(|(i, c)| !(c.is_ascii_digit() || (*i == 0 && *c == '-')))
                .map_or(rest.len(), |(i, _)| i);
            let n = rest[..len]
                .parse::<i64>()
                .map_err(|_| self.err("`Literal[...]` members must be quoted strings or integers"))?;
            self.pos += len;
            Ok(LiteralValue::Int(n))
        }
    }
}

fn wrap_optional(t: TypeDesc) -> TypeDesc {
    if t.is_optional() { t } else { TypeDesc::Optional(Box::new(t)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        let ty = TypeDesc::parse(input, &[]).unwrap();
        assert_eq!(ty.python_name(), expected, "{input}");
    }

    #[test]
    fn parses_and_prints_dspy_spellings() {
        check("str", "str");
        check("list[str]", "list[str]");
        check("dict[str, list[int]]", "dict[str, list[int]]");
        check("Optional[int]", "Union[int, NoneType]");
        check("int | None", "Union[int, NoneType]");
        check("Union[float, NoneType]", "Union[float, NoneType]");
        check("Literal['a', \"it's\", 3]", "Literal['a', \"it's\", 3]");
        check("Literal['both \\' and \"']", "Literal['both \\' and \"']");
    }

    #[test]
    fn rejects_bad_spellings() {
        for bad in ["", "list[", "dict[int, str]", "Foo", "Literal[x]", "int | str", "str extra"] {
            assert!(TypeDesc::parse(bad, &[]).is_err(), "{bad}");
        }
    }

    #[test]
    fn resolves_models() {
        let m = Arc::new(ModelDesc { name: "Step".into(), description: None, fields: vec![] });
        let ty = TypeDesc::parse("list[Step]", std::slice::from_ref(&m)).unwrap();
        assert_eq!(ty.models(), vec![m]);
    }
}
