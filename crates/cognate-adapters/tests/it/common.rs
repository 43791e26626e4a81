//! Loads the DSPy 3.4.1 reference vectors (tests/data/dspy-3.4.1/vectors.json).

use std::sync::Arc;

use cognate_core::{FieldDesc, ModelDesc, ModelField, SignatureDesc, TypeDesc, Values};
use serde_json::Value;

pub(crate) fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/dspy-3.4.1/vectors.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("read vectors.json")).expect("parse vectors.json")
}

/// Loads Cognate's extra format vectors (tests/data/cognate-extra/format_edge_cases.json),
/// made by DSPy 3.4.1 with the same case layout as `vectors()`.
pub(crate) fn edge_case_vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cognate-extra/format_edge_cases.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("read format_edge_cases.json"))
        .expect("parse format_edge_cases.json")
}

/// Rebuilds a case's signature from its JSON, as the reference README describes. Models and
/// model fields may also carry an optional `"description"` (the edge-case vectors use it).
pub(crate) fn signature(case: &Value) -> SignatureDesc {
    let sig = &case["signature"];
    let mut models: Vec<Arc<ModelDesc>> = Vec::new();
    for m in sig["models"].as_array().unwrap() {
        let fields = m["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| ModelField {
                name: f["name"].as_str().unwrap().to_string(),
                ty: TypeDesc::parse(f["type"].as_str().unwrap(), &models).unwrap(),
                required: f.get("default").is_none(),
                description: f.get("description").and_then(Value::as_str).map(String::from),
            })
            .collect();
        let description = m.get("description").and_then(Value::as_str).map(String::from);
        models.push(Arc::new(ModelDesc { name: m["name"].as_str().unwrap().to_string(), description, fields }));
    }
    let fields = |key: &str| -> Vec<FieldDesc> {
        sig[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                FieldDesc::new(
                    f["name"].as_str().unwrap(),
                    TypeDesc::parse(f["type"].as_str().unwrap(), &models).unwrap(),
                )
                .with_desc(f["desc"].as_str().unwrap())
            })
            .collect()
    };
    SignatureDesc {
        name: "StringSignature".into(),
        instructions: sig["instructions"].as_str().unwrap().to_string(),
        inputs: fields("inputs"),
        outputs: fields("outputs"),
    }
}

pub(crate) fn values(v: &Value) -> Values {
    v.as_object().cloned().unwrap_or_default()
}

pub(crate) fn adapter(case: &Value) -> &'static dyn cognate_adapters::Adapter {
    match case["adapter"].as_str().unwrap() {
        "ChatAdapter" => &cognate_adapters::ChatAdapter,
        "JSONAdapter" => &cognate_adapters::JsonAdapter,
        "XMLAdapter" => &cognate_adapters::XmlAdapter,
        other => panic!("unknown adapter {other}"),
    }
}
