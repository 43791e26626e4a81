//! `OpenAiEmbeddings` against a tiny loopback HTTP server. (Against the real MiniLM embedder
//! of `scripts/local-lm.sh`: the live lane, `tests/live/embed.rs` in the `cognate-tests` package.)

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cognate_core::LmError;
use cognate_core::embed::{Embedder, SharedEmbedder};
use cognate_lm::OpenAiEmbeddings;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server saw: path, authorization header and JSON body of each request.
type Seen = Arc<Mutex<Vec<(String, Option<String>, Value)>>>;

/// Serves each connection one response computed by `reply` from the request body:
/// `(status, extra headers, body)`.
async fn serve(reply: fn(&Value) -> (u16, &'static str, String)) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head_end, length) = loop {
                let n = socket.read(&mut chunk).await.unwrap();
                if n == 0 {
                    break (0, 0);
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap()))
                        .unwrap_or(0);
                    break (end + 4, length);
                }
            };
            while buf.len() < head_end + length {
                let n = socket.read(&mut chunk).await.unwrap();
                buf.extend_from_slice(&chunk[..n]);
            }
            let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
            let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
            let auth = head
                .lines()
                .find_map(|l| l.to_lowercase().starts_with("authorization:").then(|| l[14..].trim().to_string()));
            let body: Value = serde_json::from_slice(&buf[head_end..head_end + length]).unwrap_or(Value::Null);
            let (status, headers, text) = reply(&body);
            log.lock().unwrap().push((path, auth, body));
            let response = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n{headers}\r\n{text}",
                text.len()
            );
            socket.write_all(response.as_bytes()).await.unwrap();
            socket.shutdown().await.ok();
        }
    });
    (url, seen)
}

/// One vector per input: `[len, index]`, listed in reverse order.
fn vectors(body: &Value) -> (u16, &'static str, String) {
    let inputs = body["input"].as_array().unwrap();
    let mut data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(i, t)| json!({"object": "embedding", "index": i, "embedding": [t.as_str().unwrap().len() as f32, i as f32]}))
        .collect();
    data.reverse();
    (200, "", json!({"object": "list", "data": data, "model": body["model"]}).to_string())
}

fn texts(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn embeds_in_input_order_across_batches() {
    let (url, seen) = serve(vectors).await;
    let client = OpenAiEmbeddings::new("mini").with_base_url(&url).with_api_key("secret").with_batch_size(2);
    let out = client.embed(&texts(&["a", "bb", "ccc"])).await.unwrap();
    assert_eq!(out, vec![vec![1.0, 0.0], vec![2.0, 1.0], vec![3.0, 0.0]]);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "two batches");
    assert_eq!(seen[0].0, "/v1/embeddings");
    assert_eq!(seen[0].1.as_deref(), Some("Bearer secret"));
    assert_eq!(seen[0].2, json!({"model": "mini", "input": ["a", "bb"]}));
    assert_eq!(seen[1].2["input"], json!(["ccc"]));
    assert!(client.embed(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn http_errors_are_typed_with_the_servers_message_and_retry_after() {
    fn limited(_: &Value) -> (u16, &'static str, String) {
        (429, "retry-after: 7\r\n", json!({"error": {"message": "slow down"}}).to_string())
    }
    let (url, _) = serve(limited).await;
    let err = OpenAiEmbeddings::new("m").with_base_url(&url).embed(&texts(&["x"])).await.unwrap_err();
    match err {
        LmError::Http { status, message, retry_after } => {
            assert_eq!((status, message.as_str(), retry_after), (429, "slow down", Some(Duration::from_secs(7))));
        }
        other => panic!("{other:?}"),
    }
    assert!(err_is_retryable(429));
}

#[tokio::test]
async fn as_a_shared_embedder_it_embeds_and_its_errors_are_core_lm_errors() {
    let (url, _) = serve(vectors).await;
    let shared: SharedEmbedder = Arc::new(OpenAiEmbeddings::new("mini").with_base_url(&url));
    assert_eq!(shared.embed(&texts(&["a", "bb"])).await.unwrap(), vec![vec![1.0, 0.0], vec![2.0, 1.0]]);

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed = format!("http://{}/v1", listener.local_addr().unwrap());
    drop(listener);
    let shared: SharedEmbedder = Arc::new(OpenAiEmbeddings::new("m").with_base_url(closed));
    let err = shared.embed(&texts(&["x"])).await.unwrap_err();
    assert!(matches!(&err, cognate_core::Error::Lm(LmError::Connection(_))), "{err:?}");
    assert!(err.is_infrastructure());
}

fn err_is_retryable(status: u16) -> bool {
    LmError::Http { status, message: String::new(), retry_after: None }.is_retryable()
}

#[tokio::test]
async fn malformed_bodies_and_unreachable_servers_are_typed() {
    fn short(_: &Value) -> (u16, &'static str, String) {
        (200, "", json!({"data": [{"index": 0, "embedding": [1.0]}]}).to_string())
    }
    let (url, _) = serve(short).await;
    let err = OpenAiEmbeddings::new("m").with_base_url(&url).embed(&texts(&["x", "y"])).await.unwrap_err();
    assert!(matches!(&err, LmError::Decode(m) if m.contains("1 vectors for 2 inputs")), "{err:?}");

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed = format!("http://{}/v1", listener.local_addr().unwrap());
    drop(listener);
    let err = OpenAiEmbeddings::new("m").with_base_url(closed).embed(&texts(&["x"])).await.unwrap_err();
    assert!(matches!(err, LmError::Connection(_)), "{err:?}");
}
