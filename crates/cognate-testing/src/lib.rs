//! Test doubles for Cognate: [`MockLm`] and a loopback OpenAI-compatible mock server.
//!
//! * [`MockLm`] is an in-process [`LanguageModel`](cognate_core::LanguageModel) that answers
//!   from a script and records its requests: for unit tests of modules and adapters.
//! * [`MockServer`] is a real HTTP server on `127.0.0.1` speaking the OpenAI chat-completions
//!   protocol, answering DSPy-style prompts with deterministic typed values, with optional
//!   latency and failure injection: for integration tests, examples and benchmarks. The
//!   `cognate-mock-lm` binary runs it standalone (see `docs/mock-server.md`).
//! * `LmOrMock` (feature `lm`) is the language model the environment names (`COGNATE_LM`,
//!   ...), else a `MockServer` reached through the real HTTP client: what the examples run on,
//!   offline by default.
//! * [`EventLog`] is a `tracing` subscriber that records events on the current thread: for
//!   tests of what Cognate logs (progress lines, warnings).
//!
//! ```
//! use cognate_core::{LanguageModel, LmRequest, Message};
//! use cognate_testing::MockLm;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let lm = MockLm::from_fn(|req| Ok(format!("echo: {}", req.messages[0].content)));
//! let reply = lm.complete(LmRequest::new(vec![Message::user("hi")])).await.unwrap();
//! assert_eq!(reply.choices[0].text, "echo: hi");
//! # }
//! ```

mod child;
mod events;
#[cfg(feature = "lm")]
mod lm_or_mock;
mod mock_lm;
mod server;

pub use child::rerun_test;
pub use events::{EventLog, LoggedEvent, keep_callsites_interested};
#[cfg(feature = "lm")]
pub use lm_or_mock::LmOrMock;
pub use mock_lm::MockLm;
pub use server::{Failure, FailurePlan, MockServer, MockServerConfig, ReplyFn};
