//! Pydantic-style JSON schemas of a [`TypeDesc`] (what DSPy shows in notes and sends as
//! structured outputs) and XMLAdapter's XML skeletons.

use std::collections::BTreeMap;

use cognate_core::{LiteralValue, ModelDesc, TypeDesc};
use serde_json::{Map, Value};

use crate::pyfmt::write_json_compact;

/// Pydantic's `TypeAdapter(T).json_schema()` for `ty`, in pydantic's key order (keys sorted,
/// model properties in declaration order). A model at the top stays inline; every model it
/// (or a container at the top) mentions is defined once under `$defs` and referenced as
/// `{"$ref": "#/$defs/Name"}`.
pub fn json_schema(ty: &TypeDesc) -> Value {
    let mut defs = BTreeMap::new();
    let mut root = match ty {
        TypeDesc::Model(m) => model_schema(m, &mut defs),
        other => type_schema(other, &mut defs),
    };
    if !defs.is_empty() {
        let defs: Map<String, Value> = defs.into_iter().map(|(k, v)| (k, Value::Object(v))).collect();
        // `$defs` sorts before every other key.
        let mut with_defs = Map::with_capacity(root.len() + 1);
        with_defs.insert("$defs".into(), Value::Object(defs));
        with_defs.append(&mut root);
        root = with_defs;
    }
    Value::Object(root)
}

/// The schema shown in a field's note: [`json_schema`] with the keys of every mapping, at
/// every depth, reordered as DSPy does (`"type"` first, then the others in code-point order).
pub(crate) fn note_schema(ty: &TypeDesc) -> Value {
    let mut schema = json_schema(ty);
    type_first(&mut schema);
    schema
}

/// Appends the note schema of `ty` as compact JSON (Python's `json.dumps` style).
///
/// Types without models are written directly, which is what almost every signature needs;
/// types with models go through [`note_schema`].
pub(crate) fn write_note_schema(out: &mut String, ty: &TypeDesc) {
    if mentions_model(ty) {
        write_json_compact(out, &note_schema(ty));
    } else {
        write_plain_note_schema(out, ty);
    }
}

fn mentions_model(ty: &TypeDesc) -> bool {
    match ty {
        TypeDesc::Model(_) => true,
        TypeDesc::List(t) | TypeDesc::Dict(t) | TypeDesc::Optional(t) => mentions_model(t),
        _ => false,
    }
}

/// [`note_schema`] of a model-free type, written straight out in the same key order.
fn write_plain_note_schema(out: &mut String, ty: &TypeDesc) {
    match ty {
        TypeDesc::Str => out.push_str(r#"{"type": "string"}"#),
        TypeDesc::Int => out.push_str(r#"{"type": "integer"}"#),
        TypeDesc::Float => out.push_str(r#"{"type": "number"}"#),
        TypeDesc::Bool => out.push_str(r#"{"type": "boolean"}"#),
        TypeDesc::List(t) => {
            out.push_str(r#"{"type": "array", "items": "#);
            write_plain_note_schema(out, t);
            out.push('}');
        }
        TypeDesc::Dict(t) => {
            out.push_str(r#"{"type": "object", "additionalProperties": "#);
            write_plain_note_schema(out, t);
            out.push('}');
        }
        TypeDesc::Optional(t) => {
            out.push_str(r#"{"anyOf": ["#);
            write_plain_note_schema(out, t);
            out.push_str(r#", {"type": "null"}]}"#);
        }
        TypeDesc::Literal(_) | TypeDesc::Model(_) => write_json_compact(out, &note_schema(ty)),
    }
}

/// Reorders every mapping's keys in place: `"type"` first, then the rest in code-point order.
/// Arrays keep their order.
pub(crate) fn type_first(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            entries.sort_by(|(a, _), (b, _)| (a != "type", a.as_str()).cmp(&(b != "type", b.as_str())));
            for (k, mut v) in entries {
                type_first(&mut v);
                map.insert(k, v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(type_first),
        _ => {}
    }
}

fn obj<const N: usize>(entries: [(&str, Value); N]) -> Map<String, Value> {
    entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The schema of a type in a nested position: models become references.
fn type_schema(ty: &TypeDesc, defs: &mut BTreeMap<String, Map<String, Value>>) -> Map<String, Value> {
    match ty {
        TypeDesc::Str => obj([("type", "string".into())]),
        TypeDesc::Int => obj([("type", "integer".into())]),
        TypeDesc::Float => obj([("type", "number".into())]),
        TypeDesc::Bool => obj([("type", "boolean".into())]),
        TypeDesc::List(t) => obj([("items", Value::Object(type_schema(t, defs))), ("type", "array".into())]),
        TypeDesc::Dict(t) => {
            obj([("additionalProperties", Value::Object(type_schema(t, defs))), ("type", "object".into())])
        }
        TypeDesc::Optional(t) => {
            let null = Value::Object(obj([("type", "null".into())]));
            obj([("anyOf", Value::Array(vec![Value::Object(type_schema(t, defs)), null]))])
        }
        TypeDesc::Literal(members) => literal_schema(members),
        TypeDesc::Model(m) => {
            if !defs.contains_key(&m.name) {
                // Reserve the name first so that a self-reference cannot recurse forever.
                defs.insert(m.name.clone(), Map::new());
                let schema = model_schema(m, defs);
                defs.insert(m.name.clone(), schema);
            }
            obj([("$ref", format!("#/$defs/{}", m.name).into())])
        }
    }
}

/// Pydantic's `Literal` schema: `const` for one member, `enum` otherwise, and a `type` when
/// all members are strings or all are integers.
fn literal_schema(members: &[LiteralValue]) -> Map<String, Value> {
    let mut out = Map::new();
    if let [only] = members {
        out.insert("const".into(), only.to_json());
    } else {
        out.insert("enum".into(), members.iter().map(LiteralValue::to_json).collect());
    }
    if members.iter().all(|m| matches!(m, LiteralValue::Str(_))) {
        out.insert("type".into(), "string".into());
    } else if members.iter().all(|m| matches!(m, LiteralValue::Int(_))) {
        out.insert("type".into(), "integer".into());
    }
    out
}

/// A model's own schema: `description`, `properties`, `required`, `title`, `type`.
fn model_schema(m: &ModelDesc, defs: &mut BTreeMap<String, Map<String, Value>>) -> Map<String, Value> {
    let mut props = Map::with_capacity(m.fields.len());
    let mut required = Vec::new();
    for f in &m.fields {
        let mut p = type_schema(&f.ty, defs);
        if !f.required {
            p.insert("default".into(), Value::Null);
        }
        if let Some(d) = &f.description {
            p.insert("description".into(), d.clone().into());
        }
        // Pydantic gives no title to a property that is (an optional) reference to a model.
        let is_model_ref = matches!(unwrap_optional(&f.ty), TypeDesc::Model(_));
        if !is_model_ref {
            p.insert("title".into(), py_title(&f.name).into());
        }
        sort_keys(&mut p);
        props.insert(f.name.clone(), Value::Object(p));
        if f.required {
            required.push(Value::String(f.name.clone()));
        }
    }
    let mut out = Map::new();
    if let Some(d) = &m.description {
        // Pydantic cleans a model's docstring; field descriptions are kept as given.
        out.insert("description".into(), super::system::cleandoc(d).into());
    }
    out.insert("properties".into(), Value::Object(props));
    if !required.is_empty() {
        out.insert("required".into(), Value::Array(required));
    }
    out.insert("title".into(), m.name.clone().into());
    out.insert("type".into(), "object".into());
    out
}

/// Sorts a map's keys in code-point order (pydantic's order for everything but properties).
fn sort_keys(map: &mut Map<String, Value>) {
    let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
    entries.sort_by(|(a, _), (b, _)| a.cmp(b));
    map.extend(entries);
}

fn unwrap_optional(ty: &TypeDesc) -> &TypeDesc {
    match ty {
        TypeDesc::Optional(t) => unwrap_optional(t),
        t => t,
    }
}

/// Python's `str.title()` followed by `_` → space: pydantic's default property title.
///
/// A cased letter is upper-cased (title-cased) after any character that is not a cased
/// letter, and lower-cased otherwise: `zip_code` → `Zip Code`, `postalCode` → `Postalcode`,
/// `zip2code` → `Zip2Code`.
pub(crate) fn py_title(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut prev_cased = false;
    for c in name.chars() {
        let cased = is_cased(c);
        if cased {
            if prev_cased {
                out.extend(c.to_lowercase());
            } else {
                push_titlecase(&mut out, c);
            }
        } else if c == '_' {
            out.push(' ');
        } else {
            out.push(c);
        }
        prev_cased = cased;
    }
    out
}

/// Unicode's `Cased` property: lowercase, uppercase or titlecase letters.
fn is_cased(c: char) -> bool {
    c.is_lowercase()
        || c.is_uppercase()
        || matches!(c, 'ǅ' | 'ǈ' | 'ǋ' | 'ǲ' | 'ᾈ'..='ᾏ' | 'ᾘ'..='ᾟ' | 'ᾨ'..='ᾯ' | 'ᾼ' | 'ῌ' | 'ῼ')
}

/// Appends the title-case form of `c` (Rust's standard library only has upper and lower case).
fn push_titlecase(out: &mut String, c: char) {
    let title = match c {
        'Ǆ' | 'ǅ' | 'ǆ' => 'ǅ',
        'Ǉ' | 'ǈ' | 'ǉ' => 'ǈ',
        'Ǌ' | 'ǋ' | 'ǌ' => 'ǋ',
        'Ǳ' | 'ǲ' | 'ǳ' => 'ǲ',
        _ => {
            // A multi-character upper case (`ß` → `SS`, `ﬁ` → `FI`) title-cases as its first
            // character followed by the rest in lower case (`Ss`, `Fi`).
            let mut upper = c.to_uppercase();
            if let Some(first) = upper.next() {
                out.push(first);
                for rest in upper {
                    out.extend(rest.to_lowercase());
                }
            }
            return;
        }
    };
    out.push(title);
}

/// Whether XMLAdapter writes an output of this type as nested XML: lists, dicts and models,
/// also behind `Optional`.
pub(crate) fn is_nested(ty: &TypeDesc) -> bool {
    matches!(unwrap_optional(ty), TypeDesc::List(_) | TypeDesc::Dict(_) | TypeDesc::Model(_))
}

/// Appends XMLAdapter's skeleton of a type under `tag`: a model lists its properties in
/// declaration order, a list holds one `<item>`, an optional uses its inner type, and anything
/// else (scalars, dicts, a model already being expanded) is `<tag>...</tag>`.
pub(crate) fn write_xml_skeleton(out: &mut String, tag: &str, ty: &TypeDesc) {
    let mut path = Vec::new();
    skeleton(out, tag, ty, &mut path);
}

fn skeleton<'a>(out: &mut String, tag: &str, ty: &'a TypeDesc, path: &mut Vec<&'a str>) {
    let open = |out: &mut String| {
        out.push('<');
        out.push_str(tag);
        out.push('>');
    };
    let close = |out: &mut String| {
        out.push_str("</");
        out.push_str(tag);
        out.push('>');
    };
    match ty {
        TypeDesc::Optional(t) => skeleton(out, tag, t, path),
        TypeDesc::List(t) => {
            open(out);
            skeleton(out, "item", t, path);
            close(out);
        }
        TypeDesc::Model(m) if !m.fields.is_empty() && !path.contains(&m.name.as_str()) => {
            open(out);
            path.push(&m.name);
            for f in &m.fields {
                skeleton(out, &f.name, &f.ty, path);
            }
            path.pop();
            close(out);
        }
        _ => {
            open(out);
            out.push_str("...");
            close(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use cognate_core::ModelField;

    use super::*;
    use crate::pyfmt::json_dumps;

    fn field(name: &str, ty: TypeDesc, required: bool) -> ModelField {
        ModelField { name: name.into(), ty, required, description: None }
    }

    fn address() -> Arc<ModelDesc> {
        Arc::new(ModelDesc {
            name: "Address".into(),
            description: None,
            fields: vec![
                field("type", TypeDesc::Str, true),
                field("zip_code", TypeDesc::Optional(Box::new(TypeDesc::Int)), false),
            ],
        })
    }

    fn person() -> Arc<ModelDesc> {
        let addr = TypeDesc::Model(address());
        Arc::new(ModelDesc {
            name: "Person".into(),
            description: Some("A person.".into()),
            fields: vec![
                ModelField { description: Some("the name".into()), ..field("name", TypeDesc::Str, true) },
                field("home", addr.clone(), true),
                field("other", TypeDesc::Optional(Box::new(addr.clone())), false),
                field("others", TypeDesc::List(Box::new(addr)), true),
            ],
        })
    }

    #[test]
    fn titles_follow_python_str_title() {
        for (name, title) in [
            ("zip_code", "Zip Code"),
            ("postalCode", "Postalcode"),
            ("zip2code", "Zip2Code"),
            ("line2", "Line2"),
            ("n_items", "N Items"),
            ("_private", " Private"),
            ("ßa", "Ssa"),
            ("ǆx", "ǅx"),
            ("日本go", "日本Go"),
            ("ÉCOLE", "École"),
        ] {
            assert_eq!(py_title(name), title, "{name}");
        }
    }

    #[test]
    fn literal_schemas() {
        let lit = |t: &str| json_dumps(&json_schema(&TypeDesc::parse(t, &[]).unwrap()));
        assert_eq!(lit("Literal['a', 'b']"), r##"{"enum": ["a", "b"], "type": "string"}"##);
        assert_eq!(lit("Literal['x']"), r##"{"const": "x", "type": "string"}"##);
        assert_eq!(lit("Literal[1, 2]"), r##"{"enum": [1, 2], "type": "integer"}"##);
        assert_eq!(lit("Literal['a', 1]"), r##"{"enum": ["a", 1]}"##);
    }

    #[test]
    fn model_schema_matches_pydantic() {
        // Checked against pydantic 2.14's `TypeAdapter(Person).json_schema()`.
        assert_eq!(
            json_dumps(&json_schema(&TypeDesc::Model(person()))),
            concat!(
                r##"{"$defs": {"Address": {"properties": {"type": {"title": "Type", "type": "string"}, "##,
                r##""zip_code": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": null, "title": "Zip Code"}}, "##,
                r##""required": ["type"], "title": "Address", "type": "object"}}, "description": "A person.", "##,
                r##""properties": {"name": {"description": "the name", "title": "Name", "type": "string"}, "##,
                r##""home": {"$ref": "#/$defs/Address"}, "other": {"anyOf": [{"$ref": "#/$defs/Address"}, {"type": "null"}], "default": null}, "##,
                r##""others": {"items": {"$ref": "#/$defs/Address"}, "title": "Others", "type": "array"}}, "##,
                r##""required": ["name", "home", "others"], "title": "Person", "type": "object"}"##
            )
        );
    }

    #[test]
    fn note_schema_puts_type_first_and_sorts_the_rest() {
        let ty = TypeDesc::List(Box::new(TypeDesc::Model(address())));
        assert_eq!(
            json_dumps(&note_schema(&ty)),
            concat!(
                r##"{"type": "array", "$defs": {"Address": {"type": "object", "properties": {"type": {"type": "string", "title": "Type"}, "##,
                r##""zip_code": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": null, "title": "Zip Code"}}, "##,
                r##""required": ["type"], "title": "Address"}}, "items": {"$ref": "#/$defs/Address"}}"##
            )
        );
        let mut v = serde_json::json!({"b": 1, "a": {"z": 1, "type": 2, "$x": 3}, "type": [{"k": 1, "type": 0}]});
        type_first(&mut v);
        assert_eq!(json_dumps(&v), r##"{"type": [{"type": 0, "k": 1}], "a": {"type": 2, "$x": 3, "z": 1}, "b": 1}"##);
    }

    #[test]
    fn direct_note_schemas_match_the_general_path() {
        for t in [
            "str",
            "int",
            "float",
            "bool",
            "list[str]",
            "dict[str, list[Optional[float]]]",
            "Optional[dict[str, bool]]",
            "list[Literal['a', 'b']]",
            "Literal['x']",
            "Literal[1, 'a']",
            "Optional[Literal[1, 2]]",
        ] {
            let ty = TypeDesc::parse(t, &[]).unwrap();
            let mut direct = String::new();
            write_note_schema(&mut direct, &ty);
            assert_eq!(direct, json_dumps(&note_schema(&ty)), "{t}");
        }
    }

    #[test]
    fn xml_skeletons() {
        let sk = |tag: &str, ty: &TypeDesc| {
            let mut out = String::new();
            write_xml_skeleton(&mut out, tag, ty);
            out
        };
        assert_eq!(sk("tags", &TypeDesc::parse("list[str]", &[]).unwrap()), "<tags><item>...</item></tags>");
        assert_eq!(sk("d", &TypeDesc::parse("dict[str, int]", &[]).unwrap()), "<d>...</d>");
        assert_eq!(
            sk("p", &TypeDesc::Optional(Box::new(TypeDesc::Model(person())))),
            concat!(
                "<p><name>...</name><home><type>...</type><zip_code>...</zip_code></home>",
                "<other><type>...</type><zip_code>...</zip_code></other>",
                "<others><item><type>...</type><zip_code>...</zip_code></item></others></p>"
            )
        );
        assert!(is_nested(&TypeDesc::Optional(Box::new(TypeDesc::Dict(Box::new(TypeDesc::Int))))));
        assert!(!is_nested(&TypeDesc::Optional(Box::new(TypeDesc::Str))));
    }
}
