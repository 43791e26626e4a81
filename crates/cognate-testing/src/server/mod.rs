//! [`MockServer`]: a loopback OpenAI-compatible chat-completions server that answers
//! DSPy-style prompts deterministically.

mod config;
mod prompt;
mod render;
mod service;
mod values;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use cognate_core::Usage;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

pub use config::{Failure, FailurePlan, MockServerConfig, ReplyFn};
use service::{State, Stats};

/// A loopback OpenAI-compatible server for tests, examples and benchmarks.
///
/// It serves `POST /v1/chat/completions`, `GET /v1/models` and `GET /health`. For a chat
/// request it reads the system message's `Your output fields are:` block (names and types,
/// and the JSON schemas in the field-structure notes) and fills every output field with a
/// value of its type, derived from a hash of the last user message: the same input always
/// gets the same answer, different inputs get different ones. The reply is a JSON object
/// when the request sets `response_format` or the prompt asks for JSON, `<field>` elements
/// for XML-style prompts, and `[[ ## field ## ]]` markers otherwise. Requests without a
/// fields block get a short sentence.
///
/// ```
/// use cognate_testing::{MockServer, MockServerConfig};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// let server = MockServer::start(MockServerConfig::default()).await?;
/// assert!(server.base_url().starts_with("http://127.0.0.1:"));
/// assert!(server.base_url().ends_with("/v1"));
/// server.shutdown().await;
/// # Ok(()) }
/// ```
///
/// The server stops when [`shutdown`](Self::shutdown) is awaited or the handle is dropped;
/// open connections are closed with it.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    base_url: String,
    state: Arc<State>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Starts a server on `127.0.0.1` on a free port.
    ///
    /// # Errors
    /// When the port cannot be bound.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub async fn start(config: MockServerConfig) -> io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Starts a server on `addr` (port 0 picks a free port).
    ///
    /// # Errors
    /// When `addr` cannot be bound.
    pub async fn start_on(addr: SocketAddr, config: MockServerConfig) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State { config, stats: Stats::default() });
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&state), stopped));
        Ok(MockServer { addr, base_url: format!("http://{addr}/v1"), state, stop: Some(stop), task: Some(task) })
    }

    /// The API base URL, `http://127.0.0.1:<port>/v1`, ready for `OPENAI_BASE_URL`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Chat-completion requests received so far (including failed ones).
    pub fn request_count(&self) -> u64 {
        self.state.stats.requests.load(Relaxed)
    }

    /// Failures injected so far.
    pub fn failure_count(&self) -> u64 {
        self.state.stats.failures.load(Relaxed)
    }

    /// The token usage reported in all successful answers so far.
    pub fn usage(&self) -> Usage {
        let prompt_tokens = self.state.stats.prompt_tokens.load(Relaxed);
        let completion_tokens = self.state.stats.completion_tokens.load(Relaxed);
        Usage::new(prompt_tokens, completion_tokens)
    }

    /// The configuration the server runs with.
    pub fn config(&self) -> &MockServerConfig {
        &self.state.config
    }

    /// Stops accepting, closes open connections and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<State>, mut stopped: oneshot::Receiver<()>) {
    // Connection tasks live in the set, so ending this task (shutdown or abort) ends them too.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    connections.spawn(serve_connection(stream, Arc::clone(&state)));
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve_connection(stream: TcpStream, state: Arc<State>) {
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |req| {
        let state = Arc::clone(&state);
        async move { service::handle(req, &state).await }
    });
    // Errors here are client disconnects and injected drops; there is no one to tell.
    let _ = http1::Builder::new().timer(TokioTimer::new()).serve_connection(TokioIo::new(stream), service).await;
}
