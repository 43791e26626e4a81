//! A structural check of a JSON value against a field's [`TypeDesc`], for values read from
//! files (demos in saved state). Scalars are accepted when the adapters would read them as the
//! type ([`cognate_adapters::parse::converts_to`]: `"42"` or `42.0` for an `int`, `"yes"` for a
//! `bool`), any scalar for a `str`; values of the wrong shape (`[1, 2]` for an `int`, a string
//! for a `list[str]`) are rejected, naming where.
//!
//! Recursion follows the type, so it is bounded by the type's depth, not the value's.

use cognate_adapters::parse::converts_to;
use cognate_core::{ModelDesc, TypeDesc};
use serde_json::Value;

/// Where below the checked value the problem is (`""`, `[1]`, `.name`) and what it is.
pub(crate) type Mismatch = (String, String);

/// Checks `value` against `ty`.
pub(crate) fn check_value(value: &Value, ty: &TypeDesc) -> Result<(), Mismatch> {
    let mut at = String::new();
    check(value, ty, &mut at).map_err(|reason| (at, reason))
}

/// On error, `at` is left pointing at the offending part.
fn check(value: &Value, ty: &TypeDesc, at: &mut String) -> Result<(), String> {
    let fits = match ty {
        TypeDesc::Str => matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_)),
        TypeDesc::Int | TypeDesc::Float | TypeDesc::Bool | TypeDesc::Literal(_) => converts_to(value, ty),
        TypeDesc::Optional(inner) => return if value.is_null() { Ok(()) } else { check(value, inner, at) },
        TypeDesc::List(item) => {
            let Value::Array(items) = value else { return Err(expected(ty, value)) };
            for (i, v) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("[{i}]"));
                check(v, item, at)?;
                at.truncate(len);
            }
            true
        }
        TypeDesc::Dict(item) => {
            let Value::Object(map) = value else { return Err(expected(ty, value)) };
            for (k, v) in map {
                let len = at.len();
                at.push_str(&format!(".{k}"));
                check(v, item, at)?;
                at.truncate(len);
            }
            true
        }
        TypeDesc::Model(model) => return check_model(value, ty, model, at),
    };
    if fits { Ok(()) } else { Err(expected(ty, value)) }
}

fn check_model(value: &Value, ty: &TypeDesc, model: &ModelDesc, at: &mut String) -> Result<(), String> {
    let Value::Object(map) = value else { return Err(expected(ty, value)) };
    for field in &model.fields {
        let len = at.len();
        at.push_str(&format!(".{}", field.name));
        match map.get(&field.name) {
            Some(v) => check(v, &field.ty, at)?,
            None if field.required && !field.ty.is_optional() => {
                return Err(format!("missing field of `{}` (a `{}`)", model.name, field.ty.python_name()));
            }
            None => {}
        }
        at.truncate(len);
    }
    Ok(())
}

fn expected(ty: &TypeDesc, value: &Value) -> String {
    format!("expected a value of type `{}`, found {}", ty.python_name(), describe(value))
}

/// `an array ([1,2])`: the kind of value, with a short excerpt.
fn describe(value: &Value) -> String {
    let kind = match value {
        Value::Null => return "null".into(),
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    let text = value.to_string();
    let excerpt: String = text.chars().take(40).collect();
    let ellipsis = if excerpt.len() < text.len() { "..." } else { "" };
    format!("{kind} ({excerpt}{ellipsis})")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ty(s: &str) -> TypeDesc {
        cognate_core::SignatureDesc::parse(&format!("x: {s} -> y")).unwrap().inputs[0].ty.clone()
    }

    fn check_type(t: &str, value: Value, expected: Result<(), (&str, &str)>) {
        let got = check_value(&value, &ty(t));
        assert_eq!(got, expected.map_err(|(a, r)| (a.to_string(), r.to_string())), "{t} <- {value}");
    }

    #[test]
    fn accepts_what_lax_validation_would_convert() {
        for (t, v) in [
            ("str", json!("a")),
            ("str", json!(3)),
            ("int", json!(3)),
            ("int", json!(3.0)),
            ("int", json!(" 42 ")),
            ("float", json!("2.5")),
            ("float", json!(2)),
            ("bool", json!("yes")),
            ("bool", json!(0)),
            ("list[int]", json!([1, "2"])),
            ("dict[str, float]", json!({"a": 1.5})),
            ("Literal['a', 'b']", json!("b")),
            ("Literal[1, 2]", json!(2)),
            ("Optional[int]", json!(null)),
            ("list[Optional[str]]", json!(["a", null])),
        ] {
            check_type(t, v, Ok(()));
        }
    }

    #[test]
    fn rejects_values_of_the_wrong_shape_naming_where() {
        check_type("int", json!([1, 2]), Err(("", "expected a value of type `int`, found an array ([1,2])")));
        check_type("int", json!(2.5), Err(("", "expected a value of type `int`, found a number (2.5)")));
        check_type("str", json!(null), Err(("", "expected a value of type `str`, found null")));
        check_type("bool", json!("maybe"), Err(("", "expected a value of type `bool`, found a string (\"maybe\")")));
        check_type(
            "list[int]",
            json!([1, "x"]),
            Err(("[1]", "expected a value of type `int`, found a string (\"x\")")),
        );
        check_type("list[str]", json!("a"), Err(("", "expected a value of type `list[str]`, found a string (\"a\")")));
        check_type(
            "dict[str, list[int]]",
            json!({"k": [1, {}]}),
            Err((".k[1]", "expected a value of type `int`, found an object ({})")),
        );
        check_type(
            "Literal['a', 'b']",
            json!("c"),
            Err(("", "expected a value of type `Literal['a', 'b']`, found a string (\"c\")")),
        );
        let long = "x".repeat(100);
        let (_, reason) = check_value(&json!([long]), &TypeDesc::Int).unwrap_err();
        assert!(reason.ends_with("...)") && reason.len() < 120, "{reason}");
    }

    #[test]
    fn models_need_their_required_fields() {
        use cognate_core::ModelField;
        let field = |name: &str, ty: TypeDesc, required: bool| ModelField {
            name: name.into(),
            ty,
            required,
            description: None,
        };
        let model = TypeDesc::Model(std::sync::Arc::new(ModelDesc {
            name: "Answer".into(),
            description: None,
            fields: vec![field("value", TypeDesc::Int, true), field("note", TypeDesc::Str, false)],
        }));
        assert_eq!(check_value(&json!({"value": 1, "extra": [1]}), &model), Ok(()));
        assert_eq!(
            check_value(&json!({"value": [1]}), &model),
            Err((".value".into(), "expected a value of type `int`, found an array ([1])".into()))
        );
        assert_eq!(
            check_value(&json!({"note": "n"}), &model),
            Err((".value".into(), "missing field of `Answer` (a `int`)".into()))
        );
        assert_eq!(
            check_value(&json!("x"), &model),
            Err(("".into(), "expected a value of type `Answer`, found a string (\"x\")".into()))
        );
    }
}
