//! Usage accounting: [`CountingLm`] wraps a language model and adds every call to a shared
//! [`UsageTracker`]: calls, errors, tokens (prompt, completion, cached and reasoning), dollars
//! (from a [`PriceTable`]) and latency.
//!
//! A [`UsageTracker`] is also the layer: `lm.layer(tracker.clone())` makes a `CountingLm`.
//! `cognate_eval::Evaluate` installs one around the current settings' LM for the program's
//! calls, and another for the metric's, so its summary reports both exactly. Use one directly
//! to count any stretch of code:
//!
//! ```
//! use std::sync::Arc;
//! use cognate_core::{LanguageModel, LmRequest, Message, Usage};
//! use cognate_lm::{CountingLm, UsageTracker};
//! use cognate_testing::MockLm;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let usage = Usage::new(1_000, 200).with_cached_tokens(400);
//! let tracker = UsageTracker::new();
//! let mock = MockLm::new(["a", "b"]).with_usage(usage).with_model_name("gpt-4o-mini");
//! let lm = CountingLm::new(Arc::new(mock), tracker.clone());
//! lm.complete(LmRequest::new(vec![Message::user("q")])).await.unwrap();
//! lm.complete(LmRequest::new(vec![Message::user("q")])).await.unwrap();
//! let seen = tracker.snapshot();
//! assert_eq!((seen.calls, seen.prompt_tokens, seen.completion_tokens, seen.cached_tokens), (2, 2_000, 400, 800));
//! // gpt-4o-mini: $0.15 per million prompt tokens, $0.075 cached, $0.60 completion.
//! let dollars = 2.0 * (600.0 * 0.15 + 400.0 * 0.075 + 200.0 * 0.60) / 1e6;
//! assert!((seen.cost().unwrap() - dollars).abs() < 1e-12);
//! println!("{seen}"); // 2 calls, 2000 prompt (800 cached) + 400 completion tokens, $0.000480, ...
//! # }
//! ```
//!
//! Only calls through the wrapper are counted: a module given its own LM (`with_lm`) bypasses
//! the settings, so wrap that LM too when its calls should count.
//!
//! # What is counted
//!
//! * Every call through the wrapper, when its future is first polled: `calls`.
//! * A call that returns an error: `errors`. A call whose future is dropped before it finishes
//!   (cancelled, e.g. by a time-out layered above or an abandoned evaluation): `cancelled`. A
//!   call still running when the snapshot is taken: `in_flight`. So `calls` is always the
//!   sum of the successful calls, `errors`, `cancelled` and `in_flight`: no call is lost.
//! * Tokens, as the provider reported them, of successful calls. A call that may have been
//!   billed but reported no usage — it timed out ([`LmError::Timeout`]), its reply was too
//!   large or undecodable ([`LmError::ResponseTooLarge`], [`LmError::Decode`]), or it was
//!   cancelled — counts in `calls_tokens_unknown`: its tokens, and its cost, are unknown, and
//!   the totals are lower bounds. (Other errors — HTTP statuses, refused connections, a spent
//!   budget — are not billed.)
//! * Dollars: each successful call's usage at its model's price in the tracker's
//!   [`PriceTable`] (the built-in prices unless [`with_prices`](UsageTracker::with_prices) says
//!   otherwise), looked up by the model the provider says answered, else the model asked
//!   for. A call whose model has no price counts in `calls_unpriced` instead: its cost is
//!   unknown, never zero. [`UsageSnapshot::cost`] is the total only when every call's cost is
//!   known; `cost_usd` is the known part.
//! * Latency of the calls that returned (success or error), summed; `mean_latency` divides.
//! * A call answered by a cache below the wrapper ([`LmResponse::cache_hit`], see
//!   [`Cache`](super::cache::Cache)): `cache_hits`. It is a successful call, but its tokens
//!   were served from the cache, not by the provider: they go to `cache_hit_tokens` (the
//!   original call's total), not to the provider token counts, and it costs nothing.

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use cognate_core::{LanguageModel, Layer, LmError, LmRequest, LmResponse, SharedLm, Usage};
use serde::{Deserialize, Serialize};

use crate::pricing::PriceTable;

/// Dollars are summed as whole nanodollars, so concurrent additions are exact.
const NANOS_PER_DOLLAR: f64 = 1e9;

#[derive(Debug, Default)]
struct Counters {
    calls: AtomicU64,
    errors: AtomicU64,
    cancelled: AtomicU64,
    in_flight: AtomicU64,
    calls_tokens_unknown: AtomicU64,
    prompt_tokens: AtomicU64,
    completion_tokens: AtomicU64,
    total_tokens: AtomicU64,
    cached_tokens: AtomicU64,
    reasoning_tokens: AtomicU64,
    cost_nanodollars: AtomicU64,
    calls_unpriced: AtomicU64,
    latency_nanos: AtomicU64,
    cache_hits: AtomicU64,
    cache_hit_tokens: AtomicU64,
}

/// Adds `value` to `counter`, saturating at `u64::MAX` (the counts come from servers).
pub(crate) fn add(counter: &AtomicU64, value: u64) {
    if value != 0 {
        let _ = counter.fetch_update(Relaxed, Relaxed, |old| Some(old.saturating_add(value)));
    }
}

/// `dollars` as whole nanodollars (saturating; a negative or NaN amount is 0).
pub(crate) fn to_nanodollars(dollars: f64) -> u64 {
    // Float-to-int `as` saturates and maps NaN to 0.
    (dollars * NANOS_PER_DOLLAR).round() as u64
}

/// `nanos` nanodollars in dollars.
pub(crate) fn to_dollars(nanos: u64) -> f64 {
    nanos as f64 / NANOS_PER_DOLLAR
}

/// The built-in price table, built once and shared by every tracker that uses it.
fn default_prices() -> Arc<PriceTable> {
    static DEFAULT: OnceLock<Arc<PriceTable>> = OnceLock::new();
    DEFAULT.get_or_init(|| Arc::new(PriceTable::default())).clone()
}

/// `model` in lower case, allocating only when it has upper-case letters.
fn lowercase(model: &str) -> Cow<'_, str> {
    if model.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(model.to_ascii_lowercase())
    } else {
        Cow::Borrowed(model)
    }
}

/// The cost of `usage`, priced by the model that answered, else by the model asked for.
pub(crate) fn price_call(prices: &PriceTable, answered: &str, asked: &str, usage: &Usage) -> Option<f64> {
    let answered = lowercase(answered);
    prices.cost(&answered, usage).or_else(|| {
        let asked = lowercase(asked);
        (asked != answered).then(|| prices.cost(&asked, usage)).flatten()
    })
}

/// Whether a call that failed with `error` may have been billed without reporting its usage.
pub(crate) fn tokens_unknown(error: &LmError) -> bool {
    matches!(error, LmError::Timeout { .. } | LmError::ResponseTooLarge { .. } | LmError::Decode(_))
}

/// Shared counters of LM calls, tokens, dollars and latency. Clones share the counts (and the
/// price table).
#[derive(Debug, Clone)]
pub struct UsageTracker {
    counters: Arc<Counters>,
    prices: Arc<PriceTable>,
}

impl Default for UsageTracker {
    fn default() -> Self {
        UsageTracker { counters: Arc::default(), prices: default_prices() }
    }
}

/// A point-in-time copy of a [`UsageTracker`]'s counts (see the [module docs](self) for what
/// each counts). Fields added since the first version default to 0 when deserialized.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct UsageSnapshot {
    /// Calls made (each `complete`, whatever its `n`), including failed, cancelled and
    /// running ones.
    pub calls: u64,
    /// Calls that returned an error.
    pub errors: u64,
    /// Calls whose future was dropped before they finished.
    #[serde(default)]
    pub cancelled: u64,
    /// Calls still running when the snapshot was taken.
    #[serde(default)]
    pub in_flight: u64,
    /// Calls that may have been billed but whose tokens are unknown: time-outs, replies too
    /// large or undecodable, cancelled calls.
    #[serde(default)]
    pub calls_tokens_unknown: u64,
    /// Prompt tokens of successful calls.
    pub prompt_tokens: u64,
    /// Completion tokens of successful calls.
    pub completion_tokens: u64,
    /// Total tokens of successful calls, as the provider reported them.
    pub total_tokens: u64,
    /// Of the prompt tokens, those read from the provider's prompt cache.
    #[serde(default)]
    pub cached_tokens: u64,
    /// Of the completion tokens, those spent on hidden reasoning.
    #[serde(default)]
    pub reasoning_tokens: u64,
    /// Dollars of the successful calls whose model has a price.
    #[serde(default)]
    pub cost_usd: f64,
    /// Successful calls whose model has no price (their cost is not in `cost_usd`).
    #[serde(default)]
    pub calls_unpriced: u64,
    /// The summed latency of the calls that returned (success or error).
    #[serde(default, with = "seconds")]
    pub latency: Duration,
    /// Successful calls answered by a cache ([`LmResponse::cache_hit`]): their tokens are in
    /// `cache_hit_tokens`, not in the provider token counts above, and they cost nothing.
    #[serde(default)]
    pub cache_hits: u64,
    /// Total tokens of the responses served from a cache (what those calls cost when they
    /// were first made). Not a provider's prompt caching, which is `cached_tokens`.
    #[serde(default)]
    pub cache_hit_tokens: u64,
}

impl UsageSnapshot {
    /// The dollars spent, when every call's cost is known (no call unpriced, none with
    /// unknown tokens); else `None` ([`cost_usd`](Self::cost_usd) is then a lower bound).
    pub fn cost(&self) -> Option<f64> {
        (self.calls_unpriced == 0 && self.calls_tokens_unknown == 0).then_some(self.cost_usd)
    }

    /// Calls that returned (successfully or with an error).
    pub fn returned(&self) -> u64 {
        self.calls.saturating_sub(self.cancelled).saturating_sub(self.in_flight)
    }

    /// Calls that returned a response.
    pub fn succeeded(&self) -> u64 {
        self.returned().saturating_sub(self.errors)
    }

    /// The mean latency of the calls that returned, if any did.
    pub fn mean_latency(&self) -> Option<Duration> {
        let returned = u32::try_from(self.returned()).unwrap_or(u32::MAX);
        (returned > 0).then(|| self.latency / returned)
    }
}

impl fmt::Display for UsageSnapshot {
    /// One line, e.g. `3 calls (1 error, 1 tokens unknown), 2000 prompt (800 cached) + 400
    /// completion tokens, $0.000480 (1 call unpriced), mean latency 120 ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} calls", self.calls)?;
        let mut notes = Vec::new();
        for (count, what) in [
            (self.errors, "errors"),
            (self.cancelled, "cancelled"),
            (self.in_flight, "in flight"),
            (self.calls_tokens_unknown, "tokens unknown"),
        ] {
            if count > 0 {
                notes.push(format!("{count} {what}"));
            }
        }
        if self.cache_hits > 0 {
            notes.push(format!("{} from cache", self.cache_hits));
        }
        if !notes.is_empty() {
            write!(f, " ({})", notes.join(", "))?;
        }
        write!(f, ", {} prompt", self.prompt_tokens)?;
        if self.cached_tokens > 0 {
            write!(f, " ({} cached)", self.cached_tokens)?;
        }
        write!(f, " + {} completion", self.completion_tokens)?;
        if self.reasoning_tokens > 0 {
            write!(f, " ({} reasoning)", self.reasoning_tokens)?;
        }
        write!(f, " tokens, ${:.6}", self.cost_usd)?;
        if self.calls_unpriced > 0 {
            write!(f, " ({} calls unpriced)", self.calls_unpriced)?;
        }
        if let Some(mean) = self.mean_latency() {
            write!(f, ", mean latency {} ms", mean.as_millis())?;
        }
        Ok(())
    }
}

impl UsageTracker {
    /// A tracker at zero, pricing calls with the built-in [`PriceTable`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Prices calls with `prices` instead of the built-in table (clones made afterwards share
    /// it; the counts are shared as before).
    #[must_use]
    pub fn with_prices(mut self, prices: PriceTable) -> Self {
        self.prices = Arc::new(prices);
        self
    }

    /// The price table calls are priced with.
    pub fn prices(&self) -> &PriceTable {
        &self.prices
    }

    /// The counts so far.
    pub fn snapshot(&self) -> UsageSnapshot {
        let c = &self.counters;
        UsageSnapshot {
            calls: c.calls.load(Relaxed),
            errors: c.errors.load(Relaxed),
            cancelled: c.cancelled.load(Relaxed),
            in_flight: c.in_flight.load(Relaxed),
            calls_tokens_unknown: c.calls_tokens_unknown.load(Relaxed),
            prompt_tokens: c.prompt_tokens.load(Relaxed),
            completion_tokens: c.completion_tokens.load(Relaxed),
            total_tokens: c.total_tokens.load(Relaxed),
            cached_tokens: c.cached_tokens.load(Relaxed),
            reasoning_tokens: c.reasoning_tokens.load(Relaxed),
            cost_usd: to_dollars(c.cost_nanodollars.load(Relaxed)),
            calls_unpriced: c.calls_unpriced.load(Relaxed),
            latency: Duration::from_nanos(c.latency_nanos.load(Relaxed)),
            cache_hits: c.cache_hits.load(Relaxed),
            cache_hit_tokens: c.cache_hit_tokens.load(Relaxed),
        }
    }

    /// Wraps `lm` so that its calls are counted here.
    pub fn wrap(&self, lm: SharedLm) -> SharedLm {
        Arc::new(CountingLm::new(lm, self.clone()))
    }
}

/// A [`LanguageModel`] that forwards to another and counts calls, tokens, dollars and latency
/// in a [`UsageTracker`] (see the [module docs](self)). A call is counted when it is issued;
/// a call abandoned by dropping its future counts as cancelled, with its tokens unknown; a
/// call answered by a cache below it counts as a cache hit.
#[derive(Clone)]
pub struct CountingLm<L = SharedLm> {
    inner: L,
    tracker: UsageTracker,
}

impl<L> CountingLm<L> {
    /// Wraps `inner`, counting into `tracker`.
    pub fn new(inner: L, tracker: UsageTracker) -> Self {
        CountingLm { inner, tracker }
    }

    /// The tracker counted into.
    pub fn tracker(&self) -> &UsageTracker {
        &self.tracker
    }
}

impl<L: LanguageModel> fmt::Debug for CountingLm<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CountingLm")
            .field("inner", &self.inner.model_name())
            .field("usage", &self.tracker.snapshot())
            .finish()
    }
}

impl<L: LanguageModel> Layer<L> for UsageTracker {
    type Lm = CountingLm<L>;

    fn layer(&self, inner: L) -> CountingLm<L> {
        CountingLm::new(inner, self.clone())
    }
}

/// Counts a call that is running; when dropped before [`finish`](Self::finish), the call was
/// cancelled.
struct InFlight<'a> {
    counters: &'a Counters,
    model: &'a str,
    finished: bool,
}

impl<'a> InFlight<'a> {
    fn start(counters: &'a Counters, model: &'a str) -> Self {
        counters.calls.fetch_add(1, Relaxed);
        counters.in_flight.fetch_add(1, Relaxed);
        InFlight { counters, model, finished: false }
    }

    fn finish(mut self) {
        self.finished = true;
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let c = self.counters;
        c.in_flight.fetch_sub(1, Relaxed);
        if !self.finished {
            c.cancelled.fetch_add(1, Relaxed);
            c.calls_tokens_unknown.fetch_add(1, Relaxed);
            tracing::debug!(target: "cognate::lm", model = self.model,
                "lm call cancelled before it finished; counted with its tokens unknown");
        }
    }
}

impl<L: LanguageModel> LanguageModel for CountingLm<L> {
    /// Forwards the call and counts it.
    ///
    /// # Errors
    /// Those of the wrapped model, unchanged.
    ///
    /// # Cancel safety
    /// Dropping the future cancels the wrapped call and counts it as cancelled.
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        let c = &*self.tracker.counters;
        let guard = InFlight::start(c, self.inner.model_name());
        let asked = request.model.clone();
        let started = Instant::now();
        let result = self.inner.complete(request).await;
        add(&c.latency_nanos, u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX));
        match &result {
            Ok(response) if response.cache_hit => {
                c.cache_hits.fetch_add(1, Relaxed);
                add(&c.cache_hit_tokens, response.usage.total_tokens);
                // A hit costs nothing. Into the call's span (a module's `lm_call`), when it
                // declares the field.
                tracing::Span::current().record("cognate.cost_usd", 0.0);
            }
            Ok(response) => {
                let usage = &response.usage;
                add(&c.prompt_tokens, usage.prompt_tokens);
                add(&c.completion_tokens, usage.completion_tokens);
                add(&c.total_tokens, usage.total_tokens);
                add(&c.cached_tokens, usage.cached_tokens);
                add(&c.reasoning_tokens, usage.reasoning_tokens);
                let asked = asked.as_deref().unwrap_or_else(|| self.inner.model_name());
                match price_call(&self.tracker.prices, &response.model, asked, usage) {
                    Some(dollars) => {
                        add(&c.cost_nanodollars, to_nanodollars(dollars));
                        tracing::Span::current().record("cognate.cost_usd", dollars);
                    }
                    None => {
                        c.calls_unpriced.fetch_add(1, Relaxed);
                    }
                }
            }
            Err(error) => {
                c.errors.fetch_add(1, Relaxed);
                if tokens_unknown(error) {
                    c.calls_tokens_unknown.fetch_add(1, Relaxed);
                }
            }
        }
        guard.finish();
        result
    }

    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn supports_json_schema(&self) -> bool {
        self.inner.supports_json_schema()
    }
}

/// Serializes a [`Duration`] as fractional seconds (a bad value reads as zero).
mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Ok(Duration::try_from_secs_f64(secs).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Waker};

    use cognate_core::{Choice, LanguageModelExt, Message, TimeoutLimit};
    use cognate_testing::MockLm;

    use super::*;
    use crate::pricing::ModelPrice;

    fn req() -> LmRequest {
        LmRequest::new(vec![Message::user("q")])
    }

    #[tokio::test]
    async fn counts_calls_errors_tokens_and_dollars_and_forwards_identity() {
        let usage = Usage::new(7, 3).with_cached_tokens(2).with_reasoning_tokens(1);
        let mock = MockLm::new(["ok"]).with_usage(usage).with_model_name("gpt-4.1").with_json_schema_support(true);
        let tracker = UsageTracker::new();
        let lm = tracker.wrap(Arc::new(mock));
        assert_eq!(lm.model_name(), "gpt-4.1");
        assert!(lm.supports_json_schema());
        assert!(lm.complete_boxed(req()).await.is_ok());
        assert!(lm.complete_boxed(req()).await.is_err()); // the script is empty
        let seen = tracker.snapshot();
        let dollars = (5.0 * 2.0 + 2.0 * 0.5 + 3.0 * 8.0) / 1e6;
        assert_eq!(
            seen,
            UsageSnapshot {
                calls: 2,
                errors: 1,
                prompt_tokens: 7,
                completion_tokens: 3,
                total_tokens: 10,
                cached_tokens: 2,
                reasoning_tokens: 1,
                cost_usd: seen.cost_usd,
                latency: seen.latency,
                ..UsageSnapshot::default()
            }
        );
        assert!((seen.cost().unwrap() - dollars).abs() < 1e-12, "{seen:?}");
        assert_eq!((seen.returned(), seen.succeeded()), (2, 1));
        assert!(seen.mean_latency().is_some());
    }

    #[tokio::test]
    async fn unknown_models_cost_unknown_and_own_prices_apply() {
        let mock = MockLm::new(["a", "b"]).with_usage(Usage::new(1_000_000, 0)).with_model_name("local-llama");
        let tracker = UsageTracker::new();
        let lm = mock.clone().layer(tracker.clone());
        lm.complete(req()).await.unwrap();
        let seen = tracker.snapshot();
        assert_eq!((seen.calls_unpriced, seen.cost_usd, seen.cost()), (1, 0.0, None));

        let tracker =
            UsageTracker::new().with_prices(PriceTable::empty().with("local-llama", ModelPrice::per_million(0.5, 1.0)));
        let lm = mock.layer(tracker.clone());
        lm.complete(req()).await.unwrap();
        assert_eq!(tracker.snapshot().cost(), Some(0.5));
        assert!(tracker.prices().get("local-llama").is_some());
    }

    #[tokio::test]
    async fn a_request_s_model_prices_the_call_when_the_answering_model_has_no_price() {
        struct Renamed;
        impl LanguageModel for Renamed {
            async fn complete(&self, _: LmRequest) -> Result<LmResponse, LmError> {
                let choices = vec![Choice { text: "x".into(), finish_reason: None }];
                Ok(LmResponse {
                    choices,
                    usage: Usage::new(1_000_000, 0),
                    model: "deployment-7".into(),
                    cache_hit: false,
                })
            }
            fn model_name(&self) -> &str {
                "unpriced-default"
            }
        }
        let tracker = UsageTracker::new();
        let lm = Renamed.layer(tracker.clone());
        let mut asked = req();
        asked.model = Some("GPT-4o".into());
        lm.complete(asked).await.unwrap();
        lm.complete(req()).await.unwrap();
        let seen = tracker.snapshot();
        assert_eq!((seen.cost_usd, seen.calls_unpriced), (2.5, 1));
    }

    /// A model that never answers.
    struct Hang;
    impl LanguageModel for Hang {
        async fn complete(&self, _: LmRequest) -> Result<LmResponse, LmError> {
            std::future::pending().await
        }
        fn model_name(&self) -> &str {
            "hang"
        }
    }

    #[test]
    fn a_cancelled_call_is_counted_with_its_tokens_unknown() {
        let tracker = UsageTracker::new();
        let lm = Hang.layer(tracker.clone());
        {
            let mut call = pin!(lm.complete(req()));
            let mut cx = Context::from_waker(Waker::noop());
            assert!(call.as_mut().poll(&mut cx).is_pending());
            let running = tracker.snapshot();
            assert_eq!((running.calls, running.in_flight, running.cancelled), (1, 1, 0));
        } // dropped mid-flight
        let seen = tracker.snapshot();
        assert_eq!(
            (seen.calls, seen.in_flight, seen.cancelled, seen.calls_tokens_unknown, seen.errors),
            (1, 0, 1, 1, 0)
        );
        assert_eq!((seen.returned(), seen.mean_latency(), seen.cost()), (0, None, None));
        // A future never polled issued no call.
        drop(lm.complete(req()));
        assert_eq!(tracker.snapshot().calls, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_cut_by_a_time_out_above_it_is_counted_as_cancelled() {
        let tracker = UsageTracker::new();
        let lm = Hang.layer(tracker.clone());
        let outcome = tokio::time::timeout(Duration::from_secs(30), lm.complete(req())).await;
        assert!(outcome.is_err());
        let seen = tracker.snapshot();
        assert_eq!((seen.calls, seen.cancelled, seen.calls_tokens_unknown), (1, 1, 1));
    }

    #[tokio::test]
    async fn failures_that_may_have_been_billed_have_their_tokens_unknown() {
        let tracker = UsageTracker::new();
        let mock = MockLm::new(Vec::<String>::new());
        mock.push_error(LmError::Timeout { limit: TimeoutLimit::Request, after: Duration::from_secs(1) });
        mock.push_error(LmError::Decode("cut".into()));
        mock.push_error(LmError::ResponseTooLarge { limit: 1 });
        mock.push_error(LmError::Http { status: 429, message: "slow down".into(), retry_after: None });
        mock.push_error(LmError::Connection("refused".into()));
        let lm = mock.layer(tracker.clone());
        for _ in 0..5 {
            assert!(lm.complete(req()).await.is_err());
        }
        let seen = tracker.snapshot();
        assert_eq!((seen.calls, seen.errors, seen.calls_tokens_unknown, seen.cancelled), (5, 5, 3, 0));
        assert_eq!(seen.cost(), None);
        assert_eq!(seen.cost_usd, 0.0);
    }

    #[tokio::test]
    async fn hostile_counts_saturate() {
        let tracker = UsageTracker::new();
        let usage = Usage::new(u64::MAX, u64::MAX).with_cached_tokens(u64::MAX);
        let lm = MockLm::new(["a", "b"]).with_usage(usage).with_model_name("gpt-4o").layer(tracker.clone());
        lm.complete(req()).await.unwrap();
        lm.complete(req()).await.unwrap();
        let seen = tracker.snapshot();
        assert_eq!((seen.prompt_tokens, seen.total_tokens, seen.cached_tokens), (u64::MAX, u64::MAX, u64::MAX));
        assert_eq!(seen.cost_usd, to_dollars(u64::MAX));
    }

    #[test]
    fn snapshots_display_and_load_old_data() {
        let old: UsageSnapshot = serde_json::from_str(
            r#"{"calls":3,"errors":1,"prompt_tokens":10,"completion_tokens":4,"total_tokens":14}"#,
        )
        .unwrap();
        assert_eq!((old.calls, old.cached_tokens, old.cost_usd, old.latency), (3, 0, 0.0, Duration::ZERO));
        let snapshot = UsageSnapshot {
            calls: 3,
            errors: 1,
            calls_tokens_unknown: 1,
            prompt_tokens: 2000,
            completion_tokens: 400,
            total_tokens: 2400,
            cached_tokens: 800,
            cost_usd: 0.00048,
            calls_unpriced: 1,
            latency: Duration::from_millis(360),
            ..UsageSnapshot::default()
        };
        assert_eq!(
            snapshot.to_string(),
            "3 calls (1 errors, 1 tokens unknown), 2000 prompt (800 cached) + 400 completion tokens, $0.000480 (1 calls unpriced), mean latency 120 ms"
        );
        let json = serde_json::to_value(snapshot).unwrap();
        assert_eq!(json["latency"], 0.36);
        assert_eq!(serde_json::from_value::<UsageSnapshot>(json).unwrap(), snapshot);
        assert_eq!(to_nanodollars(f64::NAN), 0);
        assert_eq!(to_nanodollars(-1.0), 0);
        assert_eq!(to_nanodollars(1e300), u64::MAX);
    }

    #[tokio::test]
    async fn cache_hits_are_counted_apart_from_provider_tokens_and_cost_nothing() {
        use crate::layer::cache::Cache;

        let tracker = UsageTracker::new();
        let usage = Usage::new(1_000, 200);
        let lm = MockLm::new(["ok"]).with_usage(usage).with_model_name("gpt-4o-mini").layer(Cache::memory(10));
        let lm = lm.layer(tracker.clone());
        for _ in 0..3 {
            lm.complete(req()).await.unwrap();
        }
        let seen = tracker.snapshot();
        assert_eq!((seen.calls, seen.errors, seen.cache_hits, seen.succeeded()), (3, 0, 2, 3));
        assert_eq!((seen.prompt_tokens, seen.completion_tokens, seen.total_tokens), (1_000, 200, 1_200));
        assert_eq!((seen.cache_hit_tokens, seen.calls_unpriced), (2_400, 0));
        // Only the provider's call is paid: gpt-4o-mini at $0.15 and $0.60 per million.
        let dollars = (1_000.0 * 0.15 + 200.0 * 0.60) / 1e6;
        assert!((seen.cost().unwrap() - dollars).abs() < 1e-12, "{seen:?}");
        assert!(seen.to_string().starts_with("3 calls (2 from cache), 1000 prompt"), "{seen}");
    }

    #[test]
    fn the_counting_future_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let lm = MockLm::new(["a"]).layer(UsageTracker::new());
        assert_send(&lm.complete(req()));
    }
}
