//! The real reqwest `OpenAiClient` against the loopback `MockServer`: replies, typed
//! errors, time-outs and configuration from the environment.

use std::collections::HashMap;
use std::time::Duration;

use cognate_core::{JsonSchemaFormat, LanguageModel, LmError, LmRequest, Message, ResponseFormat};
use cognate_lm::OpenAiClient;
use cognate_testing::{Failure, MockServer, MockServerConfig};
use cognate_tests::{qa_request, sections};
use serde_json::Value;

fn client(server: &MockServer) -> OpenAiClient {
    OpenAiClient::new("mock-lm").with_base_url(server.base_url())
}

#[tokio::test]
async fn chat_marker_reply_has_typed_fields_and_is_deterministic() {
    let server = MockServer::start(MockServerConfig::default()).await.unwrap();
    let lm = client(&server);
    let first = lm.complete(qa_request("Who wrote Hamlet?")).await.unwrap();
    let text = &first.choices[0].text;
    let parsed = sections(text);
    let names: Vec<_> = parsed.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["reasoning", "answer", "confidence", "completed"], "{text}");
    assert!(!parsed[1].1.is_empty());
    assert!(parsed[2].1.parse::<f64>().is_ok(), "confidence is not a float: {text}");
    assert_eq!(first.model, "mock-lm");
    assert_eq!(first.choices[0].finish_reason, Some(cognate_core::FinishReason::Stop));

    let again = lm.complete(qa_request("Who wrote Hamlet?")).await.unwrap();
    assert_eq!(again.choices[0].text, *text);
    let other = lm.complete(qa_request("What is the capital of Peru?")).await.unwrap();
    assert_ne!(other.choices[0].text, *text);
}

#[tokio::test]
async fn json_reply_when_response_format_is_set() {
    let server = MockServer::start(MockServerConfig::default()).await.unwrap();
    let lm = client(&server);
    let mut req = qa_request("Who painted the Mona Lisa?");
    req.response_format = Some(ResponseFormat::JsonObject);
    let resp = lm.complete(req).await.unwrap();
    let value: Value = serde_json::from_str(&resp.choices[0].text).unwrap();
    let keys: Vec<_> = value.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["reasoning", "answer", "confidence"]);
    assert!(value["confidence"].is_f64() && value["answer"].is_string());

    // A schema and no DSPy prompt: the object follows the schema.
    let mut req = LmRequest::new(vec![Message::user("Give me a city.")]);
    req.response_format = Some(ResponseFormat::JsonSchema {
        json_schema: JsonSchemaFormat {
            name: "City".into(),
            schema: serde_json::json!({"type": "object", "properties": {"name": {"type": "string"}, "population": {"type": "integer"}}, "required": ["name", "population"]}),
            strict: true,
        },
    });
    let resp = lm.complete(req).await.unwrap();
    let value: Value = serde_json::from_str(&resp.choices[0].text).unwrap();
    assert!(value["name"].is_string() && value["population"].is_u64(), "{value}");
}

#[tokio::test]
async fn n_choices_and_usage() {
    let server = MockServer::start(MockServerConfig::default()).await.unwrap();
    let lm = client(&server);
    let mut req = qa_request("Name three primes.");
    req.n = Some(3);
    let resp = lm.complete(req).await.unwrap();
    assert_eq!(resp.choices.len(), 3);
    for choice in &resp.choices {
        assert_eq!(sections(&choice.text).len(), 4, "{}", choice.text);
    }
    let distinct: std::collections::HashSet<_> = resp.choices.iter().map(|c| &c.text).collect();
    assert!(distinct.len() > 1, "n choices should differ");

    let usage = resp.usage;
    assert!(usage.prompt_tokens > 100 && usage.completion_tokens > 0, "{usage:?}");
    assert_eq!(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
    assert_eq!(server.usage(), usage);
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn model_override_and_defaults_are_sent() {
    let server = MockServer::start(
        MockServerConfig::default().with_reply(|r| format!("{:?}|{:?}|{:?}", r.model, r.temperature, r.max_tokens)),
    )
    .await
    .unwrap();
    let lm = client(&server).with_temperature(0.5).with_max_tokens(64);
    let resp = lm.complete(LmRequest::new(vec![Message::user("hi")])).await.unwrap();
    assert_eq!(resp.choices[0].text, r#"Some("mock-lm")|Some(0.5)|Some(64)"#);

    let mut req = LmRequest::new(vec![Message::user("hi")]);
    req.model = Some("other-model".into());
    req.temperature = Some(0.0);
    let resp = lm.complete(req).await.unwrap();
    assert_eq!(resp.model, "other-model");
    assert_eq!(resp.choices[0].text, r#"Some("other-model")|Some(0.0)|Some(64)"#);
}

#[tokio::test]
async fn status_429_is_typed_with_retry_after() {
    let config = MockServerConfig::default().with_fail_every(1, Failure::Status429 { retry_after_secs: 7 });
    let server = MockServer::start(config).await.unwrap();
    let err = client(&server).complete(qa_request("q")).await.unwrap_err();
    match &err {
        LmError::Http { status: 429, message, retry_after: Some(after) } => {
            assert_eq!(*after, Duration::from_secs(7));
            assert!(message.contains("mock rate limit"), "{message}");
        }
        other => panic!("expected a 429, got {other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(server.failure_count(), 1);
}

#[tokio::test]
async fn status_500_every_third_request() {
    let server = MockServer::start(MockServerConfig::default().with_fail_every(3, Failure::Status500)).await.unwrap();
    let lm = client(&server);
    assert!(lm.complete(qa_request("a")).await.is_ok());
    assert!(lm.complete(qa_request("b")).await.is_ok());
    let err = lm.complete(qa_request("c")).await.unwrap_err();
    assert!(matches!(&err, LmError::Http { status: 500, retry_after: None, message } if message.contains("internal")));
    assert!(err.is_retryable());
    assert!(lm.complete(qa_request("d")).await.is_ok());
    assert_eq!((server.request_count(), server.failure_count()), (4, 1));
}

#[tokio::test]
async fn dropped_connection_is_a_connection_error() {
    let server =
        MockServer::start(MockServerConfig::default().with_fail_every(1, Failure::DropConnection)).await.unwrap();
    let err = client(&server).complete(qa_request("q")).await.unwrap_err();
    assert!(matches!(err, LmError::Connection(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn client_timeout_against_server_latency() {
    let server = MockServer::start(MockServerConfig::default().with_latency(Duration::from_millis(200))).await.unwrap();
    let lm = client(&server).with_request_timeout(Duration::from_millis(50));
    let err = lm.complete(qa_request("q")).await.unwrap_err();
    assert!(
        matches!(err, LmError::Timeout { limit: cognate_core::TimeoutLimit::Request, after } if after == Duration::from_millis(50)),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "lm request timed out after 50ms");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn refused_connection_and_unknown_route() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = OpenAiClient::new("m").with_base_url(format!("http://{addr}/v1")).complete(qa_request("q")).await;
    assert!(matches!(err, Err(LmError::Connection(_))), "{err:?}");

    let server = MockServer::start(MockServerConfig::default()).await.unwrap();
    let wrong = OpenAiClient::new("m").with_base_url(format!("http://{}/v2", server.addr()));
    let err = wrong.complete(qa_request("q")).await.unwrap_err();
    assert!(matches!(&err, LmError::Http { status: 404, message, .. } if message.contains("/v2/chat/completions")));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn from_env_map_configures_a_working_client() {
    let server = MockServer::start(MockServerConfig::default()).await.unwrap();
    let vars: HashMap<&str, String> = HashMap::from([
        ("COGNATE_LM", "openai/mock-from-env".to_owned()),
        ("OPENAI_BASE_URL", server.base_url().to_owned()),
        ("OPENAI_API_KEY", "sk-test-never-printed".to_owned()),
    ]);
    let lm = OpenAiClient::from_env_with(|k| vars.get(k).cloned()).unwrap();
    assert_eq!(lm.model_name(), "mock-from-env");
    assert!(!format!("{lm:?}").contains("sk-test-never-printed"));
    let resp = lm.complete(qa_request("q")).await.unwrap();
    assert_eq!(resp.model, "mock-from-env");
}

#[test]
fn complete_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let lm = OpenAiClient::new("m");
    assert_send(&lm.complete(LmRequest::default()));
}
