//! [`MockLm`]: an in-process, scripted [`LanguageModel`] that records its requests.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use cognate_core::{Choice, FinishReason, LanguageModel, LmError, LmRequest, LmResponse, Usage};

type ScriptFn = dyn Fn(&LmRequest) -> Result<String, LmError> + Send + Sync;

enum Script {
    Queue(VecDeque<Result<String, LmError>>),
    Func(Arc<ScriptFn>),
}

struct Inner {
    model: String,
    usage: Option<Usage>,
    supports_json_schema: bool,
    script: Mutex<Script>,
    requests: Mutex<Vec<LmRequest>>,
}

/// A scripted language model for unit tests.
///
/// It answers from a queue of replies (or errors), or from a closure, and records every
/// request it receives. Clones share the script and the record, so a test can hand one clone
/// to the code under test and keep another for assertions.
///
/// ```
/// use cognate_core::{LanguageModel, LmRequest, Message};
/// use cognate_testing::MockLm;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let lm = MockLm::new(["[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]"]);
/// let reply = lm.complete(LmRequest::new(vec![Message::user("Capital of France?")])).await.unwrap();
/// assert!(reply.choices[0].text.contains("Paris"));
/// assert_eq!(lm.requests()[0].messages[0].content, "Capital of France?");
/// // The script is used up: the next call is an error.
/// assert!(lm.complete(LmRequest::default()).await.is_err());
/// # }
/// ```
///
/// A request with `n > 1` takes `n` replies from the queue (or calls the closure `n` times).
/// Usage defaults to an estimate of four characters per token; set a fixed one with
/// [`with_usage`](Self::with_usage).
#[derive(Clone)]
pub struct MockLm {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl MockLm {
    fn with_script(script: Script) -> Self {
        MockLm {
            inner: Arc::new(Inner {
                model: "mock-lm".into(),
                usage: None,
                supports_json_schema: false,
                script: Mutex::new(script),
                requests: Mutex::new(Vec::new()),
            }),
        }
    }

    /// A model that answers with `replies`, in order, then fails.
    pub fn new<I>(replies: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        Self::with_script(Script::Queue(replies.into_iter().map(|r| Ok(r.into())).collect()))
    }

    /// A model that answers every request with `f(&request)`.
    pub fn from_fn(f: impl Fn(&LmRequest) -> Result<String, LmError> + Send + Sync + 'static) -> Self {
        Self::with_script(Script::Func(Arc::new(f)))
    }

    fn map_inner(self, f: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = Arc::try_unwrap(self.inner).unwrap_or_else(|shared| Inner {
            model: shared.model.clone(),
            usage: shared.usage,
            supports_json_schema: shared.supports_json_schema,
            script: Mutex::new(match &*lock(&shared.script) {
                Script::Queue(q) => Script::Queue(q.clone()),
                Script::Func(f) => Script::Func(Arc::clone(f)),
            }),
            requests: Mutex::new(lock(&shared.requests).clone()),
        });
        f(&mut inner);
        MockLm { inner: Arc::new(inner) }
    }

    /// Sets the model name (default `mock-lm`).
    #[must_use]
    pub fn with_model_name(self, model: impl Into<String>) -> Self {
        let model = model.into();
        self.map_inner(|i| i.model = model)
    }

    /// Reports this usage for every call instead of the estimate.
    #[must_use]
    pub fn with_usage(self, usage: Usage) -> Self {
        self.map_inner(|i| i.usage = Some(usage))
    }

    /// Sets what [`LanguageModel::supports_json_schema`] answers (default `false`).
    #[must_use]
    pub fn with_json_schema_support(self, supported: bool) -> Self {
        self.map_inner(|i| i.supports_json_schema = supported)
    }

    /// Appends a reply to the queue (no effect on closure scripts).
    pub fn push_reply(&self, reply: impl Into<String>) {
        if let Script::Queue(q) = &mut *lock(&self.inner.script) {
            q.push_back(Ok(reply.into()));
        }
    }

    /// Appends an error to the queue (no effect on closure scripts).
    pub fn push_error(&self, error: LmError) {
        if let Script::Queue(q) = &mut *lock(&self.inner.script) {
            q.push_back(Err(error));
        }
    }

    /// Replies still queued (`None` for a closure script).
    pub fn remaining(&self) -> Option<usize> {
        match &*lock(&self.inner.script) {
            Script::Queue(q) => Some(q.len()),
            Script::Func(_) => None,
        }
    }

    /// Every request received so far, in order (including those that got errors).
    pub fn requests(&self) -> Vec<LmRequest> {
        lock(&self.inner.requests).clone()
    }

    /// The most recent request.
    pub fn last_request(&self) -> Option<LmRequest> {
        lock(&self.inner.requests).last().cloned()
    }

    /// How many requests were received.
    pub fn call_count(&self) -> usize {
        lock(&self.inner.requests).len()
    }

    fn next_reply(&self, request: &LmRequest) -> Result<String, LmError> {
        let func = match &mut *lock(&self.inner.script) {
            Script::Queue(q) => {
                return q.pop_front().unwrap_or_else(|| {
                    Err(LmError::Other(format!(
                        "MockLm `{}` ran out of scripted replies (request #{})",
                        self.inner.model,
                        self.call_count()
                    )))
                });
            }
            Script::Func(f) => Arc::clone(f),
        };
        // The lock is released before user code runs, so the closure may use this MockLm.
        func(request)
    }

    fn answer(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        lock(&self.inner.requests).push(request.clone());
        let n = request.n.unwrap_or(1).max(1);
        let mut choices = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let text = self.next_reply(&request)?;
            choices.push(Choice { text, finish_reason: Some(FinishReason::Stop) });
        }
        let usage = self.inner.usage.unwrap_or_else(|| {
            let prompt: usize = request.messages.iter().map(|m| m.content.len()).sum();
            let prompt_tokens = prompt.div_ceil(4) as u64;
            let completion_tokens: u64 = choices.iter().map(|c| c.text.len().div_ceil(4) as u64).sum();
            Usage::new(prompt_tokens, completion_tokens)
        });
        let model = request.model.clone().unwrap_or_else(|| self.inner.model.clone());
        Ok(LmResponse { choices, usage, model, cache_hit: false })
    }
}

impl Default for MockLm {
    /// A model with an empty queue: every call fails until replies are pushed.
    fn default() -> Self {
        MockLm::new(Vec::<String>::new())
    }
}

impl LanguageModel for MockLm {
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        self.answer(request)
    }

    fn model_name(&self) -> &str {
        &self.inner.model
    }

    fn supports_json_schema(&self) -> bool {
        self.inner.supports_json_schema
    }
}

impl fmt::Debug for MockLm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockLm")
            .field("model", &self.inner.model)
            .field("remaining", &self.remaining())
            .field("calls", &self.call_count())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use cognate_core::{Message, SharedLm};

    use super::*;

    fn req(text: &str) -> LmRequest {
        LmRequest::new(vec![Message::user(text)])
    }

    #[tokio::test]
    async fn queue_replies_in_order_then_errors() {
        let lm = MockLm::new(["one", "two"]);
        assert_eq!(lm.complete(req("a")).await.unwrap().choices[0].text, "one");
        assert_eq!(lm.complete(req("b")).await.unwrap().choices[0].text, "two");
        let err = lm.complete(req("c")).await.unwrap_err();
        assert!(matches!(&err, LmError::Other(m) if m.contains("ran out of scripted replies")), "{err}");
        let seen: Vec<_> = lm.requests().into_iter().map(|r| r.messages[0].content.clone()).collect();
        assert_eq!(seen, ["a", "b", "c"]);
        assert_eq!(lm.call_count(), 3);
    }

    #[tokio::test]
    async fn closure_scripts_see_the_request_and_may_fail() {
        let lm = MockLm::from_fn(|r| match r.messages[0].content.as_str() {
            "boom" => Err(LmError::Http { status: 503, message: "down".into(), retry_after: None }),
            other => Ok(other.to_uppercase()),
        });
        assert_eq!(lm.complete(req("hi")).await.unwrap().choices[0].text, "HI");
        assert_eq!(lm.complete(req("boom")).await.unwrap_err().status(), Some(503));
        assert_eq!(lm.remaining(), None);
    }

    #[tokio::test]
    async fn pushed_errors_n_choices_usage_and_options() {
        let lm = MockLm::default().with_model_name("scripted").with_json_schema_support(true);
        lm.push_error(LmError::Timeout {
            limit: cognate_core::TimeoutLimit::Request,
            after: std::time::Duration::from_secs(1),
        });
        lm.push_reply("x");
        lm.push_reply("y");
        assert!(matches!(lm.complete(req("a")).await, Err(LmError::Timeout { .. })));
        let mut r = req("abcdefgh");
        r.n = Some(2);
        let resp = lm.complete(r).await.unwrap();
        assert_eq!(resp.choices.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(resp.usage, Usage::new(2, 2));
        assert_eq!(resp.model, "scripted");
        assert!(LanguageModel::supports_json_schema(&lm));

        let fixed = Usage::new(10, 5);
        let lm = MockLm::new(["z"]).with_usage(fixed);
        assert_eq!(lm.complete(req("q")).await.unwrap().usage, fixed);
    }

    #[tokio::test]
    async fn clones_share_state_and_work_as_shared_lm() {
        let lm = MockLm::new(["shared"]);
        let shared: SharedLm = Arc::new(lm.clone());
        assert_eq!(shared.complete_boxed(req("q")).await.unwrap().choices[0].text, "shared");
        assert_eq!(lm.last_request().unwrap().messages[0].content, "q");
        assert_eq!(lm.remaining(), Some(0));
    }

    #[test]
    fn future_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let lm = MockLm::default();
        assert_send(&lm.complete(LmRequest::default()));
    }
}
