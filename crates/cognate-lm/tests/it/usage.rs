//! Usage, cost and budgets through the real HTTP client: the default `max_tokens` on the wire
//! (and `max_completion_tokens` for OpenAI's reasoning models), token details read from replies,
//! time-outs and cancelled calls counted in usage, and a budget stopping calls to the mock
//! server.

use std::time::Duration;

use cognate_core::{BudgetLimit, LanguageModel, LanguageModelExt, LmError, LmRequest, Message, Usage};
use cognate_lm::{
    Budget, DEFAULT_MAX_TOKENS, DEFAULT_REASONING_MAX_TOKENS, ModelPrice, OpenAiClient, PriceTable, UsageTracker,
};
use cognate_testing::{MockServer, MockServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

fn request() -> LmRequest {
    LmRequest::new(vec![Message::user("hi")])
}

/// A server that answers every request with `body` (a 200 JSON reply) and sends each request
/// body it read down the channel.
async fn serve_capturing(body: &'static str) -> (String, mpsc::UnboundedReceiver<serde_json::Value>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let body_start = loop {
                let n = socket.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break Some(end + 4);
                }
            };
            let Some(start) = body_start else { continue };
            let head = String::from_utf8_lossy(&buf[..start]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:").and_then(|v| v.trim().parse().ok()))
                .unwrap_or(0);
            while buf.len() < start + length {
                let n = socket.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let _ = tx.send(serde_json::from_slice(&buf[start..]).unwrap_or_default());
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    (url, rx)
}

const OPENAI_REPLY: &str = r#"{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-2024-08-06",
"choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],
"usage":{"prompt_tokens":2000,"completion_tokens":500,"total_tokens":2500,
"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},
"completion_tokens_details":{"reasoning_tokens":128,"audio_tokens":0}}}"#;

#[tokio::test]
async fn a_default_max_tokens_is_sent_unless_overridden_or_disabled() {
    let server =
        MockServer::start(MockServerConfig::default().with_reply(|r| format!("{:?}", r.max_tokens))).await.unwrap();
    let lm = OpenAiClient::new("mock-lm").with_base_url(server.base_url());
    let text = |lm: OpenAiClient, request: LmRequest| async move {
        lm.complete(request).await.unwrap().choices[0].text.clone()
    };
    assert_eq!(text(lm.clone(), request()).await, format!("Some({DEFAULT_MAX_TOKENS})"));
    let mut own = request();
    own.max_tokens = Some(12);
    assert_eq!(text(lm.clone(), own.clone()).await, "Some(12)");
    assert_eq!(text(lm.clone().with_max_tokens(300), request()).await, "Some(300)");
    assert_eq!(text(lm.clone().without_max_tokens(), request()).await, "None");
    assert_eq!(text(lm.without_max_tokens(), own).await, "Some(12)");
}

#[tokio::test]
async fn reasoning_models_get_max_completion_tokens_instead() {
    let (url, mut bodies) = serve_capturing(OPENAI_REPLY).await;
    let lm = OpenAiClient::new("o4-mini").with_base_url(url);
    lm.complete(request()).await.unwrap();
    let body = bodies.recv().await.unwrap();
    assert_eq!(body["max_completion_tokens"], DEFAULT_REASONING_MAX_TOKENS);
    assert!(body.get("max_tokens").is_none(), "{body}");

    let mut other = request();
    other.model = Some("gpt-4.1".into());
    lm.complete(other).await.unwrap();
    let body = bodies.recv().await.unwrap();
    assert_eq!(body["max_tokens"], DEFAULT_MAX_TOKENS);
    assert!(body.get("max_completion_tokens").is_none(), "{body}");

    let mut own = request();
    own.max_tokens = Some(20_000);
    lm.complete(own).await.unwrap();
    assert_eq!(bodies.recv().await.unwrap()["max_completion_tokens"], 20_000);
}

#[tokio::test]
async fn token_details_and_dollars_come_from_the_provider_s_usage() {
    let (url, _bodies) = serve_capturing(OPENAI_REPLY).await;
    let tracker = UsageTracker::new();
    let lm = OpenAiClient::new("gpt-4o").with_base_url(url).layer(tracker.clone());
    let reply = lm.complete(request()).await.unwrap();
    assert_eq!(reply.usage, Usage::new(2000, 500).with_cached_tokens(1024).with_reasoning_tokens(128));
    let seen = tracker.snapshot();
    assert_eq!((seen.cached_tokens, seen.reasoning_tokens, seen.calls_unpriced), (1024, 128, 0));
    // gpt-4o: $2.50 per million prompt tokens, $1.25 cached, $10 completion.
    let dollars = (976.0 * 2.5 + 1024.0 * 1.25 + 500.0 * 10.0) / 1e6;
    assert!((seen.cost().unwrap() - dollars).abs() < 1e-12, "{seen}");
}

#[tokio::test]
async fn the_mock_server_reports_details_in_openai_s_shape() {
    let server = MockServer::start(MockServerConfig::default()).await.unwrap();
    let tracker = UsageTracker::new();
    let lm = OpenAiClient::new("mock-lm").with_base_url(server.base_url()).layer(tracker.clone());
    let reply = lm.complete(request()).await.unwrap();
    assert_eq!(reply.usage, server.usage());
    let seen = tracker.snapshot();
    assert_eq!((seen.calls, seen.prompt_tokens), (1, reply.usage.prompt_tokens));
    // `mock-lm` has no price: unknown, not free.
    assert_eq!((seen.calls_unpriced, seen.cost()), (1, None));
}

/// A call that times out in the client, and one cancelled from above, still appear in usage.
#[tokio::test]
async fn timed_out_and_cancelled_calls_are_counted_with_their_tokens_unknown() {
    let server = MockServer::start(MockServerConfig::default().with_latency(Duration::from_secs(30))).await.unwrap();
    let tracker = UsageTracker::new();
    let client = OpenAiClient::new("mock-lm").with_base_url(server.base_url());
    let lm = client.clone().with_request_timeout(Duration::from_millis(50)).layer(tracker.clone());
    let err = lm.complete(request()).await.unwrap_err();
    assert!(matches!(err, LmError::Timeout { .. }), "{err:?}");
    let seen = tracker.snapshot();
    assert_eq!((seen.calls, seen.errors, seen.calls_tokens_unknown, seen.cancelled), (1, 1, 1, 0));

    // Cancelled: the caller gives up (a deadline above the client) and drops the call.
    let lm = client.layer(tracker.clone());
    assert!(tokio::time::timeout(Duration::from_millis(50), lm.complete(request())).await.is_err());
    let seen = tracker.snapshot();
    assert_eq!((seen.calls, seen.errors, seen.calls_tokens_unknown, seen.cancelled, seen.in_flight), (2, 1, 2, 1, 0));
    assert_eq!(seen.cost(), None);
}

#[tokio::test]
async fn a_dollar_budget_stops_calls_to_the_server() {
    let server = MockServer::start(MockServerConfig::default()).await.unwrap();
    // A price for the mock model: $1000 per million tokens, so each call costs cents.
    let prices = PriceTable::empty().with("mock-lm", ModelPrice::per_million(1000.0, 1000.0));
    let budget = Budget::dollars(0.10).with_prices(prices);
    let lm = OpenAiClient::new("mock-lm").with_base_url(server.base_url()).layer(budget.clone());
    let mut answered = 0;
    let limit = loop {
        match lm.complete(request()).await {
            Ok(_) => answered += 1,
            Err(LmError::BudgetExceeded { limit }) => break limit,
            Err(other) => panic!("{other:?}"),
        }
        assert!(answered < 1000, "the budget never ran out");
    };
    let BudgetLimit::Dollars { spent, max } = limit else { panic!("{limit:?}") };
    assert!(spent >= max && max == 0.10, "{spent} {max}");
    assert_eq!(server.request_count(), answered);
    let cost_of_all = server.usage().total_tokens as f64 * 1000.0 / 1e6;
    assert!((budget.spent().dollars - cost_of_all).abs() < 1e-9);
}
