//! Signatures: the typed contract of one LM call.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::example::Values;
use crate::types::{ModelDesc, TypeDesc};

/// Whether a field is an input or an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldRole {
    /// Given to the LM.
    Input,
    /// Produced by the LM.
    Output,
}

/// One field of a signature.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDesc {
    /// The field's name as the prompt and the dynamic maps spell it.
    pub name: String,
    /// The field's type.
    pub ty: TypeDesc,
    /// The field's description; empty when none was given.
    pub desc: String,
    /// DSPy's `prefix` (e.g. `Question:`); `None` means the default derived from the name.
    pub prefix: Option<String>,
}

impl FieldDesc {
    /// A field with no description.
    pub fn new(name: impl Into<String>, ty: TypeDesc) -> Self {
        FieldDesc { name: name.into(), ty, desc: String::new(), prefix: None }
    }

    /// Sets the description.
    #[must_use]
    pub fn with_desc(mut self, desc: impl Into<String>) -> Self {
        self.desc = desc.into();
        self
    }

    /// Sets the prefix.
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// The prefix DSPy would use: the given one, or the name split at `_` and camel-case
    /// boundaries, capitalised, followed by `:` (`question_text` → `Question Text:`).
    pub fn effective_prefix(&self) -> String {
        self.prefix.clone().unwrap_or_else(|| infer_prefix(&self.name))
    }
}

/// DSPy's `infer_prefix` followed by `:`: `camelCase`, `snake_case` and digits become
/// `Title Case` words (`question_text` → `Question Text:`, `HTMLParser` → `HTML Parser:`,
/// `text2number` → `Text 2 Number:`).
///
/// It follows DSPy 3.4.1's four regex passes exactly, quirks included (`snake__double` →
/// `Snake  Double:`); the ASCII classes (`[A-Z]`, `[a-z]`, digits) are ASCII here as there.
pub fn infer_prefix(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    // (.)([A-Z][a-z]+) → \1_\2
    let mut s1 = Vec::with_capacity(chars.len() + 4);
    let mut i = 0;
    while i < chars.len() {
        let starts_word = chars[i] != '\n'
            && chars.get(i + 1).is_some_and(char::is_ascii_uppercase)
            && chars.get(i + 2).is_some_and(char::is_ascii_lowercase);
        if starts_word {
            let mut end = i + 2;
            while chars.get(end).is_some_and(char::is_ascii_lowercase) {
                end += 1;
            }
            s1.push(chars[i]);
            s1.push('_');
            s1.extend_from_slice(&chars[i + 1..end]);
            i = end;
        } else {
            s1.push(chars[i]);
            i += 1;
        }
    }
    let s2 = split_pairs(&s1, |a| a.is_ascii_lowercase() || a.is_ascii_digit(), |b| b.is_ascii_uppercase());
    let s3 = split_pairs(&s2, |a| a.is_ascii_alphabetic(), |b| b.is_ascii_digit());
    let s4 = split_pairs(&s3, |a| a.is_ascii_digit(), |b| b.is_ascii_alphabetic());
    let words: String = s4.into_iter().collect();
    let titled: Vec<String> = words
        .split('_')
        .map(|w| {
            // Python's `str.isupper()`: some cased character and no lowercase one.
            let is_upper = w.chars().any(char::is_uppercase) && !w.chars().any(char::is_lowercase);
            if is_upper {
                return w.to_string();
            }
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &cs.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect();
    format!("{}:", titled.join(" "))
}

/// One left-to-right, non-overlapping `re.sub("(a)(b)", r"\1_\2", s)` pass.
fn split_pairs(chars: &[char], first: impl Fn(&char) -> bool, second: impl Fn(&char) -> bool) -> Vec<char> {
    let mut out = Vec::with_capacity(chars.len() + 4);
    let mut i = 0;
    while i < chars.len() {
        if first(&chars[i]) && chars.get(i + 1).is_some_and(&second) {
            out.extend([chars[i], '_', chars[i + 1]]);
            i += 2;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The full description of a signature: instructions and fields.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureDesc {
    /// The signature's name (the Rust struct, or `StringSignature` for runtime ones).
    pub name: String,
    /// The instructions; empty means DSPy's default sentence ([`SignatureDesc::effective_instructions`]).
    pub instructions: String,
    /// Input fields, in order.
    pub inputs: Vec<FieldDesc>,
    /// Output fields, in order.
    pub outputs: Vec<FieldDesc>,
}

impl SignatureDesc {
    /// An empty signature with a name.
    pub fn new(name: impl Into<String>) -> Self {
        SignatureDesc { name: name.into(), instructions: String::new(), inputs: Vec::new(), outputs: Vec::new() }
    }

    /// Sets the instructions.
    #[must_use]
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = instructions.into();
        self
    }

    /// Appends an input field.
    #[must_use]
    pub fn with_input(mut self, field: FieldDesc) -> Self {
        self.inputs.push(field);
        self
    }

    /// Appends an output field.
    #[must_use]
    pub fn with_output(mut self, field: FieldDesc) -> Self {
        self.outputs.push(field);
        self
    }

    /// Inserts an output field before the others (what `ChainOfThought` does with `reasoning`).
    #[must_use]
    pub fn prepend_output(mut self, field: FieldDesc) -> Self {
        self.outputs.insert(0, field);
        self
    }

    /// Parses a runtime string signature: `"question, context: list[str] -> answer: int"`.
    ///
    /// Fields without a type are `str`. Types use DSPy's spelling (see [`TypeDesc::parse`]).
    ///
    /// # Errors
    /// [`Error::SignatureSyntax`] for a malformed string: no `->`, an empty side, a bad name,
    /// a duplicate name or a bad type.
    pub fn parse(text: &str) -> Result<Self> {
        Self::parse_with_models(text, &[])
    }

    /// Like [`SignatureDesc::parse`], resolving model names in `models`.
    ///
    /// # Errors
    /// As [`SignatureDesc::parse`].
    pub fn parse_with_models(text: &str, models: &[Arc<ModelDesc>]) -> Result<Self> {
        let err = |reason: String| Error::SignatureSyntax { input: crate::types::quoted(text), reason };
        let mut parts = text.split("->");
        let (Some(lhs), Some(rhs), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(err("expected exactly one `->` between inputs and outputs".into()));
        };
        let mut sig = SignatureDesc::new("StringSignature");
        sig.inputs = parse_fields(lhs, models).map_err(|r| err(format!("inputs: {r}")))?;
        sig.outputs = parse_fields(rhs, models).map_err(|r| err(format!("outputs: {r}")))?;
        if sig.outputs.is_empty() {
            return Err(err("a signature needs at least one output field".into()));
        }
        let mut seen = std::collections::HashSet::new();
        for f in sig.inputs.iter().chain(&sig.outputs) {
            if !seen.insert(f.name.as_str()) {
                return Err(err(format!("field `{}` is declared twice", f.name)));
            }
        }
        Ok(sig)
    }

    /// The instructions DSPy sends: the given ones, or
    /// ``Given the fields `a`, `b`, produce the fields `c`.`` when none were given.
    pub fn effective_instructions(&self) -> String {
        if !self.instructions.is_empty() {
            return self.instructions.clone();
        }
        let names = |fs: &[FieldDesc]| fs.iter().map(|f| format!("`{}`", f.name)).collect::<Vec<_>>().join(", ");
        format!("Given the fields {}, produce the fields {}.", names(&self.inputs), names(&self.outputs))
    }

    /// Looks up a field (input or output) by name.
    pub fn field(&self, name: &str) -> Option<&FieldDesc> {
        self.inputs.iter().chain(&self.outputs).find(|f| f.name == name)
    }

    /// The output field names, in order.
    pub fn output_names(&self) -> Vec<String> {
        self.outputs.iter().map(|f| f.name.clone()).collect()
    }

    /// The input field names, in order.
    pub fn input_names(&self) -> Vec<String> {
        self.inputs.iter().map(|f| f.name.clone()).collect()
    }
}

/// Splits at top-level commas (not inside brackets or quotes) and parses `name[: type]`.
fn parse_fields(side: &str, models: &[Arc<ModelDesc>]) -> std::result::Result<Vec<FieldDesc>, String> {
    let side = side.trim();
    if side.is_empty() {
        return Ok(Vec::new());
    }
    let mut items = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0usize);
    for (i, c) in side.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth -= 1,
            (None, ',') if depth == 0 => {
                items.push(&side[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&side[start..]);
    items
        .into_iter()
        .map(|item| {
            let item = item.trim();
            let (name, ty) = match item.split_once(':') {
                Some((n, t)) => (n.trim(), Some(t.trim())),
                None => (item, None),
            };
            if name.is_empty() {
                return Err("empty field name (a stray comma?)".to_string());
            }
            if !name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
                || !name.chars().all(|c| c.is_alphanumeric() || c == '_')
            {
                return Err(format!("`{name}` is not a valid field name"));
            }
            let ty = match ty {
                None => TypeDesc::Str,
                Some(t) => TypeDesc::parse(t, models).map_err(|e| e.to_string())?,
            };
            Ok(FieldDesc::new(name, ty))
        })
        .collect()
}

/// A typed signature, implemented by `#[signature]`.
///
/// `Input` and `Output` are the generated `XInput` / `XOutput` structs; their serde form is
/// the dynamic map ([`Values`]) that adapters, datasets and optimizers use.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a signature",
    label = "expected a struct annotated with `#[signature]`",
    note = "declare it with `#[cognate::signature]` on a struct with `#[input]` and `#[output]` fields"
)]
pub trait Signature: Send + Sync + 'static {
    /// The typed inputs.
    type Input: Serialize + DeserializeOwned + Clone + std::fmt::Debug + Send + Sync + 'static;
    /// The typed outputs.
    type Output: Serialize + DeserializeOwned + Clone + std::fmt::Debug + Send + Sync + 'static;

    /// The signature's descriptor, built once, on first success, and shared.
    ///
    /// # Errors
    /// [`Error::UnsupportedType`] when a field's type has no DSPy equivalent, naming the
    /// signature and the field. `#[signature]` rejects the types it can recognise by their
    /// spelling at compile time (tuples, references, `serde_json::Value`, ...); this catches
    /// the rest, such as a struct deriving `JsonSchema` with a `serde_json::Value` field.
    fn try_descriptor() -> Result<&'static SignatureDesc>;

    /// The signature's descriptor: [`try_descriptor`](Self::try_descriptor) for signatures
    /// whose field types are known to be supported (strings, numbers, lists, ...).
    ///
    /// # Panics
    /// If [`try_descriptor`](Self::try_descriptor) fails; use that to get the error instead.
    /// `Predict` and `ChainOfThought` never call this: they report the error as a value.
    fn descriptor() -> &'static SignatureDesc {
        match Self::try_descriptor() {
            Ok(desc) => desc,
            Err(e) => panic!("{e}"),
        }
    }

    /// Converts typed inputs to the dynamic map.
    ///
    /// # Errors
    /// [`Error::Conversion`] if serialization fails or does not give an object.
    fn input_to_values(input: &Self::Input) -> Result<Values> {
        to_values(input, std::any::type_name::<Self::Input>())
    }

    /// Converts a dynamic map of outputs to the typed outputs.
    ///
    /// # Errors
    /// [`Error::Conversion`] if a field is missing or has the wrong type.
    fn output_from_values(values: &Values) -> Result<Self::Output> {
        from_values(values, std::any::type_name::<Self::Output>())
    }
}

/// Serializes a typed value into a [`Values`] map.
///
/// # Errors
/// [`Error::Conversion`] if serialization fails or the value is not a JSON object.
pub fn to_values<T: Serialize>(value: &T, what: &str) -> Result<Values> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(other) => Err(Error::Conversion {
            what: what.to_string(),
            source: <serde_json::Error as serde::de::Error>::custom(format!("expected an object, got {other}")),
        }),
        Err(source) => Err(Error::Conversion { what: what.to_string(), source }),
    }
}

/// Deserializes a typed value from a [`Values`] map.
///
/// # Errors
/// [`Error::Conversion`] if a field is missing or has the wrong type.
pub fn from_values<T: DeserializeOwned>(values: &Values, what: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::Object(values.clone()))
        .map_err(|source| Error::Conversion { what: what.to_string(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_string_signatures() {
        let s = SignatureDesc::parse("question, context: list[str] -> answer: int").unwrap();
        assert_eq!(s.input_names(), ["question", "context"]);
        assert_eq!(s.inputs[1].ty.python_name(), "list[str]");
        assert_eq!(s.outputs[0].ty, TypeDesc::Int);
        let s = SignatureDesc::parse("a: dict[str, int], b: Literal['x', 'y, z'] -> c").unwrap();
        assert_eq!(s.inputs[1].ty.python_name(), "Literal['x', 'y, z']");
        assert_eq!(s.outputs[0].ty, TypeDesc::Str);
        assert_eq!(s.effective_instructions(), "Given the fields `a`, `b`, produce the fields `c`.");
    }

    #[test]
    fn rejects_malformed_string_signatures() {
        for (bad, needle) in [
            ("question answer", "exactly one `->`"),
            ("a -> b -> c", "exactly one `->`"),
            ("a ->", "at least one output"),
            ("a, , b -> c", "empty field name"),
            ("a -> a", "declared twice"),
            ("1a -> b", "not a valid field name"),
            ("a: lst[str] -> b", "unknown type"),
        ] {
            let e = SignatureDesc::parse(bad).unwrap_err().to_string();
            assert!(e.contains(needle), "{bad}: {e}");
        }
    }

    #[test]
    fn infers_prefixes_like_dspy() {
        assert_eq!(infer_prefix("question"), "Question:");
        assert_eq!(infer_prefix("question_text"), "Question Text:");
        assert_eq!(infer_prefix("camelCaseName"), "Camel Case Name:");
        assert_eq!(infer_prefix("HTMLParser"), "HTML Parser:");
        // Vectors from DSPy 3.4.1 (more in cognate-runtime/tests/data/dspy-state/infer_prefix.json).
        assert_eq!(infer_prefix("text2number"), "Text 2 Number:");
        assert_eq!(infer_prefix("getHTTPResponse"), "Get HTTP Response:");
        assert_eq!(infer_prefix("mixed_CaseName"), "Mixed  Case Name:");
        assert_eq!(infer_prefix("num_3d_points"), "Num 3 D Points:");
        assert_eq!(infer_prefix("ABcDE"), "A Bc DE:");
        assert_eq!(infer_prefix("_private"), " Private:");
        assert_eq!(infer_prefix("ÜberName"), "Über Name:");
    }
}
