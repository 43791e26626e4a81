//! [`ConcurrencyLimit`]: at most `n` calls in flight at once, across every task and every model
//! wrapped with the same limit (or a clone of it). Callers beyond `n` wait in a fair (first
//! come, first served) queue.
//!
//! ```
//! use cognate_core::{LanguageModel, LanguageModelExt, LmRequest, Message};
//! use cognate_lm::layer::concurrency::ConcurrencyLimit;
//! use cognate_testing::MockLm;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let limit = ConcurrencyLimit::new(8);
//! // Two models, one limit: at most 8 calls in flight between them.
//! let a = MockLm::new(["a"]).layer(limit.clone());
//! let b = MockLm::new(["b"]).layer(limit.clone());
//! let (ra, rb) = tokio::join!(
//!     a.complete(LmRequest::new(vec![Message::user("q")])),
//!     b.complete(LmRequest::new(vec![Message::user("q")])),
//! );
//! assert_eq!((ra.unwrap().choices[0].text.as_str(), rb.unwrap().choices[0].text.as_str()), ("a", "b"));
//! assert_eq!(limit.available(), 8); // every permit is back
//! # }
//! ```
//!
//! A call holds its permit for the whole call of the wrapped model. Put the layer outside the
//! rate limit (a call waiting for a permit must not delay a request the rate limiter has
//! already counted as sent) and inside the retry layer, so a call sleeping between attempts
//! holds no permit; docs/lm.md, "Layers", gives the whole order.

use std::sync::Arc;

use cognate_core::{LanguageModel, Layer, LmError, LmRequest, LmResponse, SharedLm};
use tokio::sync::Semaphore;

/// The layer: at most `n` calls in flight through every model it wraps. Clones share the
/// limit, so one value (and its clones) is one pool of permits.
#[derive(Debug, Clone)]
pub struct ConcurrencyLimit {
    semaphore: Arc<Semaphore>,
    limit: usize,
}

impl ConcurrencyLimit {
    /// At most `limit` calls in flight.
    ///
    /// # Panics
    /// If `limit` is zero (no call could ever run) or above `tokio::sync::Semaphore::MAX_PERMITS`.
    #[must_use]
    pub fn new(limit: usize) -> Self {
        assert!(limit > 0, "ConcurrencyLimit::new(0) would block every call; the limit must be at least 1");
        assert!(
            limit <= Semaphore::MAX_PERMITS,
            "ConcurrencyLimit::new({limit}) is above the largest limit, {}",
            Semaphore::MAX_PERMITS
        );
        ConcurrencyLimit { semaphore: Arc::new(Semaphore::new(limit)), limit }
    }

    /// The limit.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Permits free right now (`limit` minus the calls in flight).
    pub fn available(&self) -> usize {
        self.semaphore.available_permits()
    }

    /// Calls in flight right now.
    pub fn in_flight(&self) -> usize {
        self.limit - self.available()
    }
}

impl<L: LanguageModel> Layer<L> for ConcurrencyLimit {
    type Lm = ConcurrencyLimitedLm<L>;

    fn layer(&self, inner: L) -> ConcurrencyLimitedLm<L> {
        ConcurrencyLimitedLm { inner, limit: self.clone() }
    }
}

/// Forwards to another model holding one permit of a [`ConcurrencyLimit`] per call.
#[derive(Debug, Clone)]
pub struct ConcurrencyLimitedLm<L = SharedLm> {
    inner: L,
    limit: ConcurrencyLimit,
}

impl<L> ConcurrencyLimitedLm<L> {
    /// Wraps `inner` under `limit` (shared with every other model it wraps).
    pub fn new(inner: L, limit: ConcurrencyLimit) -> Self {
        ConcurrencyLimitedLm { inner, limit }
    }

    /// The shared limit.
    pub fn limit(&self) -> &ConcurrencyLimit {
        &self.limit
    }
}

impl<L: LanguageModel> LanguageModel for ConcurrencyLimitedLm<L> {
    /// Waits for a permit (first come, first served), then calls the wrapped model.
    ///
    /// # Errors
    /// The wrapped model's errors.
    ///
    /// # Cancel safety
    /// Dropping the future while it waits leaves the queue without taking a permit; dropping
    /// it during the call returns the permit. No permit is ever lost.
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        // The semaphore is never closed, so `acquire` cannot fail; the error is kept typed anyway.
        let _permit = self
            .limit
            .semaphore
            .acquire()
            .await
            .map_err(|_closed| LmError::Other("the concurrency limit's semaphore was closed".into()))?;
        self.inner.complete(request).await
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
    use std::sync::Mutex;
    use std::time::Duration;

    use cognate_core::{Choice, LanguageModelExt, Message, Usage};

    use super::*;

    /// Records the order calls start in and the most calls in flight at once; each call
    /// takes `delay` on tokio's clock.
    #[derive(Clone, Default)]
    struct Gauge {
        state: Arc<Mutex<(usize, usize, Vec<String>)>>, // (in flight, max, order)
        delay: Duration,
    }

    /// Counts a call out of flight when dropped, also when the call is aborted.
    struct InFlight<'a>(&'a Mutex<(usize, usize, Vec<String>)>);

    impl Drop for InFlight<'_> {
        fn drop(&mut self) {
            self.0.lock().unwrap().0 -= 1;
        }
    }

    impl LanguageModel for Gauge {
        async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
            let _in_flight = {
                let mut s = self.state.lock().unwrap();
                s.0 += 1;
                s.1 = s.1.max(s.0);
                s.2.push(request.messages[0].content.clone());
                InFlight(&self.state)
            };
            tokio::time::sleep(self.delay).await;
            Ok(LmResponse {
                choices: vec![Choice { text: "ok".into(), finish_reason: None }],
                usage: Usage::default(),
                model: "gauge".into(),
                cache_hit: false,
            })
        }
        fn model_name(&self) -> &str {
            "gauge"
        }
    }

    fn req(text: &str) -> LmRequest {
        LmRequest::new(vec![Message::user(text)])
    }

    #[tokio::test(start_paused = true)]
    async fn waiters_are_served_in_arrival_order() {
        let gauge = Gauge { delay: Duration::from_millis(10), ..Gauge::default() };
        let lm = Arc::new(gauge.clone().layer(ConcurrencyLimit::new(1)));
        let mut tasks = Vec::new();
        for i in 0..20 {
            let lm = Arc::clone(&lm);
            tasks.push(tokio::spawn(async move { lm.complete(req(&i.to_string())).await }));
            tokio::task::yield_now().await; // task i queues before task i + 1 is spawned
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let order = gauge.state.lock().unwrap().2.clone();
        assert_eq!(order, (0..20).map(|i| i.to_string()).collect::<Vec<_>>());
    }

    #[tokio::test(start_paused = true)]
    async fn dropped_waiters_and_dropped_calls_return_every_permit() {
        let limit = ConcurrencyLimit::new(2);
        let gauge = Gauge { delay: Duration::from_secs(1), ..Gauge::default() };
        let lm = Arc::new(gauge.clone().layer(limit.clone()));
        let tasks: Vec<_> = (0..6)
            .map(|i| {
                let lm = Arc::clone(&lm);
                tokio::spawn(async move { lm.complete(req(&i.to_string())).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!((limit.in_flight(), limit.available()), (2, 0));
        // Abort everything: two tasks mid-call, four waiting in the queue.
        for t in &tasks {
            t.abort();
        }
        for t in tasks {
            assert!(t.await.unwrap_err().is_cancelled());
        }
        assert_eq!((limit.in_flight(), limit.available()), (0, 2));
        // The limit still works at full width.
        let (a, b) = tokio::join!(lm.complete(req("x")), lm.complete(req("y")));
        assert!(a.is_ok() && b.is_ok());
        assert_eq!(gauge.state.lock().unwrap().1, 2);
    }

    #[tokio::test]
    async fn forwards_identity_and_errors() {
        let mock = cognate_testing::MockLm::default().with_model_name("m").with_json_schema_support(true);
        let lm = mock.layer(ConcurrencyLimit::new(3));
        assert_eq!((lm.model_name(), lm.supports_json_schema()), ("m", true));
        assert!(matches!(lm.complete(req("q")).await, Err(LmError::Other(_))));
        assert_eq!(lm.limit().available(), 3);
        assert_eq!(lm.limit().limit(), 3);
    }

    #[test]
    #[should_panic(expected = "must be at least 1")]
    fn a_zero_limit_is_refused() {
        let _ = ConcurrencyLimit::new(0);
    }
}
