//! JSONAdapter's layout: inputs as `[[ ## name ## ]]` blocks, outputs as one JSON object, and
//! the `response_format` that asks for it.

use std::sync::Arc;

use cognate_core::{
    FieldDesc, JsonSchemaFormat, ModelDesc, ModelField, ResponseFormat, SignatureDesc, TypeDesc, Values,
};
use serde_json::{Map, Value};

use super::chat::{write_placeholder_blocks, write_user_fields};
use super::schema::json_schema;
use super::system::{strip_in_place, write_placeholder};
use super::{Layout, STRUCTURE_INTRO, write_type_hint};
use crate::pyfmt::{write_json_indent2, write_json_str};

/// JSONAdapter.
pub(super) struct Json;

/// The name DSPy gives the structured-outputs schema.
const SCHEMA_NAME: &str = "DSPyProgramOutputs";

impl Layout for Json {
    fn field_structure(&self, out: &mut String, signature: &SignatureDesc) {
        let start = out.len();
        out.push_str(STRUCTURE_INTRO);
        out.push_str("\n\nInputs will have the following structure:\n\n");
        write_placeholder_blocks(out, &signature.inputs, false);
        out.push_str("\n\nOutputs will be a JSON object with the following fields.\n\n");
        let items = signature.outputs.iter().map(|f| (f.name.as_str(), JsonItem::Placeholder(f)));
        write_top_object(out, items, &mut String::new());
        strip_in_place(out, start);
    }

    fn user(&self, signature: &SignatureDesc, values: &Values, prefix: Option<&str>, main: bool) -> String {
        let mut out = String::with_capacity(256);
        write_user_fields(&mut out, signature, values, prefix);
        if main {
            out.push_str("\n\nRespond with a JSON object in the following order of fields: ");
            for (i, f) in signature.outputs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", then ");
                }
                out.push('`');
                out.push_str(&f.name);
                out.push('`');
                write_type_hint(&mut out, f);
            }
            out.push('.');
        }
        strip_in_place(&mut out, 0);
        out
    }

    fn assistant(&self, signature: &SignatureDesc, values: &Values, missing: &Value) -> String {
        let mut out = String::with_capacity(256);
        let items = signature
            .outputs
            .iter()
            .map(|f| (f.name.as_str(), JsonItem::Value(values.get(&f.name).unwrap_or(missing))));
        write_top_object(&mut out, items, &mut String::new());
        out
    }
}

/// A member of a top-level JSON object: a value, or a field's placeholder (a string).
enum JsonItem<'a> {
    Value(&'a Value),
    Placeholder(&'a FieldDesc),
}

/// Writes `{name: item, ...}` as `json.dumps(..., indent=2, ensure_ascii=False)` does, without
/// building the object first. `scratch` holds a placeholder while it is escaped.
fn write_top_object<'a>(out: &mut String, items: impl Iterator<Item = (&'a str, JsonItem<'a>)>, scratch: &mut String) {
    let mut empty = true;
    for (name, item) in items {
        out.push_str(if empty { "{\n  " } else { ",\n  " });
        empty = false;
        write_json_str(out, name);
        out.push_str(": ");
        match item {
            JsonItem::Value(v) => write_json_indent2(out, v, 1),
            JsonItem::Placeholder(f) => {
                scratch.clear();
                write_placeholder(scratch, f, true);
                write_json_str(out, scratch);
            }
        }
    }
    out.push_str(if empty { "{}" } else { "\n}" });
}

/// See [`super::json_response_format`].
pub(super) fn response_format(signature: &SignatureDesc, supports_json_schema: bool) -> ResponseFormat {
    if !supports_json_schema || signature.outputs.iter().any(|f| has_open_mapping(&f.ty)) {
        return ResponseFormat::JsonObject;
    }
    let outputs = ModelDesc {
        name: SCHEMA_NAME.into(),
        description: None,
        fields: signature
            .outputs
            .iter()
            .map(|f| ModelField { name: f.name.clone(), ty: f.ty.clone(), required: true, description: None })
            .collect(),
    };
    let mut schema = json_schema(&TypeDesc::Model(Arc::new(outputs)));
    make_strict(&mut schema);
    ResponseFormat::JsonSchema { json_schema: JsonSchemaFormat { name: SCHEMA_NAME.into(), schema, strict: true } }
}

/// Whether a type holds a `dict[str, T]` anywhere, models included.
fn has_open_mapping(ty: &TypeDesc) -> bool {
    match ty {
        TypeDesc::Dict(_) => true,
        TypeDesc::List(t) | TypeDesc::Optional(t) => has_open_mapping(t),
        TypeDesc::Model(m) => m.fields.iter().any(|f| has_open_mapping(&f.ty)),
        _ => false,
    }
}

/// Makes a schema acceptable to OpenAI's strict mode, as DSPy does: every object lists all its
/// properties as required and forbids others; defaults are dropped (everything is required).
fn make_strict(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    map.shift_remove("default");
    if map.get("type").and_then(Value::as_str) == Some("object") {
        let names: Vec<Value> = match map.get("properties") {
            Some(Value::Object(props)) => props.keys().cloned().map(Value::String).collect(),
            _ => {
                map.insert("properties".into(), Value::Object(Map::new()));
                Vec::new()
            }
        };
        map.insert("required".into(), Value::Array(names));
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
    for (key, v) in map.iter_mut() {
        match (key.as_str(), v) {
            ("properties" | "$defs", Value::Object(named)) => named.values_mut().for_each(make_strict),
            ("anyOf", Value::Array(branches)) => branches.iter_mut().for_each(make_strict),
            ("items", v) => make_strict(v),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema_of(sig: &SignatureDesc) -> Value {
        match response_format(sig, true) {
            ResponseFormat::JsonSchema { json_schema } => {
                assert_eq!(json_schema.name, "DSPyProgramOutputs");
                assert!(json_schema.strict);
                json_schema.schema
            }
            other => panic!("expected a JSON schema, got {other:?}"),
        }
    }

    #[test]
    fn json_object_without_schema_support_or_with_open_maps() {
        let sig = SignatureDesc::parse("q -> a: int").unwrap();
        assert_eq!(response_format(&sig, false), ResponseFormat::JsonObject);
        let sig = SignatureDesc::parse("q -> a: int, b: list[dict[str, int]]").unwrap();
        assert_eq!(response_format(&sig, true), ResponseFormat::JsonObject);
    }

    #[test]
    fn strict_schema_of_the_outputs() {
        let sig = SignatureDesc::parse("q -> answer, n: Optional[int], tags: list[Literal['a', 'b']]").unwrap();
        assert_eq!(
            schema_of(&sig),
            json!({
                "properties": {
                    "answer": {"title": "Answer", "type": "string"},
                    "n": {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "N"},
                    "tags": {"items": {"enum": ["a", "b"], "type": "string"}, "title": "Tags", "type": "array"}
                },
                "required": ["answer", "n", "tags"],
                "title": "DSPyProgramOutputs",
                "type": "object",
                "additionalProperties": false
            })
        );
    }

    #[test]
    fn nested_models_are_strict_too() {
        let addr = Arc::new(ModelDesc {
            name: "Address".into(),
            description: None,
            fields: vec![
                ModelField { name: "city".into(), ty: TypeDesc::Str, required: true, description: None },
                ModelField {
                    name: "zip_code".into(),
                    ty: TypeDesc::Optional(Box::new(TypeDesc::Int)),
                    required: false,
                    description: None,
                },
            ],
        });
        let sig =
            SignatureDesc::parse_with_models("q -> home: Optional[Address], all: list[Address]", &[addr]).unwrap();
        let schema = schema_of(&sig);
        assert_eq!(
            schema["$defs"]["Address"],
            json!({
                "properties": {
                    "city": {"title": "City", "type": "string"},
                    "zip_code": {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "Zip Code"}
                },
                "required": ["city", "zip_code"],
                "title": "Address",
                "type": "object",
                "additionalProperties": false
            })
        );
        assert_eq!(schema["properties"]["home"], json!({"anyOf": [{"$ref": "#/$defs/Address"}, {"type": "null"}]}));
        assert_eq!(schema["properties"]["all"]["items"], json!({"$ref": "#/$defs/Address"}));
        assert_eq!(schema["required"], json!(["home", "all"]));
    }

    #[test]
    fn matches_what_dspy_sends() {
        // DSPy 3.4.1's `_get_structured_outputs_response_format`, as litellm sends it (through
        // OpenAI's `to_strict_json_schema`). Property names `type` and `default` are not keywords.
        let addr = Arc::new(ModelDesc {
            name: "Address".into(),
            description: None,
            fields: vec![
                ModelField { name: "type".into(), ty: TypeDesc::Str, required: true, description: None },
                ModelField {
                    name: "default".into(),
                    ty: TypeDesc::Optional(Box::new(TypeDesc::Int)),
                    required: false,
                    description: None,
                },
                ModelField {
                    name: "tags".into(),
                    ty: TypeDesc::List(Box::new(TypeDesc::Str)),
                    required: true,
                    description: None,
                },
            ],
        });
        let sig = SignatureDesc::parse_with_models(
            "q -> answer, addr: Optional[Address], xs: list[Address], lit: Literal['a', 'b'], default: Optional[int]",
            &[addr],
        )
        .unwrap();
        let expected: Value = serde_json::from_str(
            r##"{"$defs": {"Address": {"properties": {"type": {"title": "Type", "type": "string"}, "default": {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "Default"}, "tags": {"items": {"type": "string"}, "title": "Tags", "type": "array"}}, "required": ["type", "default", "tags"], "title": "Address", "type": "object", "additionalProperties": false}}, "additionalProperties": false, "properties": {"answer": {"title": "Answer", "type": "string"}, "addr": {"anyOf": [{"$ref": "#/$defs/Address"}, {"type": "null"}]}, "xs": {"items": {"$ref": "#/$defs/Address"}, "title": "Xs", "type": "array"}, "lit": {"enum": ["a", "b"], "title": "Lit", "type": "string"}, "default": {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "Default"}}, "required": ["answer", "addr", "xs", "lit", "default"], "title": "DSPyProgramOutputs", "type": "object"}"##,
        )
        .unwrap();
        let schema = schema_of(&sig);
        assert_eq!(schema, expected);
        // Property order is the signature's order (it is the order the model writes them in).
        let keys: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["answer", "addr", "xs", "lit", "default"]);
        // Dropping `default` keeps the other keys in place.
        let mut prop = json!({"anyOf": [{"type": "null"}], "default": null, "description": "d", "title": "T"});
        make_strict(&mut prop);
        assert_eq!(prop.as_object().unwrap().keys().collect::<Vec<_>>(), ["anyOf", "description", "title"]);
        let wire = serde_json::to_value(response_format(&sig, true)).unwrap();
        assert_eq!(wire["type"], "json_schema");
        assert_eq!(wire["json_schema"]["name"], "DSPyProgramOutputs");
        assert_eq!(wire["json_schema"]["strict"], true);
    }
}
