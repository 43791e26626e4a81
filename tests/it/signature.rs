//! `#[signature]` end to end: the descriptor built from Rust types and doc comments, and the
//! generated input/output structs round-tripping through the dynamic maps.

use std::collections::{BTreeMap, HashMap};

use cognate::core::{Error, FieldDesc, LiteralValue, Signature, TypeDesc, Values};
use cognate::signature;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Sentiment {
    Positive,
    Negative,
    #[serde(rename = "mixed feelings")]
    Mixed,
}

/// A passage of a source document.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
struct Passage {
    /// the document's title
    title: String,
    page: Option<u32>,
}

/// Answer questions with short factoid answers.
///
///     Cite the passages you used.
#[signature]
struct QA {
    /// a trivia question
    #[input]
    question: String,
    #[input(desc = "retrieved passages", alias = "passages")]
    context: Vec<Passage>,
    #[input]
    scores: HashMap<String, i64>,
    /// often between 1 and 5 words
    #[output(prefix = "Final Answer:")]
    answer: String,
    #[output]
    sentiment: Sentiment,
    #[output]
    confidence: Option<f64>,
    #[output]
    sources: BTreeMap<String, Vec<Passage>>,
}

#[signature]
struct NoDocs {
    #[input]
    r#type: String,
    #[output]
    value: u8,
}

fn names(fields: &[FieldDesc]) -> Vec<&str> {
    fields.iter().map(|f| f.name.as_str()).collect()
}

#[test]
fn descriptor_follows_the_struct() {
    let desc = QA::descriptor();
    assert_eq!(desc.name, "QA");
    assert_eq!(desc.instructions, "Answer questions with short factoid answers.\n\n    Cite the passages you used.");
    assert_eq!(names(&desc.inputs), ["question", "passages", "scores"]);
    assert_eq!(names(&desc.outputs), ["answer", "sentiment", "confidence", "sources"]);

    let types: Vec<String> = desc.inputs.iter().chain(&desc.outputs).map(|f| f.ty.python_name()).collect();
    assert_eq!(
        types,
        [
            "str",
            "list[Passage]",
            "dict[str, int]",
            "str",
            "Literal['positive', 'negative', 'mixed feelings']",
            "Union[float, NoneType]",
            "dict[str, list[Passage]]",
        ]
    );
    let descs: Vec<&str> = desc.inputs.iter().chain(&desc.outputs).map(|f| f.desc.as_str()).collect();
    assert_eq!(descs, ["a trivia question", "retrieved passages", "", "often between 1 and 5 words", "", "", ""]);
    assert_eq!(desc.outputs[0].prefix.as_deref(), Some("Final Answer:"));
    assert_eq!(desc.outputs[0].effective_prefix(), "Final Answer:");
    assert_eq!(desc.inputs[0].prefix, None);
    assert_eq!(desc.inputs[1].effective_prefix(), "Passages:");
    assert!(std::ptr::eq(desc, QA::descriptor()), "built once");
}

#[test]
fn models_are_described_from_their_schema() {
    let desc = QA::descriptor();
    let TypeDesc::List(item) = &desc.inputs[1].ty else { panic!("{:?}", desc.inputs[1].ty) };
    let TypeDesc::Model(passage) = item.as_ref() else { panic!("{item:?}") };
    assert_eq!(passage.name, "Passage");
    assert_eq!(passage.description.as_deref(), Some("A passage of a source document."));
    let fields: Vec<(&str, String, bool)> =
        passage.fields.iter().map(|f| (f.name.as_str(), f.ty.python_name(), f.required)).collect();
    assert_eq!(fields, [("title", "str".into(), true), ("page", "Union[int, NoneType]".into(), false)]);
    assert_eq!(passage.fields[0].description.as_deref(), Some("the document's title"));
    assert_eq!(
        desc.outputs[1].ty,
        TypeDesc::Literal(vec![
            LiteralValue::Str("positive".into()),
            LiteralValue::Str("negative".into()),
            LiteralValue::Str("mixed feelings".into()),
        ])
    );
}

#[test]
fn without_docs_the_default_instructions_apply() {
    let desc = NoDocs::descriptor();
    assert_eq!(desc.instructions, "");
    assert_eq!(desc.effective_instructions(), "Given the fields `type`, produce the fields `value`.");
    assert_eq!(desc.inputs[0].name, "type", "raw identifiers lose their `r#`");
}

#[test]
fn inputs_become_values_with_aliases_in_order() {
    let input = QAInput {
        question: "Who wrote Dune?".into(),
        context: vec![Passage { title: "Dune".into(), page: Some(1) }],
        scores: HashMap::from([("dune".to_string(), 3)]),
    };
    let values = QA::input_to_values(&input).unwrap();
    assert_eq!(values.keys().collect::<Vec<_>>(), ["question", "passages", "scores"]);
    assert_eq!(
        serde_json::Value::Object(values),
        json!({
            "question": "Who wrote Dune?",
            "passages": [{"title": "Dune", "page": 1}],
            "scores": {"dune": 3},
        })
    );
    let values = NoDocs::input_to_values(&NoDocsInput { r#type: "x".into() }).unwrap();
    assert_eq!(values.get("type"), Some(&json!("x")));
}

fn values(v: serde_json::Value) -> Values {
    match v {
        serde_json::Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

#[test]
fn outputs_parse_from_values() {
    let out = QA::output_from_values(&values(json!({
        "answer": "Frank Herbert",
        "sentiment": "mixed feelings",
        "sources": {"Dune": [{"title": "Dune"}]},
    })))
    .unwrap();
    assert_eq!(out.answer, "Frank Herbert");
    assert_eq!(out.sentiment, Sentiment::Mixed);
    assert_eq!(out.confidence, None, "a missing optional output is None");
    assert_eq!(out.sources["Dune"], [Passage { title: "Dune".into(), page: None }]);

    // And back: the typed outputs serialize to the same map shape.
    let back = cognate::core::to_values(&out, "QAOutput").unwrap();
    assert_eq!(back.keys().collect::<Vec<_>>(), ["answer", "sentiment", "confidence", "sources"]);
    assert_eq!(back["confidence"], serde_json::Value::Null);
    assert_eq!(QA::output_from_values(&back).unwrap().sentiment, Sentiment::Mixed);
}

#[test]
fn bad_outputs_are_conversion_errors() {
    for (bad, needle) in [
        (json!({"sentiment": "positive", "sources": {}}), "missing field `answer`"),
        (json!({"answer": "x", "sentiment": "angry", "sources": {}}), "unknown variant `angry`"),
        (json!({"answer": "x", "sentiment": "positive", "confidence": "high", "sources": {}}), "invalid type"),
    ] {
        match QA::output_from_values(&values(bad.clone())) {
            Err(Error::Conversion { what, source }) => {
                assert!(what.ends_with("QAOutput"), "{what}");
                assert!(source.to_string().contains(needle), "{bad}: {source}");
            }
            other => panic!("{bad}: expected a conversion error, got {other:?}"),
        }
    }
}

#[test]
fn the_struct_is_a_zero_sized_marker() {
    fn traits<T: Copy + Default + Eq + std::hash::Hash + std::fmt::Debug + Send + Sync + 'static>() {}
    traits::<QA>();
    assert_eq!(std::mem::size_of::<QA>(), 0);
    assert_eq!(QA, <QA as Default>::default());
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
#[serde(untagged)]
enum TextOrNumber {
    Text(String),
    Number(i64),
}

#[signature]
struct Unsupported {
    #[input]
    question: String,
    #[output]
    either: TextOrNumber,
}

#[test]
fn an_unsupported_schema_panics_naming_struct_and_field() {
    let panic = std::panic::catch_unwind(Unsupported::descriptor).expect_err("descriptor() should panic");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.starts_with("#[signature] struct `Unsupported`, field `either`: unsupported type"), "{message}");
    assert!(message.contains("untagged or data-carrying enum"), "{message}");
    assert!(TypeDesc::try_of::<TextOrNumber>().is_err());
}
