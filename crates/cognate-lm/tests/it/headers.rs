//! Headers and a caller's own `reqwest` client: `with_header` and `with_connect_timeout`
//! never silently drop a client given by `with_http_client`, and headers reach the server
//! either way.

use std::time::Duration;

use cognate_core::{LanguageModel, LmRequest, Message};
use cognate_lm::OpenAiClient;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const REPLY: &str = r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2},"model":"m"}"#;

/// A loopback server that answers every request with [`REPLY`] and sends each request head
/// (lower-cased) to the returned receiver.
async fn recording_server() -> (String, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let (heads, received) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let heads = heads.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let (end, length) = loop {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:").and_then(|v| v.trim().parse().ok()))
                            .unwrap_or(0usize);
                        let _ = heads.send(head);
                        break (end, length);
                    }
                };
                while buf.len() < end + 4 + length {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{REPLY}",
                    REPLY.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, received)
}

fn request() -> LmRequest {
    LmRequest::new(vec![Message::user("hi")])
}

#[tokio::test]
async fn a_callers_client_survives_later_settings_and_headers_reach_the_server() {
    let (url, mut heads) = recording_server().await;
    let mut defaults = reqwest::header::HeaderMap::new();
    defaults.insert("x-from-custom-client", "yes".parse().unwrap());
    let custom = reqwest::Client::builder().default_headers(defaults).build().unwrap();
    let lm = OpenAiClient::new("m")
        .with_base_url(url)
        .with_header("X-Before", "1")
        .with_http_client(custom)
        .with_header("X-After", "2")
        .with_connect_timeout(Duration::from_secs(3));
    assert_eq!(lm.complete(request()).await.unwrap().choices[0].text, "ok");
    let head = heads.recv().await.unwrap();
    // The caller's client was used (its default header is there), and both headers were sent.
    for line in ["x-from-custom-client: yes", "x-before: 1", "x-after: 2"] {
        assert!(head.contains(line), "{line} missing from:\n{head}");
    }
}

#[tokio::test]
async fn headers_are_sent_by_the_built_client_and_bad_ones_are_config_errors() {
    let (url, mut heads) = recording_server().await;
    let lm = OpenAiClient::new("m").with_base_url(url).with_header("OpenAI-Organization", "org-1");
    lm.complete(request()).await.unwrap();
    lm.complete(request()).await.unwrap();
    for _ in 0..2 {
        assert!(heads.recv().await.unwrap().contains("openai-organization: org-1"));
    }
    let bad = lm.with_header("Bad Header", "x");
    let err = bad.complete(request()).await.unwrap_err();
    assert!(
        matches!(&err, cognate_core::LmError::Config(m) if m.contains("invalid header name `Bad Header`")),
        "{err}"
    );
}
