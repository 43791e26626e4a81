//! `AnthropicClient` against a loopback fake that speaks Anthropic's Messages API: what is sent
//! (system prompt, turns, stop sequences, headers), what is read (text blocks, stop reasons,
//! usage with cache tokens), Anthropic's error shapes, and `lm("anthropic/...")`.

use cognate_core::{FinishReason, LanguageModel, LmError, LmRequest, Message};
use cognate_lm::{AnthropicClient, Client, lm_with};

use crate::loopback::serve;

const REPLY: &str = r#"{"id":"msg_01","type":"message","role":"assistant","model":"claude-test-1",
    "content":[{"type":"text","text":"[[ ## answer ## ]]\nParis"},{"type":"text","text":"\n\n[[ ## completed ## ]]"}],
    "stop_reason":"end_turn","stop_sequence":null,
    "usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":30,"output_tokens":9}}"#;

fn conversation() -> LmRequest {
    let mut request = LmRequest::new(vec![
        Message::system("You answer trivia."),
        Message::system("Be brief."),
        Message::user("Capital of Italy?"),
        Message::assistant("Rome"),
        Message::user("Capital of France?"),
    ]);
    request.stop = vec!["\n\n\n".into()];
    request.temperature = Some(0.0);
    request
}

#[tokio::test]
async fn a_conversation_maps_to_the_messages_api_and_back() {
    let (url, mut seen) = serve(|_| (200, vec![], REPLY.to_owned())).await;
    let lm = AnthropicClient::new("claude-test-1").with_base_url(format!("{url}/v1")).with_api_key("sk-ant-test");
    let reply = lm.complete(conversation()).await.unwrap();
    assert_eq!(reply.choices[0].text, "[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]");
    assert_eq!(reply.choices[0].finish_reason, Some(FinishReason::Stop));
    assert_eq!((reply.usage.prompt_tokens, reply.usage.completion_tokens, reply.usage.total_tokens), (42, 9, 51));
    assert_eq!(reply.model, "claude-test-1");

    let request = seen.recv().await.unwrap();
    assert!(request.head.starts_with("post /v1/messages "), "{}", request.head);
    for header in ["x-api-key: sk-ant-test", "anthropic-version: 2023-06-01", "content-type: application/json"] {
        assert!(request.head.contains(header), "{header} missing:\n{}", request.head);
    }
    assert!(!request.head.contains("authorization"), "no bearer token: {}", request.head);
    assert_eq!(
        request.json(),
        serde_json::json!({
            "model": "claude-test-1",
            "max_tokens": 4096,
            "system": "You answer trivia.\n\nBe brief.",
            "messages": [
                {"role": "user", "content": "Capital of Italy?"},
                {"role": "assistant", "content": "Rome"},
                {"role": "user", "content": "Capital of France?"},
            ],
            "temperature": 0.0,
            "stop_sequences": ["\n\n\n"],
        })
    );
}

#[tokio::test]
async fn anthropic_errors_are_typed_with_their_message_and_retry_after() {
    let (url, _seen) = serve(|seen| {
        let body = String::from_utf8_lossy(&seen.body).into_owned();
        if body.contains("overloaded") {
            (529, vec![], r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#.into())
        } else if body.contains("slow down") {
            (
                429,
                vec![("retry-after", "7".to_owned())],
                r#"{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"}}"#.into(),
            )
        } else {
            (400, vec![], r#"{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: too large"}}"#.into())
        }
    })
    .await;
    let lm = AnthropicClient::new("claude-test-1").with_base_url(url);
    let ask = |text: &str| LmRequest::new(vec![Message::user(text)]);

    let err = lm.complete(ask("overloaded")).await.unwrap_err();
    assert!(matches!(&err, LmError::Http { status: 529, message, .. } if message == "Overloaded"), "{err}");
    assert!(err.is_retryable());
    let err = lm.complete(ask("slow down")).await.unwrap_err();
    assert!(matches!(&err, LmError::Http { status: 429, .. }), "{err}");
    assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(7)));
    let err = lm.complete(ask("bad")).await.unwrap_err();
    assert!(matches!(&err, LmError::Http { status: 400, message, .. } if message.contains("max_tokens")), "{err}");
    assert!(!err.is_retryable());

    let mut many = ask("q");
    many.n = Some(3);
    assert!(matches!(lm.complete(many).await, Err(LmError::Config(m)) if m.contains("n = 3")));
}

#[tokio::test]
async fn a_model_string_builds_the_anthropic_client() {
    let (url, mut seen) = serve(|_| (200, vec![], REPLY.to_owned())).await;
    let lm = lm_with("anthropic/claude-test-1", |var| match var {
        "ANTHROPIC_BASE_URL" => Some(url.clone()),
        "ANTHROPIC_API_KEY" => Some("sk-ant-env".into()),
        _ => None,
    })
    .unwrap();
    assert!(matches!(lm, Client::Anthropic(_)));
    assert!(!lm.supports_json_schema(), "the JSON adapter must ask in the prompt");
    assert_eq!(lm.complete(conversation()).await.unwrap().choices[0].finish_reason, Some(FinishReason::Stop));
    assert!(seen.recv().await.unwrap().head.contains("x-api-key: sk-ant-env"));
}
