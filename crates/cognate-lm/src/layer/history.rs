//! [`History`]: the most recent calls, kept for inspection (DSPy's `inspect_history`).
//!
//! A `History` is a bounded ring of the last calls through it (messages, reply or error,
//! usage, latency), shared by its clones; memory stays bounded however long the run.
//! [`History::inspect`] prints the last `n` calls readably, the way DSPy's
//! `dspy.inspect_history(n)` does:
//!
//! ```
//! use cognate_core::{LanguageModel, LanguageModelExt, LmRequest, Message};
//! use cognate_lm::layer::history::History;
//! use cognate_testing::MockLm;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let history = History::new(100);
//! let lm = MockLm::new(["Paris"]).layer(history.clone());
//! lm.complete(LmRequest::new(vec![Message::system("Be brief."), Message::user("Capital of France?")]))
//!     .await
//!     .unwrap();
//! let printed = history.inspect(1);
//! assert!(printed.contains("User message:\n\nCapital of France?"));
//! assert!(printed.contains("Response:\n\nParis"));
//! # }
//! ```

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use cognate_core::{LanguageModel, Layer, LmError, LmRequest, LmResponse, Message, Role, SharedLm, Usage};

/// The layer and the record: keeps the last `capacity` calls of every model it wraps. Clones
/// share the record.
#[derive(Debug, Clone)]
pub struct History {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    capacity: usize,
    calls: Mutex<VecDeque<Call>>,
}

/// One recorded call.
#[derive(Debug, Clone)]
pub struct Call {
    /// When the call started.
    pub started: SystemTime,
    /// The model that answered (or, on failure, the wrapped model's name).
    pub model: String,
    /// The messages sent.
    pub messages: Vec<Message>,
    /// The texts of the reply's choices, or the error.
    pub outcome: Result<Vec<String>, LmError>,
    /// The reply's token usage (zero on failure).
    pub usage: Usage,
    /// How long the call took.
    pub latency: Duration,
}

impl History {
    /// A history keeping the last `capacity` calls (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        History { inner: Arc::new(Shared { capacity, calls: Mutex::new(VecDeque::with_capacity(capacity.min(1024))) }) }
    }

    /// The last `n` calls, oldest first.
    pub fn last(&self, n: usize) -> Vec<Call> {
        let calls = self.inner.calls.lock().unwrap_or_else(PoisonError::into_inner);
        calls.iter().skip(calls.len().saturating_sub(n)).cloned().collect()
    }

    /// How many calls are kept now (at most the capacity).
    pub fn len(&self) -> usize {
        self.inner.calls.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Whether no call has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every recorded call.
    pub fn clear(&self) {
        self.inner.calls.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    /// The last `n` calls as text, oldest first: for each, its start time (seconds since the
    /// Unix epoch), model, latency and tokens, every message under `System message:` /
    /// `User message:` / `Assistant message:`, then `Response:` with the first choice's text
    /// (further choices numbered), or `Error:`.
    pub fn inspect(&self, n: usize) -> String {
        let mut out = String::new();
        for call in self.last(n) {
            let since_epoch = call.started.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
            let _ = writeln!(
                out,
                "[{:.3}] {} ({} ms, {} prompt + {} completion tokens)\n",
                since_epoch.as_secs_f64(),
                call.model,
                call.latency.as_millis(),
                call.usage.prompt_tokens,
                call.usage.completion_tokens,
            );
            for message in &call.messages {
                let role = match message.role {
                    Role::System => "System",
                    Role::User => "User",
                    Role::Assistant => "Assistant",
                };
                let _ = write!(out, "{role} message:\n\n{}\n\n", message.content);
            }
            match &call.outcome {
                Ok(texts) => {
                    let _ = write!(out, "Response:\n\n{}\n\n", texts.first().map_or("", String::as_str));
                    for (i, text) in texts.iter().enumerate().skip(1) {
                        let _ = write!(out, "Response {}:\n\n{text}\n\n", i + 1);
                    }
                }
                Err(error) => {
                    let _ = write!(out, "Error:\n\n{error}\n\n");
                }
            }
            out.push_str("\n\n");
        }
        out
    }

    /// Prints [`inspect(n)`](Self::inspect) to standard output (DSPy's `inspect_history`).
    pub fn inspect_history(&self, n: usize) {
        print!("{}", self.inspect(n));
    }

    fn push(&self, call: Call) {
        let mut calls = self.inner.calls.lock().unwrap_or_else(PoisonError::into_inner);
        if calls.len() == self.inner.capacity {
            calls.pop_front();
        }
        calls.push_back(call);
    }
}

impl<L: LanguageModel> Layer<L> for History {
    type Lm = HistoryLm<L>;

    fn layer(&self, inner: L) -> HistoryLm<L> {
        HistoryLm { inner, history: self.clone() }
    }
}

/// A model whose calls are recorded in a [`History`].
#[derive(Debug, Clone)]
pub struct HistoryLm<L = SharedLm> {
    inner: L,
    history: History,
}

impl<L> HistoryLm<L> {
    /// The history calls are recorded in.
    pub fn history(&self) -> &History {
        &self.history
    }
}

impl<L: LanguageModel> LanguageModel for HistoryLm<L> {
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        let started = SystemTime::now();
        let clock = Instant::now();
        let messages = request.messages.clone();
        let result = self.inner.complete(request).await;
        let (model, outcome, usage) = match &result {
            Ok(response) => {
                (response.model.clone(), Ok(response.choices.iter().map(|c| c.text.clone()).collect()), response.usage)
            }
            Err(error) => (self.inner.model_name().to_owned(), Err(error.clone()), Usage::default()),
        };
        self.history.push(Call { started, model, messages, outcome, usage, latency: clock.elapsed() });
        result
    }

    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn supports_json_schema(&self) -> bool {
        self.inner.supports_json_schema()
    }
}

#[cfg(test)]
mod tests {
    use cognate_core::LanguageModelExt;
    use cognate_testing::MockLm;

    use super::*;

    fn ask(text: &str) -> LmRequest {
        LmRequest::new(vec![Message::user(text)])
    }

    #[tokio::test]
    async fn keeps_the_last_calls_within_its_capacity_and_prints_them() {
        let history = History::new(3);
        let mock = MockLm::from_fn(|r| Ok(format!("re: {}", r.messages[0].content))).with_model_name("m");
        let lm = mock.layer(history.clone());
        for i in 0..10 {
            lm.complete(ask(&format!("q{i}"))).await.unwrap();
        }
        assert_eq!(history.len(), 3);
        let kept: Vec<String> = history.last(10).iter().map(|c| c.messages[0].content.clone()).collect();
        assert_eq!(kept, ["q7", "q8", "q9"]);
        let printed = history.inspect(2);
        assert!(!printed.contains("q7") && printed.contains("q8") && printed.contains("q9"), "{printed}");
        assert!(printed.find("User message:\n\nq8").unwrap() < printed.find("Response:\n\nre: q9").unwrap());
        history.clear();
        assert!(history.is_empty() && history.inspect(5).is_empty());
    }

    #[tokio::test]
    async fn failures_are_recorded_with_their_error() {
        let history = History::new(10);
        let lm = MockLm::new(Vec::<String>::new()).with_model_name("m").layer(history.clone());
        assert!(lm.complete(ask("q")).await.is_err());
        let calls = history.last(1);
        assert_eq!(calls[0].model, "m");
        assert!(calls[0].outcome.is_err());
        assert!(history.inspect(1).contains("Error:\n\n"));
    }

    #[test]
    fn the_wrapped_future_is_send() {
        fn send<T: Send>(_: T) {}
        let lm = MockLm::new(["a"]).layer(History::new(1));
        send(lm.complete(ask("q")));
    }
}
