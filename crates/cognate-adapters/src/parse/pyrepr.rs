//! Python's `str()` and `repr()` of JSON-like values: `['a', 'b']`, `{'k': 1}`, `True`, `None`.

use cognate_core::types::python_str_repr;
use serde_json::Value;

use crate::pyfmt::py_float_repr;

/// Python's `str(value)`: strings verbatim, everything else as [`py_repr`].
pub(crate) fn py_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => py_repr(other),
    }
}

/// Python's `repr(value)` for the value loaded from JSON.
pub(crate) fn py_repr(value: &Value) -> String {
    let mut out = String::new();
    write_repr(value, &mut out);
    out
}

fn write_repr(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => out.push_str(&i.to_string()),
            (None, Some(u)) => out.push_str(&u.to_string()),
            _ => out.push_str(&py_float_repr(n.as_f64().unwrap_or(f64::NAN))),
        },
        Value::String(s) => out.push_str(&python_str_repr(s)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&python_str_repr(k));
                out.push_str(": ");
                write_repr(v, out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[track_caller]
    fn check(value: Value, expected: &str) {
        assert_eq!(py_str(&value), expected);
    }

    #[test]
    fn matches_python_str() {
        check(json!("plain"), "plain");
        check(json!(42), "42");
        check(json!(3.0), "3.0");
        check(json!(1e-5), "1e-05");
        check(json!(true), "True");
        check(Value::Null, "None");
        check(json!(["a", "b"]), "['a', 'b']");
        check(json!({"k": 1}), "{'k': 1}");
        check(json!({"it's": [null, false, 2.5, "x\ny"]}), "{\"it's\": [None, False, 2.5, 'x\\ny']}");
        check(json!([]), "[]");
        check(json!({}), "{}");
    }
}
