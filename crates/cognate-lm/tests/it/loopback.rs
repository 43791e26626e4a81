//! A minimal HTTP/1.1 server on 127.0.0.1 for wire-format tests: it hands each request (head,
//! lower-cased, and body) to a function that writes the reply, and reports the requests.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// A reply: status, extra headers, JSON body.
pub(crate) type Reply = (u16, Vec<(&'static str, String)>, String);

/// One request as the server saw it.
#[derive(Debug)]
pub(crate) struct Seen {
    /// The request line and headers, lower-cased.
    pub(crate) head: String,
    /// The body.
    pub(crate) body: Vec<u8>,
}

impl Seen {
    /// The body as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// Serves every connection with `respond`; returns the base URL (`http://127.0.0.1:port`) and
/// the requests seen.
pub(crate) async fn serve(
    respond: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
) -> (String, mpsc::UnboundedReceiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (seen_tx, seen) = mpsc::unbounded_channel();
    let respond = Arc::new(respond);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (seen_tx, respond) = (seen_tx.clone(), Arc::clone(&respond));
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
                let seen = Seen {
                    head: String::from_utf8_lossy(&buf[..end]).to_lowercase(),
                    body: buf[end + 4..end + 4 + length].to_vec(),
                };
                let (status, headers, body) = respond(&seen);
                let _ = seen_tx.send(seen);
                let mut response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                    body.len()
                );
                for (name, value) in headers {
                    response.push_str(&format!("{name}: {value}\r\n"));
                }
                response.push_str("\r\n");
                response.push_str(&body);
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, seen)
}
