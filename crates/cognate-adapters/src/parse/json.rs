//! JSONAdapter parsing: one JSON object keyed by output names.

use cognate_core::{ParseError, ParseErrorKind, SignatureDesc, Values};
use serde_json::Value;

use super::json_repair::loads;
use super::{check_size, error, finish, output, parse_value};

const ADAPTER: &str = "JSONAdapter";

/// JSONAdapter parsing.
///
/// The completion is read leniently; when that gives no object, the first balanced `{...}`
/// in the raw text (found by counting braces, strings ignored) is read instead and replaces
/// the completion in error messages. Keys that are not output fields are dropped.
///
/// # Errors
/// See [`crate::Adapter::parse`].
pub fn json(signature: &SignatureDesc, completion: &str) -> Result<Values, Box<ParseError>> {
    check_size(ADAPTER, signature, completion)?;
    // Text nested too deeply to repair, when no object is found either, is a `TooDeep` error
    // (DSPy lets json_repair's `ValueError` escape instead).
    let mut raw = completion;
    let whole = loads(completion);
    let mut too_deep = whole.is_err();
    let mut parsed = whole.ok();
    if !parsed.as_ref().is_some_and(Value::is_object) {
        if let Some(sub) = first_balanced_object(completion) {
            raw = sub;
            let inner = loads(sub);
            too_deep |= inner.is_err();
            parsed = inner.ok();
        }
    }
    let Some(Value::Object(object)) = parsed else {
        if too_deep {
            let detail = super::json_repair::TooDeep.to_string();
            return Err(error(ADAPTER, ParseErrorKind::TooDeep, signature, raw, None, detail));
        }
        let detail = "LM response cannot be serialized to a JSON object.".to_string();
        return Err(error(ADAPTER, ParseErrorKind::NotAJsonObject, signature, raw, None, detail));
    };

    let present: Vec<String> = object.keys().filter(|k| output(signature, k).is_some()).cloned().collect();
    let mut found = Values::new();
    for (key, value) in object {
        let Some(field) = output(signature, &key) else { continue };
        let value = parse_value(&value, &field.ty).map_err(|e| {
            let detail = format!("Failed to parse field {key}: {e}");
            error(ADAPTER, ParseErrorKind::FieldValue, signature, raw, Some(present.clone()), detail)
        })?;
        found.insert(key, value);
    }
    finish(ADAPTER, signature, raw, found)
}

/// The leftmost balanced `{...}` substring, braces counted without regard to strings (what
/// the recursive regex `\{(?:[^{}]|(?R))*\}` finds).
fn first_balanced_object(text: &str) -> Option<&str> {
    let mut open: Vec<usize> = Vec::new();
    let mut best: Option<(usize, usize)> = None;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'{' => open.push(i),
            b'}' => {
                if let Some(start) = open.pop() {
                    if best.is_none_or(|(s, _)| start < s) {
                        best = Some((start, i + 1));
                    }
                }
            }
            _ => {}
        }
    }
    best.map(|(s, e)| &text[s..e])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[track_caller]
    fn check(spec: &str, completion: &str, expected: Value) {
        let got = json(&SignatureDesc::parse(spec).unwrap(), completion).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Value::Object(got).to_string(), expected.to_string(), "{completion:?}");
    }

    #[test]
    fn balanced_object_search() {
        assert_eq!(first_balanced_object("a {b} {c}"), Some("{b}"));
        assert_eq!(first_balanced_object("{ {x} "), Some("{x}"));
        assert_eq!(first_balanced_object("{a {b} c} d"), Some("{a {b} c}"));
        assert_eq!(first_balanced_object("} { {"), None);
        assert_eq!(first_balanced_object("{\"a\": \"}\"}"), Some("{\"a\": \"}"));
    }

    #[test]
    fn objects() {
        check("q -> a: int, b", "```json\n{\"b\": 2, \"a\": \"3\"}\n```", json!({"a": 3, "b": "2"}));
        check("q -> a: Optional[int]", "{}", json!({"a": null}));
        check("q -> a", "{\"a\": 1}\n{\"z\": 2}", json!({"a": "1"}));
    }

    #[test]
    fn too_deep_text_still_yields_an_object_found_in_it() {
        let s = SignatureDesc::parse("q -> a: int, b").unwrap();
        let deep = "[".repeat(2_000);
        let got = json(&s, &format!("{deep} {{\"a\": 1, \"b\": \"x\"}}")).unwrap();
        assert_eq!(got["a"], 1);
        let err = json(&s, &deep).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::TooDeep);
    }

    #[test]
    fn errors() {
        let s = SignatureDesc::parse("q -> a: int, b").unwrap();
        let err = json(&s, "[1, 2]").unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::NotAJsonObject);
        assert_eq!(err.raw, "[1, 2]");
        let err = json(&s, "[1] {\"b\": \"x\", \"a\": \"many\"}").unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::FieldValue);
        assert_eq!(err.raw, "{\"b\": \"x\", \"a\": \"many\"}");
        assert_eq!(err.found, Some(vec!["b".to_string(), "a".to_string()]));
        assert!(err.detail.starts_with("Failed to parse field a: "));
        let err = json(&s, "{\"b\": \"x\"}").unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::MissingFields);
        assert_eq!(err.found, Some(vec!["b".to_string()]));
    }
}
