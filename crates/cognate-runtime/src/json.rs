//! A strict JSON reader for files users hand to Cognate (saved state, dataset rows): like
//! `serde_json::from_slice::<Value>`, but a key repeated within one object is an error
//! (serde_json silently keeps the last one) and nesting deeper than [`MAX_DEPTH`] is an error
//! naming the limit, whatever the input's depth (a million `[` included): no stack overflow.
//!
//! ```
//! use cognate_runtime::json;
//!
//! assert_eq!(json::from_str(r#"{"a": [1, {"b": null}]}"#).unwrap()["a"][1]["b"], serde_json::Value::Null);
//! let err = json::from_str("{\"a\": 1,\n \"a\": 2}").unwrap_err();
//! assert_eq!(err.to_string(), "duplicate key `a` at line 2 column 4");
//! let deep = "[".repeat(1_000_000);
//! assert!(json::from_str(&deep).unwrap_err().to_string().starts_with("nested deeper than 100 levels"));
//! ```
//!
//! Errors are `serde_json::Error`s with a line and column. Those raised here (duplicates,
//! depth) are of [`Category::Data`](serde_json::error::Category::Data); syntax errors keep
//! serde_json's own category.
//!
//! Time is linear in the input: each key is checked against its object's keys with one hash
//! lookup.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// The deepest nesting of arrays and objects accepted: `[[1]]` is 2 levels deep. Real data
/// sets and saved states stay far below it; serde_json alone stops at 128.
pub const MAX_DEPTH: usize = 100;

/// Parses JSON text strictly. See the [module docs](self).
///
/// # Errors
/// Invalid JSON, trailing characters, a duplicate key (``duplicate key `k` ``) or nesting
/// deeper than [`MAX_DEPTH`] (`nested deeper than 100 levels`), each at a line and column.
pub fn from_str(text: &str) -> serde_json::Result<Value> {
    from_slice(text.as_bytes())
}

/// Parses JSON bytes strictly. See the [module docs](self).
///
/// # Errors
/// As [`from_str`].
pub fn from_slice(bytes: &[u8]) -> serde_json::Result<Value> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue { depth: 0 }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// Builds a [`Value`] at `depth` levels of nesting (0 for the document).
#[derive(Clone, Copy)]
struct StrictValue {
    depth: usize,
}

impl StrictValue {
    /// The seed for the items of an array or object at this level.
    fn enter<E: de::Error>(self) -> Result<StrictValue, E> {
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            return Err(E::custom(format_args!("nested deeper than {MAX_DEPTH} levels (the limit)")));
        }
        Ok(StrictValue { depth })
    }
}

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // JSON text has no NaN or infinity; serde_json reports overflowing numbers itself.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.enter()?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.enter()?;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
            }
            let value = map.next_value_seed(inner)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::error::Category;
    use serde_json::json;

    use super::*;

    fn check(text: &str, expected: Result<Value, &str>) {
        let got = from_str(text).map_err(|e| e.to_string());
        assert_eq!(got, expected.map_err(str::to_string), "input: {text:?}");
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            "null",
            "true",
            "-3",
            "18446744073709551615",
            "1.5e300",
            "0.1",
            r#""é\u00e9\n""#,
            r#"{"b": 1, "a": [1, 2.5, "x", null, {"c": {}}], "": []}"#,
            " [ ] ",
        ] {
            let expected: Value = serde_json::from_str(text).unwrap();
            let got = from_str(text).unwrap();
            assert_eq!(got, expected, "{text}");
            assert_eq!(got.to_string(), expected.to_string(), "key order and number forms are kept: {text}");
        }
    }

    #[test]
    fn rejects_duplicate_keys_at_any_level() {
        check(r#"{"a": 1, "a": 1}"#, Err("duplicate key `a` at line 1 column 12"));
        check(r#"{"x": [{"k": 1, "j": 2, "k": 3}]}"#, Err("duplicate key `k` at line 1 column 27"));
        check(r#"{"a": {"a": 1}, "b": {"a": 2}}"#, Ok(json!({"a": {"a": 1}, "b": {"a": 2}})));
        let err = from_str(r#"{"a": 1, "a": 1}"#).unwrap_err();
        assert_eq!(err.classify(), Category::Data);
    }

    #[test]
    fn syntax_errors_are_serde_jsons() {
        check("{\"a\": 1,, }", Err("key must be a string at line 1 column 9"));
        check("[1] x", Err("trailing characters at line 1 column 5"));
        check("", Err("EOF while parsing a value at line 1 column 0"));
        assert_eq!(from_str("[1,").unwrap_err().classify(), Category::Eof);
    }

    #[test]
    fn depth_is_limited_at_any_depth() {
        let nested = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(from_str(&nested(MAX_DEPTH)).unwrap().to_string(), nested(MAX_DEPTH));
        check(&nested(MAX_DEPTH + 1), Err("nested deeper than 100 levels (the limit) at line 1 column 101"));
        for n in [10_000, 1_000_000] {
            let err = from_str(&nested(n)).unwrap_err();
            assert_eq!(err.classify(), Category::Data);
            assert!(err.to_string().starts_with("nested deeper than 100 levels"), "{err}");
            let objects = format!("{}1{}", "{\"k\":".repeat(n), "}".repeat(n));
            assert!(from_str(&objects).unwrap_err().to_string().starts_with("nested deeper than 100"));
        }
    }
}
