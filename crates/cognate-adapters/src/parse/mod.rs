//! Parsing: completion → output values, with DSPy 3.4.1's leniency.
//!
//! Each adapter finds the raw value of every output field in its own way (`[[ ## name ## ]]`
//! sections, one JSON object, XML elements); the values then go through one shared conversion,
//! `parse_value`: text is read as lenient JSON (module `json_repair`), then as a Python
//! literal (module `pyliteral`), and the result is validated against the field's type the way
//! pydantic's lax mode does (module `validate`). Missing optional outputs become `null`; any other missing output is
//! a [`ParseError`].

use cognate_core::{FieldDesc, ParseError, ParseErrorKind, SignatureDesc, TypeDesc, Values};
use serde_json::Value;

mod chat;
mod json;
mod json_repair;
mod pyliteral;
mod validate;
mod xml;

pub use chat::chat;

/// The longest reply, in bytes, that the adapters attempt to parse: 8 MiB.
///
/// Every adapter parses in time linear in the reply's length (see `docs/benchmarks.md` for the
/// figures), but the lenient repair of megabytes of junk still costs CPU; a longer reply is a
/// [`ParseErrorKind::TooLarge`] error at once. HTTP clients cap what they read well below this
/// by default.
pub const MAX_REPLY_BYTES: usize = 8 << 20;

/// How much of an over-long reply a [`ParseErrorKind::TooLarge`] error keeps in `raw`.
const TOO_LARGE_PREFIX: usize = 64 << 10;

/// Refuses replies longer than [`MAX_REPLY_BYTES`].
fn check_size(adapter: &str, signature: &SignatureDesc, completion: &str) -> Result<(), Box<ParseError>> {
    if completion.len() <= MAX_REPLY_BYTES {
        return Ok(());
    }
    let mut cut = TOO_LARGE_PREFIX;
    while !completion.is_char_boundary(cut) {
        cut -= 1;
    }
    let detail = format!(
        "The LM response is {} bytes, larger than the {MAX_REPLY_BYTES} bytes the adapters parse; only its first {cut} bytes are kept.",
        completion.len()
    );
    Err(error(adapter, ParseErrorKind::TooLarge, signature, &completion[..cut], None, detail))
}
pub use json::json;
pub use xml::xml;

/// Whether an adapter would read `value` as a value of type `ty`: the conversion of
/// DSPy's `parse_value` (text read as lenient JSON, then as a Python literal, then validated the way
/// pydantic's lax mode does). For checking values that did not come from a reply, such as
/// demos in saved state.
pub fn converts_to(value: &Value, ty: &TypeDesc) -> bool {
    parse_value(value, ty).is_ok()
}

/// DSPy's `parse_value`: converts one raw output value to the field's type.
///
/// `str` fields take Python's `str()` of the value; Literals match members directly or after
/// removing a `Literal[...]` wrapper and quotes; other non-string values are validated as they
/// are; strings are read as lenient JSON, then as a Python literal, then kept as text, and the
/// result is validated.
pub(crate) fn parse_value(value: &Value, ty: &TypeDesc) -> Result<Value, String> {
    if *ty == TypeDesc::Str {
        return Ok(Value::String(crate::pyfmt::py_str(value)));
    }
    let mut unwrapped = None;
    if let TypeDesc::Literal(members) = ty {
        if members.iter().any(|m| validate::py_eq_member(value, m)) {
            return Ok(value.clone());
        }
        if let Value::String(s) = value {
            let v = unwrap_literal_text(s);
            if members.iter().any(|m| validate::py_eq_member(&Value::String(v.to_string()), m)) {
                return Ok(Value::String(v.to_string()));
            }
            unwrapped = Some(v);
        }
    }
    let text = match (unwrapped, value) {
        (Some(v), _) => v,
        (None, Value::String(s)) => s.as_str(),
        (None, other) => return validate::validate(other, ty),
    };
    if matches!(ty, TypeDesc::Optional(inner) if **inner == TypeDesc::Str) {
        return Ok(Value::String(text.to_string()));
    }
    let mut candidate = json_repair::loads(text).map_err(|e| e.to_string())?;
    if candidate.as_str() == Some("") && !text.is_empty() {
        candidate = pyliteral::literal_eval(text).unwrap_or_else(|| Value::String(text.to_string()));
    }
    validate::validate(&candidate, ty)
}

/// Strips the text, then an outer `Literal[...]`/`str[...]` wrapper, then one pair of matching
/// outer quotes.
fn unwrap_literal_text(s: &str) -> &str {
    let mut v = crate::pyfmt::py_strip(s);
    if (v.starts_with("Literal[") || v.starts_with("str[")) && v.ends_with(']') {
        let open = v.find('[').expect("prefix has a bracket");
        v = &v[open + 1..v.len() - 1];
    }
    let b = v.as_bytes();
    if v.chars().count() > 1 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        v = &v[1..v.len() - 1];
    }
    v
}

/// Fills missing outputs that admit null, then checks that every output is present. Returns
/// the values in signature order.
fn finish(adapter: &str, signature: &SignatureDesc, raw: &str, mut found: Values) -> Result<Values, Box<ParseError>> {
    let mut out = Values::new();
    let mut missing = false;
    for field in &signature.outputs {
        match found.remove(&field.name) {
            Some(v) => {
                out.insert(field.name.clone(), v);
            }
            None if field.ty.is_optional() => {
                out.insert(field.name.clone(), Value::Null);
            }
            None => missing = true,
        }
    }
    if missing {
        let present = out.keys().cloned().collect();
        return Err(error(adapter, ParseErrorKind::MissingFields, signature, raw, Some(present), String::new()));
    }
    Ok(out)
}

fn error(
    adapter: &str,
    kind: ParseErrorKind,
    signature: &SignatureDesc,
    raw: &str,
    found: Option<Vec<String>>,
    detail: String,
) -> Box<ParseError> {
    Box::new(ParseError {
        adapter: adapter.into(),
        kind,
        raw: raw.into(),
        expected: signature.output_names(),
        found,
        detail,
    })
}

fn output<'s>(signature: &'s SignatureDesc, name: &str) -> Option<&'s FieldDesc> {
    signature.outputs.iter().find(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[track_caller]
    fn check(spelling: &str, input: Value, expected: Result<Value, &str>) {
        let ty = TypeDesc::parse(spelling, &[]).unwrap();
        match (parse_value(&input, &ty), expected) {
            (Ok(got), Ok(want)) => assert_eq!(got.to_string(), want.to_string(), "{spelling} {input}"),
            (Err(got), Err(fragment)) => assert!(got.contains(fragment), "{spelling} {input}: {got}"),
            (got, want) => panic!("{spelling} {input}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn str_fields_take_python_str() {
        check("str", json!(42), Ok(json!("42")));
        check("str", json!(3.0), Ok(json!("3.0")));
        check("str", json!(true), Ok(json!("True")));
        check("str", Value::Null, Ok(json!("None")));
        check("str", json!(["a", "b"]), Ok(json!("['a', 'b']")));
        check("str", json!({"k": 1}), Ok(json!("{'k': 1}")));
        check("str", json!("  kept  "), Ok(json!("  kept  ")));
    }

    #[test]
    fn literal_coercion() {
        check("Literal['low', 'high']", json!("  high "), Ok(json!("high")));
        check("Literal['low', 'high']", json!("Literal['high']"), Ok(json!("high")));
        check("Literal['low', 'high']", json!("str[\"low\"]"), Ok(json!("low")));
        check("Literal['a b', 'c']", json!("'a b'"), Ok(json!("a b")));
        check("Literal[1, 2, 3]", json!("2"), Ok(json!(2)));
        check("Literal[1, 2, 3]", json!("Literal['1']"), Ok(json!(1)));
        check("Literal[1, 2, 3]", json!("1.0"), Ok(json!(1)));
        check("Literal[1, 2, 3]", json!(2), Ok(json!(2)));
        check("Literal[0, 1]", json!(true), Ok(json!(true)));
        check("Literal['true', 'false']", json!("True"), Err("Input should be 'true' or 'false'"));
        check("Literal['approve', 'reject']", json!("not-an-option"), Err("'approve' or 'reject'"));
        check("Literal[1, 2]", json!(7), Err("1 or 2"));
    }

    #[test]
    fn text_goes_through_json_then_python_literals() {
        check("int", json!(" 0 "), Ok(json!(0)));
        check("float", json!("\"0.001\""), Ok(json!(0.001)));
        check("list[int]", json!("[\"42\", \"-3\"]"), Ok(json!([42, -3])));
        check("bool", json!("True"), Ok(json!(true)));
        check("bool", json!("no"), Ok(json!(false)));
        check("list[str]", json!("['a', 'b',]"), Ok(json!(["a", "b"])));
        check("dict[str, int]", json!("{'1st': 65536,}"), Ok(json!({"1st": 65536})));
        check("Union[int, NoneType]", json!("None"), Ok(Value::Null));
        check("Union[str, NoneType]", json!("None"), Ok(json!("None")));
        check("Union[str, NoneType]", json!(42), Err("valid string"));
        check("float", json!("n/a"), Err("unable to parse string as a number"));
        check("int", json!("42 apples"), Err("unable to parse string as an integer"));
        check("list[int]", json!("see [1, 2]"), Ok(json!([1, 2])));
        check("int", json!(""), Err("unable to parse"));
    }
}
