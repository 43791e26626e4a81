//! Field mapping: which columns or keys of a file become which example fields, and what kind
//! of value each must hold.

use serde_json::Value;

use crate::error::RowErrorKind;

/// The kind of value a mapped field must hold. Checked on every row; a mismatch is an
/// [`Error::Row`](crate::Error::Row) naming the line and field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Expect {
    /// Any value, `null` included (the default). CSV cells stay strings.
    #[default]
    Any,
    /// A string. CSV cells are strings.
    String,
    /// A number. CSV cells are parsed (`42`, `-1.5`).
    Number,
    /// An integer. CSV cells are parsed.
    Integer,
    /// `true` or `false`. CSV cells must be spelled so.
    Bool,
    /// A list. CSV cells must hold a JSON array (`["a", "b"]`).
    List,
    /// A string or a list of strings, like DSPy's answer fields. A CSV cell starting with `[`
    /// is read as a JSON array.
    StringOrList,
}

impl Expect {
    fn name(self) -> &'static str {
        match self {
            Expect::Any => "any value",
            Expect::String => "a string",
            Expect::Number => "a number",
            Expect::Integer => "an integer",
            Expect::Bool => "a boolean",
            Expect::List => "a list",
            Expect::StringOrList => "a string or a list of strings",
        }
    }

    /// Checks a JSON value.
    pub(crate) fn check_json(self, value: Value) -> Result<Value, RowErrorKind> {
        let ok = match (self, &value) {
            (Expect::Any, _) | (Expect::String, Value::String(_)) | (Expect::Number, Value::Number(_)) => true,
            (Expect::Integer, Value::Number(n)) => n.is_i64() || n.is_u64(),
            (Expect::Bool, Value::Bool(_)) | (Expect::List, Value::Array(_)) => true,
            (Expect::StringOrList, Value::String(_)) => true,
            (Expect::StringOrList, Value::Array(items)) => items.iter().all(Value::is_string),
            _ => false,
        };
        if ok { Ok(value) } else { Err(self.mismatch(&value)) }
    }

    /// Converts a CSV cell.
    pub(crate) fn convert_cell(self, cell: &str) -> Result<Value, RowErrorKind> {
        let trimmed = cell.trim();
        match self {
            Expect::Any | Expect::String => Ok(Value::String(cell.to_string())),
            Expect::Number | Expect::Integer => {
                let parsed: Option<Value> = serde_json::from_str::<serde_json::Number>(trimmed).ok().map(Value::Number);
                match parsed {
                    Some(v) => self.check_json(v),
                    None => Err(self.mismatch_text(cell)),
                }
            }
            Expect::Bool => match trimmed {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err(self.mismatch_text(cell)),
            },
            Expect::List | Expect::StringOrList if trimmed.starts_with('[') => {
                match cognate_runtime::json::from_str(trimmed) {
                    Ok(v) => self.check_json(v),
                    // A duplicate key or nesting past the limit: say so rather than `expected a list`.
                    Err(e) if e.is_data() => Err(RowErrorKind::InvalidJson(super::loader::strip_position(&e))),
                    Err(_) => Err(self.mismatch_text(cell)),
                }
            }
            Expect::StringOrList => Ok(Value::String(cell.to_string())),
            Expect::List => Err(self.mismatch_text(cell)),
        }
    }

    fn mismatch(self, found: &Value) -> RowErrorKind {
        RowErrorKind::WrongType { expected: self.name(), found: describe(found) }
    }

    fn mismatch_text(self, cell: &str) -> RowErrorKind {
        let found = if cell.chars().count() > 40 {
            format!("{:?}...", cell.chars().take(37).collect::<String>())
        } else {
            format!("{cell:?}")
        };
        RowErrorKind::WrongType { expected: self.name(), found }
    }
}

/// How a JSON value is named in messages: `null`, `a number (3)`, `a string ("x")`...
pub(crate) fn describe(value: &Value) -> String {
    fn short(v: &Value) -> String {
        let s = v.to_string();
        if s.chars().count() > 40 { format!("{}...", s.chars().take(37).collect::<String>()) } else { s }
    }
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(_) => format!("a number ({})", short(value)),
        Value::String(_) => format!("a string ({})", short(value)),
        Value::Array(_) => format!("a list ({})", short(value)),
        Value::Object(_) => "an object".to_string(),
    }
}

/// One mapped field: read `source` from the file, store it as `target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldSpec {
    pub(crate) source: String,
    pub(crate) target: String,
    pub(crate) expect: Expect,
}

/// The mapping of a [`Loader`](crate::dataset::Loader): selected fields (all fields when none
/// are selected), renames, and expectations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FieldMap {
    pub(crate) selected: Vec<FieldSpec>,
    pub(crate) renames: Vec<(String, String)>,
    pub(crate) expects: Vec<(String, Expect)>,
}

impl FieldMap {
    /// The example name for a source name, when all fields are kept.
    pub(crate) fn rename<'a>(&'a self, source: &'a str) -> &'a str {
        self.renames.iter().find(|(s, _)| s == source).map_or(source, |(_, t)| t.as_str())
    }

    /// The expectation for an example field name.
    pub(crate) fn expect_for(&self, target: &str) -> Expect {
        if let Some((_, e)) = self.expects.iter().rev().find(|(t, _)| t == target) {
            return *e;
        }
        self.selected.iter().find(|f| f.target == target).map_or(Expect::Any, |f| f.expect)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check_json(expect: Expect, value: Value, expected: Result<Value, &str>) {
        let got = expect.check_json(value).map_err(|e| e.to_string());
        assert_eq!(got, expected.map_err(str::to_string));
    }

    fn check_cell(expect: Expect, cell: &str, expected: Result<Value, &str>) {
        let got = expect.convert_cell(cell).map_err(|e| e.to_string());
        assert_eq!(got, expected.map_err(str::to_string), "{expect:?} {cell:?}");
    }

    #[test]
    fn json_expectations() {
        check_json(Expect::Any, json!(null), Ok(json!(null)));
        check_json(Expect::String, json!("x"), Ok(json!("x")));
        check_json(Expect::String, json!(null), Err("expected a string, got null"));
        check_json(Expect::Number, json!("3"), Err("expected a number, got a string (\"3\")"));
        check_json(Expect::Integer, json!(3), Ok(json!(3)));
        check_json(Expect::Integer, json!(3.5), Err("expected an integer, got a number (3.5)"));
        check_json(Expect::Bool, json!(1), Err("expected a boolean, got a number (1)"));
        check_json(Expect::StringOrList, json!(["a", "b"]), Ok(json!(["a", "b"])));
        check_json(
            Expect::StringOrList,
            json!(["a", 1]),
            Err("expected a string or a list of strings, got a list ([\"a\",1])"),
        );
        check_json(Expect::List, json!({}), Err("expected a list, got an object"));
    }

    #[test]
    fn csv_cells() {
        check_cell(Expect::Any, " 42 ", Ok(json!(" 42 ")));
        check_cell(Expect::Number, " 42 ", Ok(json!(42)));
        check_cell(Expect::Number, "-1.5", Ok(json!(-1.5)));
        check_cell(Expect::Number, "", Err("expected a number, got \"\""));
        check_cell(Expect::Integer, "1.5", Err("expected an integer, got a number (1.5)"));
        check_cell(Expect::Bool, "true", Ok(json!(true)));
        check_cell(Expect::Bool, "yes", Err("expected a boolean, got \"yes\""));
        check_cell(Expect::StringOrList, "Paris", Ok(json!("Paris")));
        check_cell(Expect::StringOrList, r#"["Paris", "paris"]"#, Ok(json!(["Paris", "paris"])));
        check_cell(Expect::List, "a,b", Err("expected a list, got \"a,b\""));
    }
}
