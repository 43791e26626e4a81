//! Writing a deterministic reply in the format the prompt asks for.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::prompt::{Format, OutputField};
use cognate_core::rng::{Rng as _, SeededRng};

use super::values::{Gen, Ty};

/// The reply text for one choice: every output field filled with a value of its type, drawn
/// from `seed`. Without output fields, a short sentence (or `{"answer": ...}` in JSON).
pub(crate) fn reply(fields: &[OutputField<'_>], format: Format, seed: u64, schema: Option<&Value>) -> String {
    let mut rng = SeededRng::new(seed);
    let mut values: Vec<(&str, Value)> = Vec::with_capacity(fields.len());
    for field in fields {
        let value = match (&field.schema, &field.skeleton) {
            (None, Some(skeleton)) => skeleton.clone(),
            _ => Gen { rng: SeededRng::new(rng.next_u64()), schema: field.schema.as_ref() }.field(&field.ty),
        };
        values.push((field.name, value));
    }
    if values.is_empty() {
        let mut g = Gen { rng: SeededRng::new(rng.next_u64()), schema };
        return match (format, schema) {
            (Format::Json, Some(schema)) => g.schema_value(schema, schema, 0).to_string(),
            (Format::Json, None) => {
                let mut obj = Map::new();
                obj.insert("answer".into(), g.value(&Ty::Str));
                Value::Object(obj).to_string()
            }
            _ => match g.value(&Ty::Str) {
                Value::String(words) => format!("Mock reply: {words}."),
                other => other.to_string(),
            },
        };
    }
    match format {
        Format::Json => {
            let obj: Map<String, Value> = values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            Value::Object(obj).to_string()
        }
        Format::Chat => {
            let mut out = String::with_capacity(64 * fields.len() + 32);
            for (name, value) in &values {
                let _ = writeln!(out, "[[ ## {name} ## ]]");
                push_plain(&mut out, value);
                out.push_str("\n\n");
            }
            out.push_str("[[ ## completed ## ]]\n");
            out
        }
        Format::Xml => {
            let mut out = String::with_capacity(64 * fields.len());
            for (i, (field, (name, value))) in fields.iter().zip(&values).enumerate() {
                if i > 0 {
                    out.push_str("\n\n");
                }
                if field.ty.is_nested() && (value.is_array() || value.is_object()) {
                    push_xml(&mut out, name, value);
                } else {
                    let _ = writeln!(out, "<{name}>");
                    let mut text = String::new();
                    push_plain(&mut text, value);
                    push_escaped(&mut out, &text);
                    let _ = write!(out, "\n</{name}>");
                }
            }
            out
        }
    }
}

/// A value as DSPy renders it in text: strings verbatim, `True`/`False`, `None`, numbers,
/// and compact JSON for lists and objects.
fn push_plain(out: &mut String, value: &Value) {
    match value {
        Value::String(s) => out.push_str(s),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Null => out.push_str("None"),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Array(_) | Value::Object(_) => out.push_str(&value.to_string()),
    }
}

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            _ => out.push(c),
        }
    }
}

/// Compact nested XML: arrays as `<item>` children, objects as one child per key.
fn push_xml(out: &mut String, tag: &str, value: &Value) {
    let _ = write!(out, "<{tag}>");
    match value {
        Value::Array(items) => items.iter().for_each(|item| push_xml(out, "item", item)),
        Value::Object(map) => map.iter().for_each(|(k, v)| push_xml(out, k, v)),
        scalar => {
            let mut text = String::new();
            push_plain(&mut text, scalar);
            push_escaped(out, &text);
        }
    }
    let _ = write!(out, "</{tag}>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::prompt::output_fields;

    const SYSTEM: &str = "Your output fields are:\n1. `answer` (str): \n2. `n` (int): \n3. `tags` (list[str]): \n4. `ok` (bool):\n\
        All interactions will be structured in the following way, with the appropriate values filled in.\n\n[[ ## answer ## ]]\n{answer}";

    #[test]
    fn chat_replies_have_every_marker() {
        let fields = output_fields(SYSTEM);
        let text = reply(&fields, Format::Chat, 42, None);
        for name in ["answer", "n", "tags", "ok", "completed"] {
            assert!(text.contains(&format!("[[ ## {name} ## ]]\n")), "{text}");
        }
        let n_line = text.split("[[ ## n ## ]]\n").nth(1).unwrap().lines().next().unwrap();
        assert!(n_line.parse::<u64>().is_ok(), "{text}");
        assert!(text.contains("True") || text.contains("False"));
        assert_eq!(text, reply(&fields, Format::Chat, 42, None));
        assert_ne!(text, reply(&fields, Format::Chat, 43, None));
    }

    #[test]
    fn json_and_xml_replies() {
        let fields = output_fields(SYSTEM);
        let json: Value = serde_json::from_str(&reply(&fields, Format::Json, 1, None)).unwrap();
        let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["answer", "n", "tags", "ok"]);
        assert!(json["n"].is_u64() && json["tags"].is_array() && json["ok"].is_boolean());

        let xml = reply(&fields, Format::Xml, 1, None);
        assert!(xml.starts_with("<answer>\n") && xml.contains("<tags><item>") && xml.ends_with("</ok>"), "{xml}");
    }

    #[test]
    fn replies_without_fields() {
        assert!(reply(&[], Format::Chat, 5, None).starts_with("Mock reply: "));
        let json: Value = serde_json::from_str(&reply(&[], Format::Json, 5, None)).unwrap();
        assert!(json["answer"].is_string());
        let schema = serde_json::json!({"type": "object", "properties": {"k": {"type": "integer"}}});
        let json: Value = serde_json::from_str(&reply(&[], Format::Json, 5, Some(&schema))).unwrap();
        assert!(json["k"].is_u64());
    }
}
