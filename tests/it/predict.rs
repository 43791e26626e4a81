//! `Predictor` / `Predict` / `ChainOfThought` against scripted LMs: formatting, parsing,
//! the Chat → JSON fallback, `n > 1`, settings, traces, batch order and `Send` futures.

use std::sync::Arc;
use std::time::Duration;

use cognate::core::{
    Error, LanguageModel, LmError, LmRequest, LmResponse, ParseErrorKind, ResponseFormat, SharedLm, SignatureDesc,
    Values,
};
use cognate::{CallConfig, Module, Predictor, Settings};
use cognate_testing::MockLm;
use serde_json::json;

fn sig(text: &str) -> SignatureDesc {
    SignatureDesc::parse(text).unwrap().with_instructions("Answer the question.")
}

fn values(v: serde_json::Value) -> Values {
    v.as_object().unwrap().clone()
}

fn with_lm(lm: &MockLm) -> Settings {
    Settings::default().with_lm(Arc::new(lm.clone()))
}

#[tokio::test]
async fn predictor_sends_the_adapter_prompt_and_parses_the_reply() {
    let lm = MockLm::new(["[[ ## answer ## ]]\n4\n\n[[ ## completed ## ]]"]);
    let p = Predictor::new(sig("question -> answer: int"));
    let inputs = values(json!({"question": "What is 2 + 2?"}));
    let expected_messages = p.format(&inputs);
    let out = with_lm(&lm).scope(p.call(inputs, None)).await.unwrap();
    assert_eq!(out.data, values(json!({"answer": 4})));
    let req = lm.last_request().unwrap();
    assert_eq!(req.messages, expected_messages);
    assert_eq!(req.response_format, None, "ChatAdapter sends no response_format");
    assert!(req.messages[0].content.contains("1. `answer` (int)"));
}

#[tokio::test]
async fn no_lm_configured_is_a_typed_error() {
    let p = Predictor::new(sig("question -> answer"));
    let err = Settings::default().scope(p.call(values(json!({"question": "q"})), None)).await.unwrap_err();
    assert!(matches!(err, Error::Lm(LmError::NotConfigured)), "{err:?}");
}

#[tokio::test]
async fn chat_parse_failure_falls_back_to_json_adapter() {
    let lm = MockLm::new(["I think the answer is four.", "{\"answer\": 4}"]);
    let p = Predictor::new(sig("question -> answer: int"));
    let out = with_lm(&lm).scope(p.call(values(json!({"question": "2+2?"})), None)).await.unwrap();
    assert_eq!(out.data["answer"], json!(4));
    let reqs = lm.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].response_format, None);
    // MockLm does not claim structured-output support, so JSONAdapter asks for json_object.
    assert_eq!(reqs[1].response_format, Some(ResponseFormat::JsonObject));
    assert!(reqs[1].messages[0].content.contains("Outputs will be a JSON object"));
}

#[tokio::test]
async fn json_adapter_failure_is_a_parse_error_with_the_raw_reply() {
    let lm = MockLm::new(["no json here"]);
    let mut p = Predictor::new(sig("question -> answer: int"));
    p.adapter = Some(Arc::new(cognate::adapters::JsonAdapter));
    let err = with_lm(&lm).scope(p.call(values(json!({"question": "q"})), None)).await.unwrap_err();
    let Error::Parse(parse) = err else { panic!("expected a parse error, got {err:?}") };
    assert_eq!(parse.kind, ParseErrorKind::NotAJsonObject);
    assert_eq!(parse.raw, "no json here");
    assert_eq!(parse.expected, ["answer"]);
    assert_eq!(lm.call_count(), 1, "JSONAdapter has no fallback");
}

#[tokio::test]
async fn structured_outputs_are_requested_when_the_lm_supports_them() {
    let lm = MockLm::new(["{\"answer\": 4}"]).with_json_schema_support(true);
    let mut p = Predictor::new(sig("question -> answer: int"));
    p.adapter = Some(Arc::new(cognate::adapters::JsonAdapter));
    with_lm(&lm).scope(p.call(values(json!({"question": "q"})), None)).await.unwrap();
    assert!(matches!(lm.last_request().unwrap().response_format, Some(ResponseFormat::JsonSchema { .. })));
}

#[tokio::test]
async fn n_completions_are_all_parsed_and_raise_the_temperature() {
    let lm = MockLm::new((1..=3).map(|i| format!("[[ ## answer ## ]]\n{i}")));
    let p = Predictor::new(sig("question -> answer: int"));
    let out = with_lm(&lm)
        .scope(p.call(values(json!({"question": "q"})), Some(&CallConfig::default().with_n(3))))
        .await
        .unwrap();
    assert_eq!(out.completions.len(), 3);
    assert_eq!(out.completions[2]["answer"], json!(3));
    assert_eq!(out.data["answer"], json!(1));
    let req = lm.last_request().unwrap();
    assert_eq!((req.n, req.temperature), (Some(3), Some(0.7)));
}

#[tokio::test]
async fn per_call_options_override_the_predictor_config() {
    let lm = MockLm::new(["[[ ## answer ## ]]\nx", "[[ ## answer ## ]]\ny"]);
    let mut p = Predictor::new(sig("question -> answer"));
    p.config = CallConfig::default().with_temperature(0.2).with_max_tokens(100);
    let settings = with_lm(&lm);
    settings.clone().scope(p.call(values(json!({"question": "q"})), None)).await.unwrap();
    let first = lm.last_request().unwrap();
    assert_eq!((first.temperature, first.max_tokens), (Some(0.2), Some(100)));
    settings
        .scope(
            p.call(values(json!({"question": "q"})), Some(&CallConfig::default().with_temperature(0.0).with_seed(7))),
        )
        .await
        .unwrap();
    let second = lm.last_request().unwrap();
    assert_eq!((second.temperature, second.max_tokens, second.seed), (Some(0.0), Some(100), Some(7)));
}

#[tokio::test]
async fn the_predictors_own_lm_wins_over_settings() {
    let own = MockLm::new(["[[ ## answer ## ]]\nown"]);
    let scoped = MockLm::new(Vec::<String>::new());
    let mut p = Predictor::new(sig("question -> answer"));
    p.lm = Some(Arc::new(own.clone()));
    let out = with_lm(&scoped).scope(p.call(values(json!({"question": "q"})), None)).await.unwrap();
    assert_eq!(out.data["answer"], json!("own"));
    assert_eq!((own.call_count(), scoped.call_count()), (1, 0));
}

#[tokio::test]
async fn traced_records_each_predictor_call() {
    let lm = MockLm::new(["[[ ## answer ## ]]\na", "[[ ## answer ## ]]\nb"]);
    let mut p = Predictor::new(sig("question -> answer"));
    p.name = Some("qa.predict".into());
    let (result, trace) = with_lm(&lm)
        .scope(cognate::traced(async {
            p.call(values(json!({"question": "1"})), None).await?;
            p.call(values(json!({"question": "2"})), None).await
        }))
        .await;
    result.unwrap();
    assert_eq!(trace.len(), 2);
    assert_eq!(trace[0].predictor, "qa.predict");
    assert_eq!(trace[1].inputs, values(json!({"question": "2"})));
    assert_eq!(trace[1].outputs, values(json!({"answer": "b"})));
}

#[tokio::test]
async fn demos_are_rendered_as_conversation_turns() {
    let lm = MockLm::new(["[[ ## answer ## ]]\n6"]);
    let mut p = Predictor::new(sig("question -> answer: int"));
    p.demos = vec![cognate::core::Example::new(values(json!({"question": "1+1?", "answer": 2})))];
    with_lm(&lm).scope(p.call(values(json!({"question": "3+3?"})), None)).await.unwrap();
    let msgs = lm.last_request().unwrap().messages;
    assert_eq!(msgs.len(), 4);
    assert_eq!(msgs[1].content, "[[ ## question ## ]]\n1+1?");
    assert_eq!(msgs[2].content, "[[ ## answer ## ]]\n2\n\n[[ ## completed ## ]]\n");
}

/// An LM whose latency depends on the question, so completions finish out of order.
struct Jittery;

impl LanguageModel for Jittery {
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        let q: u64 = request.messages.last().unwrap().content.split('\n').nth(1).unwrap().parse().unwrap();
        tokio::time::sleep(Duration::from_millis((q * 7919) % 13)).await;
        Ok(LmResponse {
            choices: vec![cognate::core::Choice {
                text: format!("[[ ## answer ## ]]\n{}", q * 2),
                finish_reason: None,
            }],
            usage: Default::default(),
            model: "jittery".into(),
            cache_hit: false,
        })
    }
    fn model_name(&self) -> &str {
        "jittery"
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_keeps_input_order_under_concurrency() {
    let p = Predictor::new(sig("question -> answer: int"));
    let lm: SharedLm = Arc::new(Jittery);
    let inputs: Vec<Values> = (0..64).map(|i| values(json!({"question": i.to_string()}))).collect();
    let out = Settings::default().with_lm(lm).scope(p.batch(inputs, 16)).await;
    let answers: Vec<i64> = out.into_iter().map(|r| r.unwrap().data["answer"].as_i64().unwrap()).collect();
    assert_eq!(answers, (0..64).map(|i| i * 2).collect::<Vec<_>>());
}

fn assert_send<T: Send>(_: &T) {}

#[test]
fn public_futures_are_send() {
    let p = Predictor::new(sig("question -> answer"));
    assert_send(&p.call(Values::new(), None));
    assert_send(&p.forward(Values::new()));
    assert_send(&p.batch(vec![], 4));
    assert_send(&cognate::traced(async {}));
    let lm = MockLm::new(Vec::<String>::new());
    assert_send(&lm.complete(LmRequest::default()));
}

#[cognate::signature]
struct NoInstructions {
    #[input]
    question: String,
    #[output]
    answer: String,
}

#[test]
fn chain_of_thought_prompt_matches_dspy() {
    let cot = cognate::ChainOfThought::<NoInstructions>::new();
    let sig = cot.predictor().signature();
    assert_eq!(sig.output_names(), ["reasoning", "answer"]);
    assert_eq!(sig.outputs[0].effective_prefix(), "Reasoning:");
    let messages = cot.prompt(&NoInstructionsInput { question: "q".into() }).unwrap();
    // DSPy 3.4.1 keeps the base signature's default sentence (it does not mention `reasoning`).
    assert!(
        messages[0]
            .content
            .ends_with("your objective is: \n        Given the fields `question`, produce the fields `answer`."),
        "{}",
        messages[0].content
    );
    assert!(messages[0].content.contains("1. `reasoning` (str): \n2. `answer` (str)"), "{}", messages[0].content);
}
