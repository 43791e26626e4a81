//! Lax validation of a JSON value against a [`TypeDesc`], as pydantic 2's lax mode does for
//! DSPy: `"yes"` → `true`, `42.0` → `42` (but `42.5` is not an int), `"3.5"` → `3.5`, extra
//! model keys dropped, missing optional model fields set to `null`, Literal members matched
//! across `1`/`1.0`/`true`.

use cognate_core::{LiteralValue, ModelDesc, TypeDesc};
use serde_json::{Map, Number, Value};

use crate::pyfmt::py_repr;
use crate::pyfmt::py_strip;

/// Validates `value` against `ty`, returning the coerced value or pydantic-style diagnostics.
pub(crate) fn validate(value: &Value, ty: &TypeDesc) -> Result<Value, String> {
    let mut errors = Vec::new();
    let out = check(value, ty, &mut String::new(), &mut errors);
    match out {
        Some(v) if errors.is_empty() => Ok(v),
        _ => {
            let n = errors.len();
            let plural = if n == 1 { "" } else { "s" };
            Err(format!("{n} validation error{plural} for {}\n{}", ty.python_name(), errors.join("\n")))
        }
    }
}

fn fail(errors: &mut Vec<String>, path: &str, msg: &str, value: &Value) -> Option<Value> {
    let input = py_repr(value);
    let mut line = String::new();
    if !path.is_empty() {
        line.push_str(path);
        line.push('\n');
    }
    line.push_str(&format!("  {msg} [input_value={input}]"));
    errors.push(line);
    None
}

fn check(value: &Value, ty: &TypeDesc, path: &mut String, errors: &mut Vec<String>) -> Option<Value> {
    match ty {
        TypeDesc::Str => match value {
            Value::String(_) => Some(value.clone()),
            _ => fail(errors, path, "Input should be a valid string", value),
        },
        TypeDesc::Int => to_int(value).map_or_else(|msg| fail(errors, path, msg, value), Some),
        TypeDesc::Float => to_float(value).map_or_else(|msg| fail(errors, path, msg, value), Some),
        TypeDesc::Bool => to_bool(value).map(Value::Bool).map_or_else(|msg| fail(errors, path, msg, value), Some),
        TypeDesc::Literal(members) => match literal_member(value, members) {
            Some(m) => Some(m.to_json()),
            None => {
                let msg = format!("Input should be {}", describe_members(members));
                fail(errors, path, &msg, value)
            }
        },
        TypeDesc::Optional(inner) => match value {
            Value::Null => Some(Value::Null),
            _ => check(value, inner, path, errors),
        },
        TypeDesc::List(item) => {
            let Value::Array(items) = value else {
                return fail(errors, path, "Input should be a valid list", value);
            };
            let mut out = Vec::with_capacity(items.len());
            let mut ok = true;
            for (i, v) in items.iter().enumerate() {
                let len = path.len();
                push_path(path, &i.to_string());
                match check(v, item, path, errors) {
                    Some(v) => out.push(v),
                    None => ok = false,
                }
                path.truncate(len);
            }
            ok.then_some(Value::Array(out))
        }
        TypeDesc::Dict(item) => {
            let Value::Object(map) = value else {
                return fail(errors, path, "Input should be a valid dictionary", value);
            };
            let mut out = Map::new();
            let mut ok = true;
            for (k, v) in map {
                let len = path.len();
                push_path(path, k);
                match check(v, item, path, errors) {
                    Some(v) => {
                        out.insert(k.clone(), v);
                    }
                    None => ok = false,
                }
                path.truncate(len);
            }
            ok.then_some(Value::Object(out))
        }
        TypeDesc::Model(model) => check_model(value, model, path, errors),
    }
}

fn check_model(value: &Value, model: &ModelDesc, path: &mut String, errors: &mut Vec<String>) -> Option<Value> {
    let Value::Object(map) = value else {
        let msg = format!("Input should be a valid dictionary or instance of {}", model.name);
        return fail(errors, path, &msg, value);
    };
    let mut out = Map::new();
    let mut ok = true;
    for field in &model.fields {
        let len = path.len();
        push_path(path, &field.name);
        match map.get(&field.name) {
            Some(v) => match check(v, &field.ty, path, errors) {
                Some(v) => {
                    out.insert(field.name.clone(), v);
                }
                None => ok = false,
            },
            None if field.required => {
                fail(errors, path, "Field required", value);
                ok = false;
            }
            None => {
                out.insert(field.name.clone(), Value::Null);
            }
        }
        path.truncate(len);
    }
    ok.then_some(Value::Object(out))
}

fn push_path(path: &mut String, segment: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(segment);
}

/// Python equality between a value and a Literal member (`True == 1`, `1.0 == 1`).
pub(crate) fn py_eq_member(value: &Value, member: &LiteralValue) -> bool {
    match (member, value) {
        (LiteralValue::Str(s), Value::String(v)) => s == v,
        (LiteralValue::Int(i), Value::Bool(b)) => *i == i64::from(*b),
        (LiteralValue::Int(i), Value::Number(n)) => match n.as_i64() {
            Some(v) => v == *i,
            None => n.as_f64() == Some(*i as f64) && n.is_f64(),
        },
        _ => false,
    }
}

/// pydantic's lax Literal validation: the member the value stands for.
fn literal_member<'m>(value: &Value, members: &'m [LiteralValue]) -> Option<&'m LiteralValue> {
    members.iter().find(|m| py_eq_member(value, m))
}

fn describe_members(members: &[LiteralValue]) -> String {
    let reprs: Vec<String> = members.iter().map(LiteralValue::python_repr).collect();
    match reprs.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

fn to_int(value: &Value) -> Result<Value, &'static str> {
    match value {
        Value::Bool(b) => Ok(Value::from(i64::from(*b))),
        Value::Number(n) if !n.is_f64() => Ok(value.clone()),
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if !f.is_finite() {
                Err("Input should be a finite number")
            } else if f.fract() != 0.0 {
                Err("Input should be a valid integer, got a number with a fractional part")
            } else if f.abs() < 9.3e18 {
                Ok(Value::from(f as i64))
            } else {
                Err("Unable to parse input string as an integer, exceeded maximum size")
            }
        }
        Value::String(s) => {
            parse_int_str(py_strip(s)).ok_or("Input should be a valid integer, unable to parse string as an integer")
        }
        _ => Err("Input should be a valid integer"),
    }
}

/// pydantic's int-from-string: an optional sign, digits with single underscores between them,
/// and optionally a fraction of zeros (`42.00`).
fn parse_int_str(s: &str) -> Option<Value> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let int_part = match body.split_once('.') {
        Some((int_part, frac)) if !frac.is_empty() && frac.bytes().all(|b| b == b'0') => int_part,
        Some(_) => return None,
        None => body,
    };
    let digits = clean_digits(int_part)?;
    let text = if neg { format!("-{digits}") } else { digits };
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::from(i));
    }
    text.parse::<u64>().ok().map(Value::from)
}

/// ASCII digits with single underscores between digits; `None` otherwise.
fn clean_digits(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.is_empty() || b[0] == b'_' || b[b.len() - 1] == b'_' || s.contains("__") {
        return None;
    }
    if !b.iter().all(|c| c.is_ascii_digit() || *c == b'_') {
        return None;
    }
    Some(s.replace('_', ""))
}

fn to_float(value: &Value) -> Result<Value, &'static str> {
    let f = match value {
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().ok_or("Input should be a valid number")?,
        Value::String(s) => {
            parse_float_str(py_strip(s)).ok_or("Input should be a valid number, unable to parse string as a number")?
        }
        _ => return Err("Input should be a valid number"),
    };
    Number::from_f64(f).map(Value::Number).ok_or("Input should be a finite number")
}

/// pydantic's float-from-string: Python float syntax with single underscores between digits.
fn parse_float_str(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, "inf" | "infinity" | "nan") {
        return lower.parse::<f64>().ok().or(Some(if lower.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }));
    }
    if s.contains("__") || s.starts_with('_') || s.ends_with('_') {
        return None;
    }
    let cleaned = s.replace('_', "");
    let body = cleaned.trim_start_matches(['+', '-']);
    if body.len() + 1 < cleaned.len() {
        return None;
    }
    let valid = body.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !valid || !body.bytes().next().is_some_and(|c| c.is_ascii_digit() || c == b'.') {
        return None;
    }
    cleaned.parse::<f64>().ok()
}

fn to_bool(value: &Value) -> Result<bool, &'static str> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) => {
            let f = n.as_f64();
            if f == Some(0.0) {
                Ok(false)
            } else if f == Some(1.0) {
                Ok(true)
            } else if n.is_f64() {
                Err("Input should be a valid boolean")
            } else {
                Err("Input should be a valid boolean, unable to interpret input")
            }
        }
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "0" | "off" | "f" | "false" | "n" | "no" => Ok(false),
            "1" | "on" | "t" | "true" | "y" | "yes" => Ok(true),
            _ => Err("Input should be a valid boolean, unable to interpret input"),
        },
        _ => Err("Input should be a valid boolean"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use cognate_core::ModelField;
    use serde_json::json;

    fn ty(spelling: &str) -> TypeDesc {
        let model = Arc::new(ModelDesc {
            name: "M".into(),
            description: None,
            fields: vec![
                ModelField { name: "a".into(), ty: TypeDesc::Int, required: true, description: None },
                ModelField {
                    name: "b".into(),
                    ty: TypeDesc::Optional(Box::new(TypeDesc::Str)),
                    required: false,
                    description: None,
                },
            ],
        });
        TypeDesc::parse(spelling, &[model]).unwrap()
    }

    #[track_caller]
    fn check_ok(spelling: &str, input: Value, expected: Value) {
        let got = validate(&input, &ty(spelling)).unwrap_or_else(|e| panic!("{spelling} {input}: {e}"));
        assert_eq!(got.to_string(), expected.to_string(), "{spelling} {input}");
    }

    #[track_caller]
    fn check_err(spelling: &str, input: Value, fragment: &str) {
        let err = validate(&input, &ty(spelling)).expect_err(&format!("{spelling} {input} should fail"));
        assert!(err.contains(fragment), "{err}");
    }

    #[test]
    fn ints() {
        check_ok("int", json!(true), json!(1));
        check_ok("int", json!(42.0), json!(42));
        check_ok("int", json!("42"), json!(42));
        check_ok("int", json!(" 42 \n"), json!(42));
        check_ok("int", json!("-42.00"), json!(-42));
        check_ok("int", json!("+5"), json!(5));
        check_ok("int", json!("4_2"), json!(42));
        check_ok("int", json!("0042"), json!(42));
        check_err("int", json!(42.5), "fractional part");
        check_err("int", json!("1.5"), "unable to parse string as an integer");
        check_err("int", json!("1e3"), "unable to parse");
        check_err("int", json!("42."), "unable to parse");
        check_err("int", json!("4__2"), "unable to parse");
        check_err("int", json!("n/a"), "input_value='n/a'");
        check_err("int", Value::Null, "valid integer");
    }

    #[test]
    fn floats() {
        check_ok("float", json!(3), json!(3.0));
        check_ok("float", json!(true), json!(1.0));
        check_ok("float", json!(" 3.5 "), json!(3.5));
        check_ok("float", json!("1e-5"), json!(1e-5));
        check_ok("float", json!(".5"), json!(0.5));
        check_ok("float", json!("5."), json!(5.0));
        check_ok("float", json!("1_000.5"), json!(1000.5));
        check_ok("float", json!("0.30000000000000004"), json!(0.30000000000000004));
        check_err("float", json!("abc"), "valid number");
        check_err("float", json!("1.5e"), "valid number");
        check_err("float", json!("0b1"), "valid number");
        check_err("float", json!(""), "valid number");
    }

    #[test]
    fn bools() {
        for (s, b) in [("yes", true), ("YES", true), ("On", true), ("1", true), ("t", true), ("y", true)] {
            check_ok("bool", json!(s), json!(b));
        }
        for (s, b) in [("no", false), ("n", false), ("oFf", false), ("0", false), ("F", false), ("False", false)] {
            check_ok("bool", json!(s), json!(b));
        }
        check_ok("bool", json!(0), json!(false));
        check_ok("bool", json!(1.0), json!(true));
        check_err("bool", json!(2), "unable to interpret");
        check_err("bool", json!(" yes "), "unable to interpret");
        check_err("bool", json!(1.5), "valid boolean");
    }

    #[test]
    fn strings_are_strict() {
        check_ok("str", json!("x"), json!("x"));
        check_err("str", json!(1), "valid string");
        check_err("Union[str, NoneType]", json!(42), "valid string");
        check_ok("Union[str, NoneType]", Value::Null, Value::Null);
    }

    #[test]
    fn literals() {
        check_ok("Literal[1, 2]", json!(true), json!(1));
        check_ok("Literal[1, 2]", json!(1.0), json!(1));
        check_ok("Literal['a', 'b']", json!("a"), json!("a"));
        check_err("Literal[1, 2]", json!("1"), "Input should be 1 or 2");
        check_err("Literal['a', 'b', 'c']", json!(1), "Input should be 'a', 'b' or 'c'");
        check_err("Literal['true', 'false']", json!(true), "'true' or 'false'");
    }

    #[test]
    fn containers_and_models() {
        check_ok("list[int]", json!(["42", -3, 2.0]), json!([42, -3, 2]));
        check_err("list[int]", json!("[1]"), "valid list");
        check_err("list[int]", json!({"a": 1}), "valid list");
        check_ok("dict[str, int]", json!({"a": "1"}), json!({"a": 1}));
        check_ok("M", json!({"extra": 1, "a": "7"}), json!({"a": 7, "b": null}));
        check_ok("list[M]", json!([{"b": "x", "a": 1}]), json!([{"a": 1, "b": "x"}]));
        check_err("M", json!({"b": "x"}), "a\n  Field required");
        check_err("M", json!({"a": 1, "b": 3}), "b\n  Input should be a valid string");
        check_err("M", json!([]), "valid dictionary or instance of M");
        check_err("list[int]", json!(["x", "y"]), "2 validation errors for list[int]\n0\n");
    }
}
