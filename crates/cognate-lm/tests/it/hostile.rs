//! Both HTTP clients against hostile loopback servers: replies far larger than the size
//! limit (with `Content-Length`, chunked, and delimited by closing the connection), huge
//! error messages, absurd `Retry-After` dates, and connect and request time-outs.
//! (`redaction.rs` checks that URL credentials never reach errors, `Debug` or logs.)

use std::time::Duration;

use cognate_core::{LanguageModel, LmError, LmRequest, Message, TimeoutLimit};
use cognate_lm::{OpenAiClient, OpenAiEmbeddings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// How a hostile reply delimits its body.
#[derive(Clone, Copy, Debug)]
enum Framing {
    ContentLength,
    Chunked,
    /// No `Content-Length`, no chunking: the body ends when the connection closes.
    UntilClose,
}

/// What the server managed to send before the client went away.
#[derive(Debug)]
struct Sent {
    /// Body bytes written into the socket.
    written: u64,
    /// Whether the whole body was written.
    finished: bool,
}

const MIB: u64 = 1024 * 1024;

/// Reads one request (head and `Content-Length` body) from `socket`.
async fn read_request(socket: &mut TcpStream) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = socket.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:").and_then(|v| v.trim().parse::<usize>().ok()))
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let n = socket.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return;
        }
    }
}

/// Serves one connection a `status` reply whose body is `total` bytes of `a` (after `prefix`),
/// written 64 KiB at a time, and reports how much of it went out.
async fn serve_huge(status: u16, framing: Framing, total: u64) -> (String, oneshot::Receiver<Sent>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let (report, sent) = oneshot::channel();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        read_request(&mut socket).await;
        let framing_header = match framing {
            Framing::ContentLength => format!("content-length: {total}\r\n"),
            Framing::Chunked => "transfer-encoding: chunked\r\n".to_owned(),
            Framing::UntilClose => "connection: close\r\n".to_owned(),
        };
        let head = format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{framing_header}\r\n");
        let block = vec![b'a'; 64 * 1024];
        let mut written = 0u64;
        let mut result = socket.write_all(head.as_bytes()).await;
        while result.is_ok() && written < total {
            let n = block.len().min((total - written) as usize);
            result = match framing {
                Framing::Chunked => {
                    let mut frame = format!("{n:x}\r\n").into_bytes();
                    frame.extend_from_slice(&block[..n]);
                    frame.extend_from_slice(b"\r\n");
                    socket.write_all(&frame).await
                }
                _ => socket.write_all(&block[..n]).await,
            };
            if result.is_ok() {
                written += n as u64;
            }
        }
        if result.is_ok() && matches!(framing, Framing::Chunked) {
            result = socket.write_all(b"0\r\n\r\n").await;
        }
        let _ = report.send(Sent { written, finished: result.is_ok() && written == total });
    });
    (url, sent)
}

/// Serves each connection the same canned response.
async fn serve_fixed(response: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            read_request(&mut socket).await;
            let _ = socket.write_all(response.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    url
}

fn request() -> LmRequest {
    LmRequest::new(vec![Message::user("hi")])
}

/// Waits for the server's report; a client that kept the connection open would leave the
/// server blocked in `write`, so give up (and fail) after a generous bound.
async fn sent(report: oneshot::Receiver<Sent>) -> Sent {
    tokio::time::timeout(Duration::from_secs(60), report)
        .await
        .expect("the client kept reading or kept the connection open")
        .expect("the server task failed")
}

/// A reply of 256 MiB against the default 4 MiB limit: typed error, and the server could
/// write only what the socket buffers absorb before the client closed the connection.
#[tokio::test]
async fn chat_replies_over_the_limit_are_cut_off_in_every_framing() {
    for framing in [Framing::ContentLength, Framing::Chunked, Framing::UntilClose] {
        let total = 256 * MIB;
        let (url, report) = serve_huge(200, framing, total).await;
        let err = OpenAiClient::new("m").with_base_url(url).complete(request()).await.unwrap_err();
        assert!(matches!(err, LmError::ResponseTooLarge { limit } if limit == 4 * MIB), "{framing:?}: {err:?}");
        assert!(err.to_string().contains("4194304 bytes"), "{err}");
        assert!(!err.is_retryable());
        let sent = sent(report).await;
        assert!(!sent.finished && sent.written < 64 * MIB, "{framing:?}: {sent:?}");
    }
}

#[tokio::test]
async fn a_configured_limit_applies_and_a_body_within_it_is_read() {
    let (url, report) = serve_huge(200, Framing::Chunked, 8 * MIB).await;
    let lm = OpenAiClient::new("m").with_base_url(url).with_max_response_bytes(100_000);
    let err = lm.complete(request()).await.unwrap_err();
    assert!(matches!(err, LmError::ResponseTooLarge { limit: 100_000 }), "{err:?}");
    assert!(!sent(report).await.finished);

    // A valid reply exactly at the limit is accepted.
    let body = r#"{"choices":[{"message":{"content":"ok"}}]}"#;
    let response = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}", body.len());
    let url = serve_fixed(response).await;
    let lm = OpenAiClient::new("m").with_base_url(url).with_max_response_bytes(body.len() as u64);
    assert_eq!(lm.complete(request()).await.unwrap().choices[0].text, "ok");
}

#[tokio::test]
async fn a_huge_error_body_keeps_its_status_and_is_not_read_whole() {
    let (url, report) = serve_huge(503, Framing::Chunked, 256 * MIB).await;
    let err = OpenAiClient::new("m").with_base_url(url).complete(request()).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable());
    let LmError::Http { message, .. } = &err else { panic!("{err:?}") };
    assert!(message.len() < 1024 && message.contains("not read whole"), "{message}");
    let sent = sent(report).await;
    assert!(!sent.finished && sent.written < 64 * MIB, "{sent:?}");
}

#[tokio::test]
async fn embeddings_replies_over_the_limit_are_cut_off() {
    let (url, report) = serve_huge(200, Framing::UntilClose, 256 * MIB).await;
    let client = OpenAiEmbeddings::new("m").with_base_url(url).with_max_response_bytes(MIB);
    let err = client.embed(&["x".to_owned()]).await.unwrap_err();
    assert!(matches!(err, LmError::ResponseTooLarge { limit } if limit == MIB), "{err:?}");
    let sent = sent(report).await;
    assert!(!sent.finished && sent.written < 64 * MIB, "{sent:?}");
}

#[tokio::test]
async fn a_5_mb_error_message_is_stored_cut_and_retry_after_2099_is_clamped() {
    let message = "m".repeat(5_000_000);
    let body = serde_json::json!({"error": {"message": message}}).to_string();
    let response = format!(
        "HTTP/1.1 429 Too Many\r\ncontent-length: {}\r\nretry-after: Thu, 01 Jan 2099 00:00:00 GMT\r\n\r\n{body}",
        body.len()
    );
    let url = serve_fixed(response).await;
    // Above the default 4 MiB body limit the body would not be read whole (see above); with a
    // larger limit the JSON message is read, then kept to 4 KiB.
    let lm = OpenAiClient::new("m").with_base_url(&url).with_max_response_bytes(8 * MIB);
    let err = lm.complete(request()).await.unwrap_err();
    let LmError::Http { status: 429, message: stored, retry_after } = &err else { panic!("{err:?}") };
    assert_eq!(*retry_after, Some(Duration::from_secs(60)));
    assert!(stored.len() < LmError::MAX_DISPLAYED_MESSAGE + 64, "{}", stored.len());
    assert!(stored.ends_with(&format!("({} more bytes)", 5_000_000 - LmError::MAX_DISPLAYED_MESSAGE)));
    assert!(err.to_string().len() < LmError::MAX_DISPLAYED_MESSAGE + 100);

    let lm = OpenAiClient::new("m").with_base_url(&url).with_max_retry_after(Duration::from_secs(3));
    assert_eq!(lm.complete(request()).await.unwrap_err().retry_after(), Some(Duration::from_secs(3)));
    let emb = OpenAiEmbeddings::new("m").with_base_url(&url).with_max_retry_after(Duration::from_secs(2));
    assert_eq!(emb.embed(&["x".to_owned()]).await.unwrap_err().retry_after(), Some(Duration::from_secs(2)));

    let past = "HTTP/1.1 503 X\r\ncontent-length: 0\r\nretry-after: Mon, 01 Jan 2001 00:00:00 GMT\r\n\r\n";
    let url = serve_fixed(past.to_owned()).await;
    let err = OpenAiClient::new("m").with_base_url(url).complete(request()).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::ZERO));
}

#[tokio::test]
async fn a_silent_server_is_a_request_timeout_naming_its_value() {
    // Accepts and reads the request, then never answers.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut socket, _)) = listener.accept().await {
            read_request(&mut socket).await;
            held.push(socket);
        }
    });
    let lm = OpenAiClient::new("m")
        .with_base_url(&url)
        .with_connect_timeout(Duration::from_secs(30))
        .with_request_timeout(Duration::from_millis(150));
    let err = lm.complete(request()).await.unwrap_err();
    assert!(
        matches!(err, LmError::Timeout { limit: TimeoutLimit::Request, after } if after == Duration::from_millis(150)),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "lm request timed out after 150ms");
    assert!(err.is_retryable());
    let emb = OpenAiEmbeddings::new("m").with_base_url(&url).with_request_timeout(Duration::from_millis(150));
    let err = emb.embed(&["x".to_owned()]).await.unwrap_err();
    assert_eq!(err.timeout_limit(), Some(TimeoutLimit::Request), "{err:?}");
}

/// A listener with a backlog of 0 whose queue is already full: Linux drops further SYNs, so
/// a connection attempt hangs until the client's connect time-out fires.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_full_backlog_is_a_connect_timeout_naming_its_value() {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    // Fill the accept queue (never accepted) until an attempt no longer completes.
    let mut fillers = Vec::new();
    for _ in 0..64 {
        match tokio::time::timeout(Duration::from_millis(300), TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => fillers.push(stream),
            _ => break,
        }
    }
    assert!(fillers.len() < 64, "the backlog never filled up");
    let url = format!("http://{addr}/v1");
    let lm = OpenAiClient::new("m")
        .with_base_url(&url)
        .with_connect_timeout(Duration::from_millis(200))
        .with_request_timeout(Duration::from_secs(60));
    let err = lm.complete(request()).await.unwrap_err();
    assert!(
        matches!(err, LmError::Timeout { limit: TimeoutLimit::Connect, after } if after == Duration::from_millis(200)),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "lm connect timed out after 200ms");
    assert!(err.is_retryable());
    let emb = OpenAiEmbeddings::new("m")
        .with_base_url(&url)
        .with_connect_timeout(Duration::from_millis(200))
        .with_request_timeout(Duration::from_secs(60));
    let err = emb.embed(&["x".to_owned()]).await.unwrap_err();
    assert!(matches!(err, LmError::Timeout { limit: TimeoutLimit::Connect, .. }), "{err:?}");
    drop(listener);
}
