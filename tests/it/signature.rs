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

/// A struct deriving `JsonSchema` that holds a `serde_json::Value`: the macro cannot see it.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
struct Payload {
    data: serde_json::Value,
}

#[signature]
struct HiddenValue {
    #[input]
    question: String,
    #[output]
    payload: Payload,
}

mod bare_value {
    // `Value` under its bare name could be any type: the macro leaves it to the run-time check.
    use serde_json::Value;

    #[cognate::signature]
    pub(super) struct BareValue {
        #[input]
        pub(super) question: String,
        #[output]
        pub(super) anything: Value,
    }
}

/// A module call's error is the runtime's; the unsupported-type error inside it is core's.
fn core<T>(result: Result<T, cognate::Error>) -> Result<T, Error> {
    result.map_err(|e| match e {
        cognate::Error::Core(e) => e,
        other => panic!("expected a core error, got {other:?}"),
    })
}

fn unsupported(result: Result<impl std::fmt::Debug, Error>) -> (String, String) {
    match result {
        Err(Error::UnsupportedType { ty, reason }) => (ty, reason),
        other => panic!("expected Error::UnsupportedType, got {other:?}"),
    }
}

#[test]
fn an_unsupported_schema_is_a_typed_error_naming_struct_and_field() {
    let (ty, reason) = unsupported(Unsupported::try_descriptor());
    assert!(ty.ends_with("TextOrNumber"), "{ty}");
    assert!(reason.starts_with("field `either` of signature `Unsupported`: "), "{reason}");
    assert!(reason.contains("untagged or data-carrying enum"), "{reason}");
    // Not cached: asking again gives the same error.
    assert_eq!(unsupported(Unsupported::try_descriptor()), (ty, reason));

    let (ty, reason) = unsupported(HiddenValue::try_descriptor());
    assert!(ty.ends_with("Payload"), "{ty}");
    assert!(reason.starts_with("field `payload` of signature `HiddenValue`: "), "{reason}");
    assert!(reason.contains("any JSON type"), "{reason}");

    let (ty, reason) = unsupported(bare_value::BareValue::try_descriptor());
    assert!(ty.ends_with("Value"), "{ty}");
    assert!(reason.starts_with("field `anything` of signature `BareValue`: "), "{reason}");
    assert!(TypeDesc::of::<TextOrNumber>().is_err());
}

#[test]
fn descriptor_panics_only_where_try_descriptor_fails() {
    assert!(QA::try_descriptor().is_ok_and(|d| std::ptr::eq(d, QA::descriptor())));
    let panic = std::panic::catch_unwind(Unsupported::descriptor).expect_err("descriptor() should panic");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("field `either` of signature `Unsupported`: "), "{message}");
}

#[tokio::test]
async fn predictors_of_an_unsupported_signature_return_the_error_and_call_no_lm() {
    use cognate::{ChainOfThought, Module, Predict, Settings};

    // Made eagerly: the error comes back at construction.
    let (_, reason) = unsupported(Predict::<HiddenValue>::try_new());
    assert!(reason.starts_with("field `payload` of signature `HiddenValue`"), "{reason}");
    let (_, reason) = unsupported(ChainOfThought::<HiddenValue>::try_new());
    assert!(reason.starts_with("field `payload` of signature `HiddenValue`"), "{reason}");
    assert!(Predict::<QA>::try_new().is_ok() && ChainOfThought::<QA>::try_new().is_ok());

    // Made with `new()` (as `#[program]` structs and `Default` do): every call returns it.
    let lm = cognate_testing::MockLm::from_fn(|_| Ok("[[ ## completed ## ]]".into()));
    let settings = Settings::default().with_lm(std::sync::Arc::new(lm.clone()));
    let input = || HiddenValueInput { question: "q".into() };
    let predict = Predict::<HiddenValue>::new();
    let (ty, reason) = unsupported(core(settings.clone().scope(predict.forward(input())).await));
    assert!(ty.ends_with("Payload") && reason.contains("any JSON type"), "{ty}: {reason}");
    unsupported(predict.prompt(&input()));
    unsupported(settings.clone().scope(predict.predictor().call(Values::new(), None)).await);
    let cot = ChainOfThought::<HiddenValue>::default();
    unsupported(core(settings.clone().scope(cot.forward(input())).await));
    let output = HiddenValueOutput { payload: Payload { data: json!(1) } };
    unsupported(Predict::<HiddenValue>::demo(&input(), &output));
    assert_eq!(lm.call_count(), 0, "no LM call is made");
}
