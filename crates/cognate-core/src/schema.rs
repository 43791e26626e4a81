//! Building a [`TypeDesc`] from a Rust type's JSON schema.
//!
//! `#[signature]` describes every field type through its `schemars::JsonSchema` implementation:
//! [`TypeDesc::of`] generates the (draft 2020-12) schema and [`TypeDesc::from_json_schema`]
//! converts it to the type DSPy would print:
//!
//! | Rust type                                   | JSON schema                               | `TypeDesc`                |
//! |---------------------------------------------|-------------------------------------------|---------------------------|
//! | `String`, `char`, `PathBuf`, ...            | `"type": "string"`                        | `str`                     |
//! | integers (`u8` ... `i128`, `usize`)         | `"type": "integer"`                       | `int`                     |
//! | `f32`, `f64`                                | `"type": "number"`                        | `float`                   |
//! | `bool`                                      | `"type": "boolean"`                       | `bool`                    |
//! | `Vec<T>`, `HashSet<T>`, `[T; N]`            | `"type": "array", "items": T`             | `list[T]`                 |
//! | `HashMap<String, T>`, `BTreeMap<String, T>` | `"type": "object", "additionalProperties"`| `dict[str, T]`            |
//! | unit-variant enum (serde renames respected) | `"enum": [...]` or `oneOf` of `const`s    | `Literal['a', 'b']`       |
//! | `Option<T>`                                 | `"type": [T, "null"]`, `anyOf [T, null]`  | `Union[T, NoneType]`      |
//! | struct deriving `JsonSchema`                | object with `properties` (`$ref`)         | a model, by its name      |
//!
//! Schemas with no DSPy equivalent — tuples, untagged or data-carrying enums, maps with
//! non-string keys, `serde_json::Value`, recursive structs — are rejected with
//! [`Error::UnsupportedType`].
//!
//! One quirk comes from schemars: when only *some* variants of a unit enum have doc comments,
//! schemars lists the undocumented variants first, so the `Literal[...]` follows that order.
//!
//! ```
//! use std::collections::HashMap;
//! use cognate_core::TypeDesc;
//!
//! assert_eq!(TypeDesc::of::<Vec<String>>()?.python_name(), "list[str]");
//! assert_eq!(TypeDesc::of::<HashMap<String, u32>>()?.python_name(), "dict[str, int]");
//! assert_eq!(TypeDesc::of::<Option<f64>>()?.python_name(), "Union[float, NoneType]");
//! assert!(TypeDesc::of::<(i32, String)>().is_err());
//! assert!(TypeDesc::of::<serde_json::Value>().is_err());
//! # Ok::<(), cognate_core::Error>(())
//! ```

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::signature::{FieldDesc, SignatureDesc};
use crate::types::{LiteralValue, ModelDesc, ModelField, TypeDesc};

/// The part of a `#[signature]` field type's contract that the generated code checks itself:
/// a JSON schema to describe the type, and `Send + Sync + 'static`.
///
/// A field type also needs `serde::Serialize`, `serde::Deserialize` (owned), `Clone` and
/// `Debug`; the derives on the generated `XInput` / `XOutput` structs check those, so a
/// missing one is reported once, by them. `#[signature]` asserts this trait at each field's
/// type, so a missing `JsonSchema` derive is one compile error pointing at the field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the type of a signature field",
    label = "not usable as a signature field type",
    note = "a field type must implement `schemars::JsonSchema` (and serde's `Serialize` and `Deserialize`, `Clone`, `Debug`, `Send`, `Sync`)",
    note = "use `String`, `bool`, an integer or float, `Vec<T>`, `Option<T>`, `HashMap<String, T>`, a unit-variant enum, or a type deriving `Serialize, Deserialize, JsonSchema, Clone, Debug`"
)]
pub trait FieldType: schemars::JsonSchema + Send + Sync + 'static {}

impl<T> FieldType for T where T: schemars::JsonSchema + Send + Sync + 'static {}

impl TypeDesc {
    /// The descriptor of a Rust type, derived from its JSON schema.
    ///
    /// # Errors
    /// [`Error::UnsupportedType`] naming the type when its schema has no DSPy equivalent:
    /// tuples, untagged or data-carrying enums, maps with non-string keys, values that accept
    /// any JSON (`serde_json::Value`), unit types and recursive structs.
    pub fn of<T: schemars::JsonSchema + ?Sized>() -> Result<TypeDesc> {
        let schema = schemars::generate::SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<T>();
        convert_root(schema.as_value(), std::any::type_name::<T>())
    }

    /// Converts a JSON schema (draft 2020-12 or 7; `$ref`s into `$defs` or `definitions`) to a
    /// descriptor.
    ///
    /// # Errors
    /// [`Error::UnsupportedType`] when the schema has no DSPy equivalent (see
    /// [`TypeDesc::of`]).
    pub fn from_json_schema(schema: &Value) -> Result<TypeDesc> {
        let name = schema.get("title").and_then(Value::as_str).unwrap_or("<schema>").to_string();
        convert_root(schema, &name)
    }
}

/// Builds one field of a `#[signature]` descriptor. Used by the generated code.
///
/// # Errors
/// [`Error::UnsupportedType`] if the field type's schema has no DSPy equivalent; the reason
/// names the signature and the field.
#[doc(hidden)]
pub fn __signature_field<T: FieldType>(
    signature: &str,
    field: &str,
    name: &str,
    desc: &str,
    prefix: Option<&str>,
) -> Result<FieldDesc> {
    let ty = TypeDesc::of::<T>().map_err(|e| match e {
        Error::UnsupportedType { ty, reason } => {
            Error::UnsupportedType { ty, reason: format!("field `{field}` of signature `{signature}`: {reason}") }
        }
        other => other,
    })?;
    let field = FieldDesc::new(name, ty).with_desc(desc);
    Ok(match prefix {
        Some(p) => field.with_prefix(p),
        None => field,
    })
}

/// The descriptor in `cell`, built with `build` on first success. Used by the generated
/// `Signature::try_descriptor`: a failed build is not cached (it is a programming error, and
/// every caller gets it as a value).
///
/// # Errors
/// Whatever `build` returns.
#[doc(hidden)]
pub fn __descriptor(
    cell: &'static OnceLock<SignatureDesc>,
    build: impl FnOnce() -> Result<SignatureDesc>,
) -> Result<&'static SignatureDesc> {
    if let Some(desc) = cell.get() {
        return Ok(desc);
    }
    let desc = build()?;
    Ok(cell.get_or_init(|| desc))
}

fn convert_root(root: &Value, ty: &str) -> Result<TypeDesc> {
    let mut c = Converter { root, ty, resolving: Vec::new(), resolved: HashMap::new(), depth: 0 };
    c.convert(root, "", None)
}

struct Converter<'a> {
    root: &'a Value,
    /// The Rust type (or schema title) being described, for error messages.
    ty: &'a str,
    /// `$ref`s being resolved, outermost first (a repeat is a recursive type).
    resolving: Vec<String>,
    /// `$ref`s already converted, so a model used twice is one `Arc`.
    resolved: HashMap<String, TypeDesc>,
    /// Schemas being converted, outermost first (bounded by [`MAX_SCHEMA_DEPTH`]).
    depth: usize,
}

/// Schemas nest about three levels (`items`, `anyOf`, a member) per type constructor.
const MAX_SCHEMA_DEPTH: usize = 3 * crate::types::MAX_TYPE_DEPTH;

impl<'a> Converter<'a> {
    fn err(&self, path: &str, reason: impl std::fmt::Display) -> Error {
        let at = if path.is_empty() { String::new() } else { format!("at `{path}`: ") };
        Error::UnsupportedType { ty: self.ty.to_string(), reason: format!("{at}{reason}") }
    }

    /// Converts one schema. `name` is the `$defs` key the schema was reached through, if any.
    fn convert(&mut self, schema: &'a Value, path: &str, name: Option<&str>) -> Result<TypeDesc> {
        if self.depth >= MAX_SCHEMA_DEPTH {
            let limit = crate::types::MAX_TYPE_DEPTH;
            return Err(self.err(path, format!("the schema nests deeper than a type of {limit} levels")));
        }
        self.depth += 1;
        let converted = self.convert_schema(schema, path, name);
        self.depth -= 1;
        converted
    }

    fn convert_schema(&mut self, schema: &'a Value, path: &str, name: Option<&str>) -> Result<TypeDesc> {
        let obj = match schema {
            Value::Object(obj) => obj,
            Value::Bool(true) => return Err(self.err(path, ANY_VALUE)),
            _ => return Err(self.err(path, "the schema accepts no value")),
        };
        if let Some(reference) = obj.get("$ref") {
            let reference = reference.as_str().ok_or_else(|| self.err(path, "`$ref` is not a string"))?;
            return self.resolve(reference, path);
        }
        if let Some(all) = obj.get("allOf") {
            return match all.as_array().map(Vec::as_slice) {
                Some([single]) => self.convert(single, &format!("{path}/allOf/0"), name),
                _ => Err(self.err(path, "`allOf` (an intersection of schemas) has no DSPy type")),
            };
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(members) = obj.get(key) {
                let members = members.as_array().ok_or_else(|| self.err(path, format!("`{key}` is not an array")))?;
                return self.union(members, &format!("{path}/{key}"));
            }
        }
        if let Some(value) = obj.get("const") {
            let member = self.literal(value, &format!("{path}/const"))?;
            return Ok(TypeDesc::Literal(vec![member]));
        }
        if let Some(values) = obj.get("enum") {
            return self.enumeration(values, &format!("{path}/enum"));
        }
        match obj.get("type") {
            None => Err(self.err(path, ANY_VALUE)),
            Some(Value::String(t)) => self.typed(obj, t, path, name),
            Some(Value::Array(types)) => {
                let non_null: Vec<&str> = types.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect();
                let nullable = non_null.len() < types.len();
                match non_null.as_slice() {
                    [t] => {
                        let inner = self.typed(obj, t, path, name)?;
                        Ok(if nullable { optional(inner) } else { inner })
                    }
                    [] => Err(self.err(path, UNIT)),
                    _ => {
                        Err(self
                            .err(path, format!("a value of several types ({}) has no DSPy type", types_list(types))))
                    }
                }
            }
            Some(_) => Err(self.err(path, "`type` is neither a string nor an array")),
        }
    }

    fn typed(&mut self, obj: &'a Map<String, Value>, t: &str, path: &str, name: Option<&str>) -> Result<TypeDesc> {
        match t {
            "string" => Ok(TypeDesc::Str),
            "integer" => Ok(TypeDesc::Int),
            "number" => Ok(TypeDesc::Float),
            "boolean" => Ok(TypeDesc::Bool),
            "null" => Err(self.err(path, UNIT)),
            "array" => {
                if obj.contains_key("prefixItems") || obj.get("items").is_some_and(Value::is_array) {
                    return Err(self.err(path, "tuples have no DSPy type; use a struct deriving `JsonSchema` instead"));
                }
                match obj.get("items") {
                    Some(items) => Ok(TypeDesc::List(Box::new(self.convert(items, &format!("{path}/items"), None)?))),
                    None => Err(self.err(path, format!("a list of any value has no DSPy type; {ANY_HINT}"))),
                }
            }
            "object" => self.object(obj, path, name),
            other => Err(self.err(path, format!("unknown JSON schema type `{other}`"))),
        }
    }

    fn object(&mut self, obj: &'a Map<String, Value>, path: &str, name: Option<&str>) -> Result<TypeDesc> {
        if let Some(properties) = obj.get("properties") {
            let properties = properties.as_object().ok_or_else(|| self.err(path, "`properties` is not an object"))?;
            return self.model(obj, properties, path, name);
        }
        if obj.contains_key("patternProperties") || obj.contains_key("propertyNames") {
            return Err(self.err(path, "map keys must be strings (DSPy's `dict[str, T]`)"));
        }
        match obj.get("additionalProperties") {
            Some(Value::Bool(true)) => Err(self.err(path, format!("a map of any value has no DSPy type; {ANY_HINT}"))),
            Some(values @ Value::Object(_)) => {
                Ok(TypeDesc::Dict(Box::new(self.convert(values, &format!("{path}/additionalProperties"), None)?)))
            }
            // A struct with no fields: `{"type": "object"}` (perhaps closed with
            // `additionalProperties: false`), named by its title or `$defs` key.
            _ if model_name(obj, name).is_some() => self.model(obj, &EMPTY, path, name),
            _ => Err(self.err(path, format!("an object of any shape has no DSPy type; {ANY_HINT}"))),
        }
    }

    fn model(
        &mut self,
        obj: &'a Map<String, Value>,
        properties: &'a Map<String, Value>,
        path: &str,
        name: Option<&str>,
    ) -> Result<TypeDesc> {
        let Some(model_name) = model_name(obj, name) else {
            return Err(self.err(path, "an object schema with properties but no title cannot be named"));
        };
        let required: Vec<&str> =
            obj.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        let mut fields = Vec::with_capacity(properties.len());
        for (key, property) in properties {
            let ty = self.convert(property, &format!("{path}/properties/{key}"), None)?;
            fields.push(ModelField {
                name: key.clone(),
                ty,
                required: required.contains(&key.as_str()),
                description: description(property),
            });
        }
        Ok(TypeDesc::Model(Arc::new(ModelDesc {
            name: model_name,
            description: obj.get("description").and_then(Value::as_str).map(str::to_string),
            fields,
        })))
    }

    fn resolve(&mut self, reference: &str, path: &str) -> Result<TypeDesc> {
        if let Some(done) = self.resolved.get(reference) {
            return Ok(done.clone());
        }
        let (target, name) = if reference == "#" {
            (Some(self.root), None)
        } else if let Some(pointer) = reference.strip_prefix('#') {
            let name = pointer.rsplit('/').next().map(|n| n.replace("~1", "/").replace("~0", "~"));
            (self.root.pointer(pointer), name)
        } else {
            return Err(self.err(path, format!("`$ref` to `{reference}` is outside this schema")));
        };
        let Some(target) = target else {
            return Err(self.err(path, format!("`$ref` to `{reference}` does not resolve")));
        };
        if self.resolving.iter().any(|r| r == reference) {
            let shown = name.as_deref().unwrap_or(self.ty);
            return Err(self.err(path, format!("`{shown}` is recursive; DSPy types cannot contain themselves")));
        }
        self.resolving.push(reference.to_string());
        let ty = self.convert(target, reference.trim_start_matches('#'), name.as_deref());
        self.resolving.pop();
        let ty = ty?;
        self.resolved.insert(reference.to_string(), ty.clone());
        Ok(ty)
    }

    /// `anyOf` / `oneOf`: `[T, null]` is an optional; members that are all constants form a
    /// `Literal` (unit-variant enums with documented variants); anything else is rejected.
    fn union(&mut self, members: &'a [Value], path: &str) -> Result<TypeDesc> {
        let is_null = |m: &Value| m.get("type").and_then(Value::as_str) == Some("null") && m.get("enum").is_none();
        let nullable = members.iter().any(is_null);
        let rest: Vec<(usize, &'a Value)> = members.iter().enumerate().filter(|(_, m)| !is_null(m)).collect();
        let inner = match rest.as_slice() {
            [] => return Err(self.err(path, UNIT)),
            [(i, single)] => self.convert(single, &format!("{path}/{i}"), None)?,
            _ => {
                let mut literal = Vec::new();
                for (i, member) in &rest {
                    match self.convert(member, &format!("{path}/{i}"), None) {
                        Ok(TypeDesc::Literal(values)) => literal.extend(values),
                        Ok(TypeDesc::Optional(inner)) if matches!(*inner, TypeDesc::Literal(_)) => {
                            return Err(self.err(path, "a union of nullable choices is not supported"));
                        }
                        _ => {
                            return Err(self.err(
                                path,
                                "a union of several types (an untagged or data-carrying enum) has no DSPy type; \
                                 use a unit-variant enum (a `Literal`) or a struct",
                            ));
                        }
                    }
                }
                TypeDesc::Literal(literal)
            }
        };
        Ok(if nullable { optional(inner) } else { inner })
    }

    fn enumeration(&self, values: &Value, path: &str) -> Result<TypeDesc> {
        let values = values.as_array().ok_or_else(|| self.err(path, "`enum` is not an array"))?;
        let mut members = Vec::with_capacity(values.len());
        let mut nullable = false;
        for (i, value) in values.iter().enumerate() {
            if value.is_null() {
                nullable = true;
            } else {
                members.push(self.literal(value, &format!("{path}/{i}"))?);
            }
        }
        if members.is_empty() {
            return Err(self.err(path, UNIT));
        }
        let literal = TypeDesc::Literal(members);
        Ok(if nullable { optional(literal) } else { literal })
    }

    fn literal(&self, value: &Value, path: &str) -> Result<LiteralValue> {
        match value {
            Value::String(s) => Ok(LiteralValue::Str(s.clone())),
            Value::Number(n) => n
                .as_i64()
                .map(LiteralValue::Int)
                .ok_or_else(|| self.err(path, format!("`Literal` members must be strings or integers, found `{n}`"))),
            other => Err(self.err(path, format!("`Literal` members must be strings or integers, found `{other}`"))),
        }
    }
}

const ANY_VALUE: &str = "a value of any JSON type (like `serde_json::Value`) has no DSPy type; use a concrete type";
const ANY_HINT: &str = "use a concrete element type";
const UNIT: &str = "a unit type (`null`) has no DSPy type";

static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

fn model_name(obj: &Map<String, Value>, name: Option<&str>) -> Option<String> {
    obj.get("title").and_then(Value::as_str).or(name).map(str::to_string)
}

fn description(schema: &Value) -> Option<String> {
    schema.get("description").and_then(Value::as_str).map(str::to_string)
}

fn optional(inner: TypeDesc) -> TypeDesc {
    if inner.is_optional() { inner } else { TypeDesc::Optional(Box::new(inner)) }
}

fn types_list(types: &[Value]) -> String {
    types.iter().map(|t| format!("`{}`", t.as_str().unwrap_or("?"))).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap, HashSet};

    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    use super::*;

    fn name_of<T: schemars::JsonSchema + ?Sized>() -> String {
        TypeDesc::of::<T>().unwrap().python_name()
    }

    fn reason_of<T: schemars::JsonSchema + ?Sized>() -> String {
        match TypeDesc::of::<T>() {
            Err(Error::UnsupportedType { ty, reason }) => {
                assert_eq!(ty, std::any::type_name::<T>());
                reason
            }
            other => panic!("expected UnsupportedType for {}, got {other:?}", std::any::type_name::<T>()),
        }
    }

    /// A step of a plan.
    #[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
    struct Step {
        /// what to do
        action: String,
        minutes: Option<u32>,
        #[serde(rename = "kind")]
        category: Category,
    }

    #[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
    #[serde(rename_all = "snake_case")]
    enum Category {
        DeepWork,
        #[serde(rename = "meeting")]
        Call,
    }

    #[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
    struct Plan {
        steps: Vec<Step>,
        first: Step,
        backup: Option<Step>,
    }

    #[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
    enum Documented {
        /// the first one
        First,
        Second,
    }

    #[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
    enum WithData {
        Plain,
        Data(i32),
    }

    #[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
    #[serde(untagged)]
    enum Untagged {
        Text(String),
        Number(i64),
    }

    #[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
    struct Tree {
        children: Vec<Tree>,
    }

    #[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
    struct Holder {
        tree: Tree,
    }

    #[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
    struct Empty {}

    #[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
    struct Unit;

    #[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
    struct Wrapper(String);

    #[test]
    fn scalars() {
        assert_eq!(TypeDesc::of::<String>().unwrap(), TypeDesc::Str);
        assert_eq!(TypeDesc::of::<str>().unwrap(), TypeDesc::Str);
        assert_eq!(TypeDesc::of::<char>().unwrap(), TypeDesc::Str);
        assert_eq!(TypeDesc::of::<std::path::PathBuf>().unwrap(), TypeDesc::Str);
        assert_eq!(TypeDesc::of::<Wrapper>().unwrap(), TypeDesc::Str, "newtypes are transparent");
        assert_eq!(TypeDesc::of::<bool>().unwrap(), TypeDesc::Bool);
        for ty in [
            TypeDesc::of::<u8>().unwrap(),
            TypeDesc::of::<u16>().unwrap(),
            TypeDesc::of::<u32>().unwrap(),
            TypeDesc::of::<u64>().unwrap(),
            TypeDesc::of::<u128>().unwrap(),
            TypeDesc::of::<usize>().unwrap(),
            TypeDesc::of::<i8>().unwrap(),
            TypeDesc::of::<i16>().unwrap(),
            TypeDesc::of::<i32>().unwrap(),
            TypeDesc::of::<i64>().unwrap(),
            TypeDesc::of::<i128>().unwrap(),
            TypeDesc::of::<isize>().unwrap(),
        ] {
            assert_eq!(ty, TypeDesc::Int);
        }
        assert_eq!(TypeDesc::of::<f32>().unwrap(), TypeDesc::Float);
        assert_eq!(TypeDesc::of::<f64>().unwrap(), TypeDesc::Float);
    }

    #[test]
    fn containers() {
        assert_eq!(name_of::<Vec<String>>(), "list[str]");
        assert_eq!(name_of::<HashSet<i32>>(), "list[int]");
        assert_eq!(name_of::<[u8; 3]>(), "list[int]");
        assert_eq!(name_of::<Vec<Vec<bool>>>(), "list[list[bool]]");
        assert_eq!(name_of::<HashMap<String, i32>>(), "dict[str, int]");
        assert_eq!(name_of::<BTreeMap<String, Vec<f64>>>(), "dict[str, list[float]]");
        assert_eq!(name_of::<Box<Vec<String>>>(), "list[str]");
    }

    #[test]
    fn optionals() {
        assert_eq!(name_of::<Option<i64>>(), "Union[int, NoneType]");
        assert_eq!(name_of::<Option<Option<i64>>>(), "Union[int, NoneType]");
        assert_eq!(name_of::<Option<Vec<String>>>(), "Union[list[str], NoneType]");
        assert_eq!(name_of::<Vec<Option<String>>>(), "list[Union[str, NoneType]]");
        assert_eq!(name_of::<Option<HashMap<String, bool>>>(), "Union[dict[str, bool], NoneType]");
        assert_eq!(name_of::<Option<Category>>(), "Union[Literal['deep_work', 'meeting'], NoneType]");
        assert_eq!(name_of::<Option<Step>>(), "Union[Step, NoneType]");
    }

    #[test]
    fn unit_enums_are_literals_with_serde_names() {
        assert_eq!(name_of::<Category>(), "Literal['deep_work', 'meeting']");
        assert_eq!(name_of::<Vec<Category>>(), "list[Literal['deep_work', 'meeting']]");
        // schemars lists undocumented variants before documented ones.
        assert_eq!(name_of::<Documented>(), "Literal['Second', 'First']");
    }

    #[test]
    fn structs_are_models() {
        let TypeDesc::Model(step) = TypeDesc::of::<Step>().unwrap() else { panic!("not a model") };
        assert_eq!(step.name, "Step");
        assert_eq!(step.description.as_deref(), Some("A step of a plan."));
        let fields: Vec<(&str, String, bool, Option<&str>)> = step
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.ty.python_name(), f.required, f.description.as_deref()))
            .collect();
        assert_eq!(
            fields,
            [
                ("action", "str".to_string(), true, Some("what to do")),
                ("minutes", "Union[int, NoneType]".to_string(), false, None),
                ("kind", "Literal['deep_work', 'meeting']".to_string(), true, None),
            ]
        );
    }

    #[test]
    fn nested_models_resolve_refs_and_share_one_desc() {
        let TypeDesc::Model(plan) = TypeDesc::of::<Plan>().unwrap() else { panic!("not a model") };
        assert_eq!(plan.name, "Plan");
        let types: Vec<String> = plan.fields.iter().map(|f| f.ty.python_name()).collect();
        assert_eq!(types, ["list[Step]", "Step", "Union[Step, NoneType]"]);
        assert_eq!(plan.fields.iter().map(|f| f.required).collect::<Vec<_>>(), [true, true, false]);
        let TypeDesc::List(inner) = &plan.fields[0].ty else { panic!("not a list") };
        let TypeDesc::Model(step) = inner.as_ref() else { panic!("not a model") };
        assert_eq!(step.name, "Step");
        assert_eq!(step.fields.len(), 3);
        assert_eq!(step.fields[2].ty.python_name(), "Literal['deep_work', 'meeting']");
        let TypeDesc::Model(first) = &plan.fields[1].ty else { panic!("not a model") };
        assert!(Arc::ptr_eq(step, first), "one `$ref` gives one shared ModelDesc");
        let models = TypeDesc::of::<Plan>().unwrap().models();
        assert_eq!(models.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["Step", "Plan"]);
        assert_eq!(name_of::<Vec<Plan>>(), "list[Plan]");
    }

    #[test]
    fn empty_struct_is_a_model_without_fields() {
        let TypeDesc::Model(empty) = TypeDesc::of::<Empty>().unwrap() else { panic!("not a model") };
        assert_eq!((empty.name.as_str(), empty.fields.len()), ("Empty", 0));
        assert_eq!(name_of::<Vec<Empty>>(), "list[Empty]");
    }

    #[test]
    fn unsupported_rust_types_are_typed_errors() {
        assert!(reason_of::<(i32, String)>().contains("tuples"));
        assert!(reason_of::<Vec<(i32, i32)>>().contains("at `/items`: tuples"));
        assert!(reason_of::<Untagged>().contains("untagged or data-carrying enum"));
        assert!(reason_of::<WithData>().contains("untagged or data-carrying enum"));
        assert!(reason_of::<HashMap<i32, String>>().contains("map keys must be strings"));
        assert!(reason_of::<serde_json::Value>().contains("any JSON type"));
        assert!(reason_of::<serde_json::Map<String, serde_json::Value>>().contains("map of any value"));
        assert!(reason_of::<()>().contains("unit type"));
        assert!(reason_of::<Unit>().contains("unit type"));
        assert!(reason_of::<Tree>().contains("recursive"));
        let holder = reason_of::<Holder>();
        assert!(holder.contains("`Tree` is recursive"), "{holder}");
    }

    #[test]
    fn signature_field_errors_name_struct_and_field() {
        let err = __signature_field::<(u8, u8)>("QA", "pair", "pair", "", None).unwrap_err();
        assert!(matches!(&err, Error::UnsupportedType { ty, .. } if ty == "(u8, u8)"), "{err:?}");
        assert_eq!(
            err.to_string(),
            "unsupported type `(u8, u8)`: field `pair` of signature `QA`: tuples have no DSPy type; \
             use a struct deriving `JsonSchema` instead"
        );
        let err = __signature_field::<serde_json::Value>("QA", "data", "data", "", None).unwrap_err();
        assert!(err.to_string().contains("field `data` of signature `QA`: a value of any JSON type"), "{err}");
    }

    #[test]
    fn descriptors_are_cached_on_success_only() {
        static CELL: OnceLock<SignatureDesc> = OnceLock::new();
        let calls = std::cell::Cell::new(0);
        let fail = || {
            calls.set(calls.get() + 1);
            Ok(SignatureDesc::new("S").with_input(__signature_field::<()>("S", "a", "a", "", None)?))
        };
        assert!(matches!(__descriptor(&CELL, fail), Err(Error::UnsupportedType { .. })));
        assert!(matches!(__descriptor(&CELL, fail), Err(Error::UnsupportedType { .. })));
        assert_eq!(calls.get(), 2, "a failure is not cached");
        let first = __descriptor(&CELL, || Ok(SignatureDesc::new("S"))).unwrap();
        let again = __descriptor(&CELL, || panic!("built twice")).unwrap();
        assert!(std::ptr::eq(first, again));
    }

    #[test]
    fn signature_field_builds_the_field() {
        let f = __signature_field::<Vec<String>>("QA", "r#type", "type", "the kinds", Some("Kinds:")).unwrap();
        assert_eq!(
            f,
            FieldDesc::new("type", TypeDesc::List(Box::new(TypeDesc::Str)))
                .with_desc("the kinds")
                .with_prefix("Kinds:")
        );
        assert_eq!(__signature_field::<bool>("QA", "ok", "ok", "", None).unwrap().prefix, None);
    }

    fn from_schema(schema: Value) -> Result<String> {
        TypeDesc::from_json_schema(&schema).map(|t| t.python_name())
    }

    #[test]
    fn hand_written_schemas() {
        let check =
            |schema: Value, expected: &str| assert_eq!(from_schema(schema.clone()).unwrap(), expected, "{schema}");
        check(json!({"type": "string"}), "str");
        check(json!({"type": ["number", "null"]}), "Union[float, NoneType]");
        check(json!({"type": ["string", "null"], "enum": ["a", "b", null]}), "Union[Literal['a', 'b'], NoneType]");
        check(json!({"enum": [1, 2, 3]}), "Literal[1, 2, 3]");
        check(json!({"const": "only"}), "Literal['only']");
        check(json!({"oneOf": [{"const": "x"}, {"const": 2}]}), "Literal['x', 2]");
        check(json!({"anyOf": [{"type": "null"}, {"type": "integer"}]}), "Union[int, NoneType]");
        check(json!({"allOf": [{"type": "boolean"}]}), "bool");
        check(
            json!({"type": "array", "items": {"$ref": "#/definitions/Item"}, "definitions": {"Item": {"type": "object", "properties": {"x": {"type": "integer"}}}}}),
            "list[Item]",
        );
        check(
            json!({"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}),
            "dict[str, list[str]]",
        );
        check(json!({"title": "Titled", "type": "object", "properties": {}}), "Titled");
    }

    #[test]
    fn hand_written_schemas_rejected() {
        for (schema, needle) in [
            (json!(true), "any JSON type"),
            (json!(false), "accepts no value"),
            (json!({}), "any JSON type"),
            (json!({"type": ["string", "integer"]}), "several types (`string`, `integer`)"),
            (json!({"type": "array"}), "list of any value"),
            (json!({"type": "array", "items": [{"type": "string"}]}), "tuples"),
            (json!({"type": "object"}), "object of any shape"),
            (json!({"type": "object", "properties": {"a": {"type": "string"}}}), "no title"),
            (json!({"enum": [1.5]}), "strings or integers, found `1.5`"),
            (json!({"enum": [true]}), "strings or integers, found `true`"),
            (json!({"$ref": "#/$defs/Missing"}), "does not resolve"),
            (json!({"$ref": "https://example.com/s.json"}), "outside this schema"),
            (json!({"allOf": [{"type": "string"}, {"minLength": 1}]}), "allOf"),
            (json!({"type": "tuple"}), "unknown JSON schema type `tuple`"),
            (json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}), "untagged"),
        ] {
            let err = from_schema(schema.clone()).unwrap_err().to_string();
            assert!(err.contains(needle), "{schema}: {err}");
        }
    }

    #[test]
    fn field_type_covers_the_supported_types() {
        fn assert_field_type<T: FieldType>() {}
        assert_field_type::<String>();
        assert_field_type::<Vec<Option<HashMap<String, Step>>>>();
        assert_field_type::<Category>();
    }
}
