//! Deterministic values of a field's type: a tiny parser for DSPy's type spellings, a seeded
//! generator, and generation from a JSON schema or an XML skeleton.

use cognate_core::rng::{RandomSource, SeededRng};
use serde_json::{Map, Number, Value};

/// A field type as DSPy spells it in prompts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty {
    Str,
    Int,
    Float,
    Bool,
    List(Box<Ty>),
    Dict(Box<Ty>),
    Literal(Vec<Value>),
    Optional(Box<Ty>),
    /// A model (or any other name), described by a JSON schema elsewhere in the prompt.
    Named(String),
}

impl Ty {
    /// Parses `str`, `int`, `list[str]`, `dict[str, int]`, `Literal['a', 2]`,
    /// `Union[T, NoneType]`, `Optional[T]` or a model name. Unknown spellings become `Named`.
    pub(crate) fn parse(text: &str) -> Ty {
        let mut p = TyParser { s: text.trim().as_bytes(), text: text.trim(), i: 0 };
        match p.ty() {
            Some(ty) if p.i == p.s.len() => ty,
            _ => Ty::Named(text.trim().to_owned()),
        }
    }

    /// Whether the type (somewhere inside) names a model, so its schema is needed.
    pub(crate) fn needs_schema(&self) -> bool {
        match self {
            Ty::Named(_) => true,
            Ty::List(t) | Ty::Dict(t) | Ty::Optional(t) => t.needs_schema(),
            _ => false,
        }
    }

    /// Whether XMLAdapter renders this type as nested XML.
    pub(crate) fn is_nested(&self) -> bool {
        match self {
            Ty::List(_) | Ty::Dict(_) | Ty::Named(_) => true,
            Ty::Optional(t) => t.is_nested(),
            _ => false,
        }
    }
}

struct TyParser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl TyParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i] == b' ' {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> &str {
        self.ws();
        let start = self.i;
        while self.i < self.s.len() && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_') {
            self.i += 1;
        }
        &self.text[start..self.i]
    }

    fn ty(&mut self) -> Option<Ty> {
        let name = self.ident().to_owned();
        let ty = match name.as_str() {
            "str" => Ty::Str,
            "int" => Ty::Int,
            "float" => Ty::Float,
            "bool" => Ty::Bool,
            "list" | "List" => {
                if !self.eat(b'[') {
                    return Some(Ty::List(Box::new(Ty::Str)));
                }
                let inner = self.ty()?;
                self.eat(b']').then_some(())?;
                Ty::List(Box::new(inner))
            }
            "dict" | "Dict" => {
                if !self.eat(b'[') {
                    return Some(Ty::Dict(Box::new(Ty::Str)));
                }
                self.ty()?;
                self.eat(b',').then_some(())?;
                let value = self.ty()?;
                self.eat(b']').then_some(())?;
                Ty::Dict(Box::new(value))
            }
            "Optional" => {
                self.eat(b'[').then_some(())?;
                let inner = self.ty()?;
                self.eat(b']').then_some(())?;
                Ty::Optional(Box::new(inner))
            }
            "Union" => {
                self.eat(b'[').then_some(())?;
                let mut members = Vec::new();
                loop {
                    members.push(self.ty()?);
                    if !self.eat(b',') {
                        break;
                    }
                }
                self.eat(b']').then_some(())?;
                let nullable = members.iter().any(|m| matches!(m, Ty::Named(n) if n == "NoneType"));
                let first = members.into_iter().find(|m| !matches!(m, Ty::Named(n) if n == "NoneType"))?;
                if nullable { Ty::Optional(Box::new(first)) } else { first }
            }
            "Literal" => {
                self.eat(b'[').then_some(())?;
                let mut members = Vec::new();
                loop {
                    members.push(self.literal()?);
                    if !self.eat(b',') {
                        break;
                    }
                }
                self.eat(b']').then_some(())?;
                Ty::Literal(members)
            }
            "" => return None,
            _ => Ty::Named(name),
        };
        Some(ty)
    }

    /// A Python literal: `'a'`, `"it's"`, `3`, `-1`, `True`, `False`.
    fn literal(&mut self) -> Option<Value> {
        self.ws();
        let quote = *self.s.get(self.i)?;
        if quote == b'\'' || quote == b'"' {
            self.i += 1;
            let mut out = String::new();
            let start = self.i;
            let mut seg = start;
            while self.i < self.s.len() && self.s[self.i] != quote {
                if self.s[self.i] == b'\\' && self.i + 1 < self.s.len() {
                    out.push_str(&self.text[seg..self.i]);
                    self.i += 1;
                    seg = self.i;
                }
                self.i += 1;
            }
            out.push_str(&self.text[seg..self.i]);
            self.i += 1; // closing quote
            return Some(Value::String(out));
        }
        let start = self.i;
        while self.i < self.s.len() && !matches!(self.s[self.i], b',' | b']' | b' ') {
            self.i += 1;
        }
        let word = &self.text[start..self.i];
        match word {
            "True" => Some(Value::Bool(true)),
            "False" => Some(Value::Bool(false)),
            "None" => Some(Value::Null),
            _ => word.parse::<i64>().ok().map(Value::from).or_else(|| Some(Value::String(word.to_owned()))),
        }
    }
}

const WORDS: [&str; 32] = [
    "amber", "birch", "cobalt", "delta", "ember", "fjord", "granite", "harbor", "indigo", "juniper", "kestrel",
    "lantern", "meadow", "nimbus", "orchid", "pepper", "quartz", "river", "saffron", "timber", "umber", "violet",
    "willow", "xenon", "yarrow", "zephyr", "atlas", "beacon", "cinder", "dune", "echo", "falcon",
];

fn words(rng: &mut SeededRng, n: usize) -> String {
    let mut s = String::with_capacity(n * 8);
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
    }
    s
}

fn float(rng: &mut SeededRng) -> Value {
    let v = rng.below(10_000) as f64 / 100.0;
    Number::from_f64(v).map_or(Value::Null, Value::Number)
}

/// Context for generating named types: the JSON schema of the field, if the prompt has one.
pub(crate) struct Gen<'a> {
    pub(crate) rng: SeededRng,
    pub(crate) schema: Option<&'a Value>,
}

impl Gen<'_> {
    /// A value of `ty`.
    pub(crate) fn value(&mut self, ty: &Ty) -> Value {
        match ty {
            Ty::Str => Value::String(words(&mut self.rng, 3)),
            Ty::Int => Value::from(self.rng.below(100)),
            Ty::Float => float(&mut self.rng),
            Ty::Bool => Value::Bool(self.rng.below(2) == 1),
            Ty::List(item) => {
                let n = 1 + self.rng.below(3);
                Value::Array((0..n).map(|_| self.value(item)).collect())
            }
            Ty::Dict(value) => {
                let n = 1 + self.rng.below(2);
                let mut map = Map::new();
                for _ in 0..n {
                    let key = words(&mut self.rng, 1);
                    let v = self.value(value);
                    map.insert(key, v);
                }
                Value::Object(map)
            }
            Ty::Literal(members) => members[self.rng.below(members.len() as u64) as usize].clone(),
            Ty::Optional(inner) => self.value(inner),
            // Without a schema (XMLAdapter prompts carry none), a string is the best guess.
            Ty::Named(_) => Value::String(words(&mut self.rng, 2)),
        }
    }

    /// A value for a field of type `ty`: from the field's JSON schema when the type names a
    /// model and the prompt carries the schema, else from the type itself.
    pub(crate) fn field(&mut self, ty: &Ty) -> Value {
        match self.schema {
            Some(schema) if ty.needs_schema() => self.schema_value(schema, schema, 0),
            _ => self.value(ty),
        }
    }

    /// A value following `schema`; `root` holds `$defs`.
    pub(crate) fn schema_value(&mut self, schema: &Value, root: &Value, depth: u32) -> Value {
        if depth > 8 {
            return Value::Null;
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference.rsplit('/').next().unwrap_or_default();
            return match root.get("$defs").and_then(|d| d.get(name)) {
                Some(target) => self.schema_value(target, root, depth + 1),
                None => Value::Null,
            };
        }
        if let Some(c) = schema.get("const") {
            return c.clone();
        }
        if let Some(Value::Array(members)) = schema.get("enum") {
            if !members.is_empty() {
                return members[self.rng.below(members.len() as u64) as usize].clone();
            }
        }
        if let Some(Value::Array(branches)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
            let branch = branches.iter().find(|b| b.get("type").and_then(Value::as_str) != Some("null"));
            return branch.map_or(Value::Null, |b| self.schema_value(b, root, depth + 1));
        }
        let ty = match schema.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null"),
            _ if schema.get("properties").is_some() => "object",
            _ => "string",
        };
        match ty {
            "string" => Value::String(words(&mut self.rng, 2)),
            "integer" => Value::from(self.rng.below(100)),
            "number" => float(&mut self.rng),
            "boolean" => Value::Bool(self.rng.below(2) == 1),
            "null" => Value::Null,
            "array" => {
                let n = 1 + self.rng.below(2);
                let items = schema.get("items").cloned().unwrap_or(Value::Null);
                Value::Array((0..n).map(|_| self.schema_value(&items, root, depth + 1)).collect())
            }
            _ => {
                let mut map = Map::new();
                if let Some(Value::Object(props)) = schema.get("properties") {
                    for (name, prop) in props {
                        let v = self.schema_value(prop, root, depth + 1);
                        map.insert(name.clone(), v);
                    }
                } else if let Some(extra) = schema.get("additionalProperties").filter(|v| v.is_object()) {
                    let key = words(&mut self.rng, 1);
                    let v = self.schema_value(extra, root, depth + 1);
                    map.insert(key, v);
                }
                Value::Object(map)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parses_dspy_type_spellings() {
        let check = |text: &str, ty: Ty| assert_eq!(Ty::parse(text), ty, "{text}");
        check("str", Ty::Str);
        check("list[str]", Ty::List(Box::new(Ty::Str)));
        check("dict[str, int]", Ty::Dict(Box::new(Ty::Int)));
        check("Union[int, NoneType]", Ty::Optional(Box::new(Ty::Int)));
        check("Optional[list[Step]]", Ty::Optional(Box::new(Ty::List(Box::new(Ty::Named("Step".into()))))));
        check("Literal['a b', \"it's\", 3]", Ty::Literal(vec![json!("a b"), json!("it's"), json!(3)]));
        check("Literal['say \"hi\"', 'x\\'y']", Ty::Literal(vec![json!("say \"hi\""), json!("x'y")]));
        check("Location", Ty::Named("Location".into()));
        check("weird<type>", Ty::Named("weird<type>".into()));
        assert!(Ty::parse("list[Step]").needs_schema());
        assert!(!Ty::parse("dict[str, list[int]]").needs_schema());
        assert!(Ty::parse("Union[dict[str, int], NoneType]").is_nested());
    }

    #[test]
    fn generation_is_deterministic_and_typed() {
        let ty = Ty::parse("dict[str, list[float]]");
        let a = Gen { rng: SeededRng::new(7), schema: None }.value(&ty);
        let b = Gen { rng: SeededRng::new(7), schema: None }.value(&ty);
        let c = Gen { rng: SeededRng::new(8), schema: None }.value(&ty);
        assert_eq!(a, b);
        assert_ne!(a, c);
        for v in a.as_object().unwrap().values() {
            assert!(v.as_array().unwrap().iter().all(Value::is_f64));
        }
        let lit = Gen { rng: SeededRng::new(1), schema: None }.value(&Ty::parse("Literal['x', 'y']"));
        assert!(lit == json!("x") || lit == json!("y"));
    }

    #[test]
    fn schema_generation_follows_refs_enums_and_optionals() {
        let schema = json!({"type": "object", "properties": {
            "kind": {"type": "string", "enum": ["bug", "feature"]},
            "n": {"type": "integer"},
            "done": {"type": "string", "const": "yes"},
            "unit": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null},
            "steps": {"type": "array", "items": {"$ref": "#/$defs/Step"}}},
            "$defs": {"Step": {"type": "object", "properties": {"x": {"type": "number"}}}}});
        let v = Gen { rng: SeededRng::new(3), schema: Some(&schema) }.field(&Ty::Named("M".into()));
        let obj = v.as_object().unwrap();
        assert_eq!(obj.keys().collect::<Vec<_>>(), ["kind", "n", "done", "unit", "steps"]);
        assert!(obj["kind"] == "bug" || obj["kind"] == "feature");
        assert!(obj["n"].is_u64() && obj["done"] == "yes" && obj["unit"].is_string());
        assert!(obj["steps"].as_array().unwrap().iter().all(|s| s["x"].is_f64()));
    }
}
