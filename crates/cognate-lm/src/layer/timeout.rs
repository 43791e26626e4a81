//! [`Timeout`]: a per-call time limit and an absolute deadline. A call that takes longer than
//! the limit fails with [`LmError::Timeout`] (`limit: TimeoutLimit::Call`); once the deadline
//! has passed, every call fails at once with `TimeoutLimit::Deadline`, without reaching the
//! model (a run's wall-clock budget).
//!
//! ```
//! use std::time::Duration;
//! use cognate_core::{LanguageModel, LanguageModelExt, LmError, LmRequest, Message, TimeoutLimit};
//! use cognate_lm::layer::timeout::Timeout;
//! use cognate_testing::MockLm;
//! use tokio::time::Instant;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let mock = MockLm::new(["fast enough"]);
//! let run_ends = Instant::now() + Duration::from_secs(3600);
//! let lm = mock.clone().layer(Timeout::per_call(Duration::from_secs(30)).with_deadline(run_ends));
//! let reply = lm.complete(LmRequest::new(vec![Message::user("q")])).await.unwrap();
//! assert_eq!(reply.choices[0].text, "fast enough");
//!
//! // Past the deadline every call fails fast, and the model is not called.
//! let late = mock.clone().layer(Timeout::deadline(Instant::now()));
//! let err = late.complete(LmRequest::new(vec![Message::user("q")])).await.unwrap_err();
//! assert_eq!(err.timeout_limit(), Some(TimeoutLimit::Deadline));
//! assert!(!err.is_retryable()); // the deadline stays passed
//! assert_eq!(mock.call_count(), 1);
//! # }
//! ```
//!
//! The limit covers the whole call of the wrapped model: put the layer directly around the
//! client to time each attempt (inside the rate limit and the retry layer, so waiting for a
//! rate-limit slot or a back-off does not count), and a deadline outermost, so that it covers
//! retries and waits too (docs/lm.md, "Layers", gives the whole order). A time-out is
//! retryable ([`LmError::is_retryable`]); a missed deadline is not.
//!
//! Both use tokio's clock (`tokio::time`), so tests on a paused clock
//! (`tokio::time::pause`) are deterministic; the layer needs a tokio runtime with the time
//! driver enabled, as every HTTP client of this crate does.

use std::time::Duration;

use cognate_core::{LanguageModel, Layer, LmError, LmRequest, LmResponse, SharedLm, TimeoutLimit};
use tokio::time::Instant;

/// The layer: a per-call time limit, a deadline, or both. Wraps a model in a [`TimedLm`].
///
/// `Timeout` is `Copy`; the deadline is an absolute instant, so every model wrapped with the
/// same value shares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout {
    per_call: Option<Duration>,
    deadline: Option<Deadline>,
}

/// An absolute deadline and the time that was left when it was set (reported as the
/// error's `after`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Deadline {
    at: Instant,
    budget: Duration,
}

impl Timeout {
    /// Fails a call that takes longer than `limit` with
    /// `LmError::Timeout { limit: TimeoutLimit::Call, after: limit }`.
    #[must_use]
    pub fn per_call(limit: Duration) -> Self {
        Timeout { per_call: Some(limit), deadline: None }
    }

    /// Fails every call at `at` or later with
    /// `LmError::Timeout { limit: TimeoutLimit::Deadline, after }`, where `after` is the time
    /// left when the deadline was set; a call already running when it passes is cut off at
    /// that instant. Accepts a `tokio::time::Instant` or a `std::time::Instant`.
    #[must_use]
    pub fn deadline(at: impl Into<Instant>) -> Self {
        Timeout { per_call: None, deadline: None }.with_deadline(at)
    }

    /// Adds (or replaces) a deadline; see [`deadline`](Self::deadline).
    #[must_use]
    pub fn with_deadline(mut self, at: impl Into<Instant>) -> Self {
        let at = at.into();
        self.deadline = Some(Deadline { at, budget: at.saturating_duration_since(Instant::now()) });
        self
    }

    /// Adds (or replaces) the per-call limit; see [`per_call`](Self::per_call).
    #[must_use]
    pub fn with_per_call(mut self, limit: Duration) -> Self {
        self.per_call = Some(limit);
        self
    }

    /// The per-call limit, if any.
    pub fn per_call_limit(&self) -> Option<Duration> {
        self.per_call
    }

    /// The deadline, if any.
    pub fn deadline_at(&self) -> Option<Instant> {
        self.deadline.map(|d| d.at)
    }
}

impl<L: LanguageModel> Layer<L> for Timeout {
    type Lm = TimedLm<L>;

    fn layer(&self, inner: L) -> TimedLm<L> {
        TimedLm { inner, timeout: *self }
    }
}

/// Forwards to another model under a [`Timeout`]: the call is abandoned (its future dropped,
/// which cancels an HTTP request) when the per-call limit or the deadline passes, whichever
/// comes first.
#[derive(Debug, Clone)]
pub struct TimedLm<L = SharedLm> {
    inner: L,
    timeout: Timeout,
}

impl<L> TimedLm<L> {
    /// Wraps `inner` under `timeout`.
    pub fn new(inner: L, timeout: Timeout) -> Self {
        TimedLm { inner, timeout }
    }

    /// The limits applied.
    pub fn timeout(&self) -> &Timeout {
        &self.timeout
    }
}

impl<L: LanguageModel> TimedLm<L> {
    /// When this call must end, and the error it gets then.
    fn limit_for_call(&self, now: Instant) -> Option<(Instant, LmError)> {
        let call = self.timeout.per_call.map(|limit| {
            let at = now.checked_add(limit);
            (at, LmError::Timeout { limit: TimeoutLimit::Call, after: limit })
        });
        let deadline = self
            .timeout
            .deadline
            .map(|d| (Some(d.at), LmError::Timeout { limit: TimeoutLimit::Deadline, after: d.budget }));
        // An instant too far away to represent (`None`) never fires. On a tie the deadline
        // wins: it is the final one.
        match (call, deadline) {
            (Some((Some(c), call)), Some((Some(d), deadline))) => Some(if c < d { (c, call) } else { (d, deadline) }),
            (Some((Some(c), call)), _) => Some((c, call)),
            (_, Some((Some(d), deadline))) => Some((d, deadline)),
            _ => None,
        }
    }
}

impl<L: LanguageModel> LanguageModel for TimedLm<L> {
    /// Calls the wrapped model under the limits.
    ///
    /// # Errors
    /// The wrapped model's errors, or `LmError::Timeout` with `TimeoutLimit::Call` (the
    /// per-call limit fired) or `TimeoutLimit::Deadline` (the deadline passed, before or during
    /// the call).
    ///
    /// # Cancel safety
    /// Dropping the future drops the wrapped model's call.
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        let now = Instant::now();
        let Some((at, error)) = self.limit_for_call(now) else {
            return self.inner.complete(request).await;
        };
        if at <= now {
            tracing::debug!(target: "cognate::lm", model = self.inner.model_name(), %error, "lm call not sent: deadline passed");
            return Err(error);
        }
        match tokio::time::timeout_at(at, self.inner.complete(request)).await {
            Ok(result) => result,
            Err(_elapsed) => {
                tracing::debug!(target: "cognate::lm", model = self.inner.model_name(), %error, "lm call abandoned");
                Err(error)
            }
        }
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
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use cognate_core::{Choice, LanguageModelExt, Message, Usage};

    use super::*;

    /// Answers after `delay` (on tokio's clock) and counts the calls that started.
    #[derive(Clone)]
    struct SlowLm {
        delay: Duration,
        started: Arc<AtomicUsize>,
    }

    impl SlowLm {
        fn new(delay: Duration) -> Self {
            SlowLm { delay, started: Arc::default() }
        }
    }

    impl LanguageModel for SlowLm {
        async fn complete(&self, _request: LmRequest) -> Result<LmResponse, LmError> {
            self.started.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(self.delay).await;
            Ok(LmResponse {
                choices: vec![Choice { text: "done".into(), finish_reason: None }],
                usage: Usage::default(),
                model: "slow".into(),
                cache_hit: false,
            })
        }
        fn model_name(&self) -> &str {
            "slow"
        }
        fn supports_json_schema(&self) -> bool {
            true
        }
    }

    fn req() -> LmRequest {
        LmRequest::new(vec![Message::user("q")])
    }

    const SEC: Duration = Duration::from_secs(1);

    #[tokio::test(start_paused = true)]
    async fn per_call_limit_fires_on_a_slow_model_at_the_limit_and_not_on_a_fast_one() {
        let slow = SlowLm::new(10 * SEC).layer(Timeout::per_call(2 * SEC));
        let start = Instant::now();
        let err = slow.complete(req()).await.unwrap_err();
        assert!(matches!(err, LmError::Timeout { limit: TimeoutLimit::Call, after } if after == 2 * SEC), "{err:?}");
        assert_eq!(err.to_string(), "lm call timed out after 2s");
        assert!(err.is_retryable());
        assert_eq!(start.elapsed(), 2 * SEC); // paused clock: exact

        let fast = SlowLm::new(SEC).layer(Timeout::per_call(2 * SEC));
        assert_eq!(fast.complete(req()).await.unwrap().choices[0].text, "done");
    }

    #[tokio::test(start_paused = true)]
    async fn deadline_fails_fast_once_passed_and_cuts_a_running_call() {
        let lm = SlowLm::new(10 * SEC);
        let timed = lm.clone().layer(Timeout::deadline(Instant::now() + 5 * SEC));
        let start = Instant::now();
        let err = timed.complete(req()).await.unwrap_err();
        assert!(
            matches!(err, LmError::Timeout { limit: TimeoutLimit::Deadline, after } if after == 5 * SEC),
            "{err:?}"
        );
        assert_eq!(start.elapsed(), 5 * SEC);
        assert!(!err.is_retryable());
        // Now past it: the next call fails at once and never reaches the model.
        let err = timed.complete(req()).await.unwrap_err();
        assert_eq!(err.timeout_limit(), Some(TimeoutLimit::Deadline));
        assert_eq!(start.elapsed(), 5 * SEC);
        assert_eq!(lm.started.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_earlier_of_the_two_limits_fires() {
        let start = Instant::now();
        let both = Timeout::per_call(3 * SEC).with_deadline(start + 8 * SEC);
        let lm = SlowLm::new(10 * SEC).layer(both);
        // Call 1 (0 s → 3 s): the per-call limit is earlier.
        assert_eq!(lm.complete(req()).await.unwrap_err().timeout_limit(), Some(TimeoutLimit::Call));
        // Call 2 (3 s → 6 s): still the per-call limit.
        assert_eq!(lm.complete(req()).await.unwrap_err().timeout_limit(), Some(TimeoutLimit::Call));
        // Call 3 (6 s → 8 s): the deadline comes first.
        assert_eq!(lm.complete(req()).await.unwrap_err().timeout_limit(), Some(TimeoutLimit::Deadline));
        assert_eq!(start.elapsed(), 8 * SEC);
        // A tie goes to the deadline: it is final.
        let tie = SlowLm::new(10 * SEC).layer(Timeout::per_call(SEC).with_deadline(Instant::now() + SEC));
        assert_eq!(tie.complete(req()).await.unwrap_err().timeout_limit(), Some(TimeoutLimit::Deadline));
    }

    #[tokio::test(start_paused = true)]
    async fn forwards_identity_and_errors_and_survives_huge_limits() {
        let lm = SlowLm::new(SEC).layer(Timeout::per_call(Duration::MAX));
        assert_eq!(lm.model_name(), "slow");
        assert!(lm.supports_json_schema());
        assert!(lm.complete(req()).await.is_ok()); // `now + MAX` overflows: no limit
        assert_eq!(lm.timeout().per_call_limit(), Some(Duration::MAX));
        assert_eq!(lm.timeout().deadline_at(), None);

        let failing = cognate_testing::MockLm::default().layer(Timeout::per_call(SEC));
        assert!(matches!(failing.complete(req()).await, Err(LmError::Other(_))));
        // A deadline set in the past has no time left.
        let past = Timeout::deadline(Instant::now() - SEC);
        let err = SlowLm::new(SEC).layer(past).complete(req()).await.unwrap_err();
        assert!(matches!(err, LmError::Timeout { after: Duration::ZERO, .. }), "{err:?}");
    }
}
