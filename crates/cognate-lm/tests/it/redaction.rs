//! Credentials in a base URL (`http://user:key@host/v1`) never reach error messages, `Debug`
//! output or `tracing` events of either client.
//!
//! The capturing subscriber is the process-wide default and records only this test's thread:
//! `tracing` caches per-callsite interest process-wide, so a thread-local (`set_default`)
//! subscriber can miss events while the other tests of this binary run in parallel.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::ThreadId;

use cognate_core::{LanguageModel, LmError, LmRequest, Message};
use cognate_lm::{AnthropicClient, OpenAiClient, OpenAiEmbeddings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves each connection `response` after reading the request head (the bodies sent here
/// are small enough to arrive with it).
async fn serve_fixed(response: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let _ = socket.write_all(response.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    url
}

fn request() -> LmRequest {
    LmRequest::new(vec![Message::user("hi")])
}

/// A subscriber that writes every span's fields and every event (at all levels) emitted on
/// one thread to a string.
#[derive(Clone)]
struct Capture {
    log: Arc<Mutex<String>>,
    thread: ThreadId,
}

impl Capture {
    /// Records what the calling thread emits.
    fn this_thread() -> Self {
        Capture { log: Arc::default(), thread: std::thread::current().id() }
    }

    /// The log, when the calling thread is the recorded one.
    fn log(&self) -> Option<MutexGuard<'_, String>> {
        (std::thread::current().id() == self.thread).then(|| self.log.lock().unwrap())
    }
}

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl tracing::Subscriber for Capture {
    fn register_callsite(&self, _: &'static tracing::Metadata<'static>) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::always()
    }
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        if let Some(mut log) = self.log() {
            let _ = write!(log, "\nspan {}:", span.metadata().name());
            span.record(&mut Fields(&mut log));
        }
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        if let Some(mut log) = self.log() {
            values.record(&mut Fields(&mut log));
        }
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if let Some(mut log) = self.log() {
            let _ = write!(log, "\nevent {}:", event.metadata().target());
            event.record(&mut Fields(&mut log));
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// `#[tokio::test]`'s current-thread runtime keeps the clients' events on the test's thread.
#[tokio::test]
async fn credentials_in_the_base_url_never_reach_errors_debug_or_logs() {
    let capture = Capture::this_thread();
    tracing::subscriber::set_global_default(capture.clone()).expect("the only global subscriber of this binary");
    const SECRET: &str = "sk-url-secret";
    let check = |text: &str| assert!(!text.contains(SECRET) && !text.contains("sk-key-secret"), "{text}");

    // Refused connection (the port was just freed), an HTTP error, and an invalid URL.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let refused = format!("http://user:{SECRET}@{}/v1", listener.local_addr().unwrap());
    drop(listener);
    let served = serve_fixed("HTTP/1.1 401 X\r\ncontent-length: 12\r\n\r\nunauthorized").await;
    let served = served.replacen("http://", &format!("http://{SECRET}@"), 1);
    let invalid = format!("http://user:{SECRET}@[::1/v1");
    for url in [&refused, &served, &invalid] {
        let lm = OpenAiClient::new("m").with_base_url(url).with_api_key("sk-key-secret");
        check(&format!("{lm:?}"));
        let err = lm.complete(request()).await.unwrap_err();
        check(&err.to_string());
        check(&format!("{err:?}"));
        let lm = AnthropicClient::new("c").with_base_url(url).with_api_key("sk-key-secret");
        check(&format!("{lm:?}"));
        let err = lm.complete(request()).await.unwrap_err();
        check(&err.to_string());
        check(&format!("{err:?}"));
        let emb = OpenAiEmbeddings::new("m").with_base_url(url).with_api_key("sk-key-secret");
        check(&format!("{emb:?}"));
        let err = emb.embed(&["x".to_owned()]).await.unwrap_err();
        check(&err.to_string());
        check(&format!("{err:?}"));
    }
    let err = OpenAiClient::new("m").with_base_url(&refused).complete(request()).await.unwrap_err();
    // reqwest drops the user-info from the URL it reports; the address is still named.
    assert!(matches!(&err, LmError::Connection(m) if m.contains("(url: http://127.0.0.1:")), "{err:?}");
    let log = capture.log.lock().unwrap().clone();
    check(&log);
    assert!(log.contains("lm call failed") && log.contains("embeddings request"), "{log}");
    assert!(log.contains("`http://<redacted>@[::1/v1`"), "the invalid URL should be logged redacted: {log}");
    // Called directly, each client opens its own span, with OpenTelemetry GenAI field names.
    for system in ["openai", "anthropic"] {
        let span = format!("span lm.complete: gen_ai.operation.name=\"chat\" gen_ai.system=\"{system}\"");
        assert!(log.contains(&span), "{span}: {log}");
    }
}
