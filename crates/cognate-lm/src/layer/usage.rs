//! Usage accounting: [`CountingLm`] wraps a language model and adds every call's token usage
//! to a shared [`UsageTracker`].
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
//! let usage = Usage { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 };
//! let tracker = UsageTracker::new();
//! let lm = CountingLm::new(Arc::new(MockLm::new(["a", "b"]).with_usage(usage)), tracker.clone());
//! lm.complete(LmRequest::new(vec![Message::user("q")])).await.unwrap();
//! lm.complete(LmRequest::new(vec![Message::user("q")])).await.unwrap();
//! let seen = tracker.snapshot();
//! assert_eq!((seen.calls, seen.prompt_tokens, seen.completion_tokens), (2, 20, 4));
//! # }
//! ```
//!
//! Only calls through the wrapper are counted: a module given its own LM (`with_lm`) bypasses
//! the settings, so wrap that LM too when its calls should count.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use cognate_core::{LanguageModel, Layer, LmError, LmRequest, LmResponse, SharedLm};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default)]
struct Counters {
    calls: AtomicU64,
    errors: AtomicU64,
    prompt_tokens: AtomicU64,
    completion_tokens: AtomicU64,
    total_tokens: AtomicU64,
    cache_hits: AtomicU64,
    cache_hit_tokens: AtomicU64,
}

/// Shared counters of LM calls and tokens. Clones share the counts.
#[derive(Debug, Clone, Default)]
pub struct UsageTracker {
    counters: Arc<Counters>,
}

/// A point-in-time copy of a [`UsageTracker`]'s counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageSnapshot {
    /// Calls made (each `complete`, whatever its `n`), including failed ones.
    pub calls: u64,
    /// Calls that returned an error.
    pub errors: u64,
    /// Prompt tokens of successful calls.
    pub prompt_tokens: u64,
    /// Completion tokens of successful calls.
    pub completion_tokens: u64,
    /// Total tokens of successful calls, as the provider reported them.
    pub total_tokens: u64,
    /// Calls answered by a cache ([`LmResponse::cache_hit`]): counted in `calls`, but their
    /// tokens are not provider tokens and go to `cache_hit_tokens` instead of the three token
    /// counts above (which are what the provider served, and billed).
    #[serde(default)]
    pub cache_hits: u64,
    /// Total tokens of the responses served from a cache (what those calls would have cost).
    /// Not to be confused with a provider's prompt caching, which is part of `prompt_tokens`.
    #[serde(default)]
    pub cache_hit_tokens: u64,
}

impl UsageTracker {
    /// A tracker at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// The counts so far.
    pub fn snapshot(&self) -> UsageSnapshot {
        let c = &self.counters;
        UsageSnapshot {
            calls: c.calls.load(Relaxed),
            errors: c.errors.load(Relaxed),
            prompt_tokens: c.prompt_tokens.load(Relaxed),
            completion_tokens: c.completion_tokens.load(Relaxed),
            total_tokens: c.total_tokens.load(Relaxed),
            cache_hits: c.cache_hits.load(Relaxed),
            cache_hit_tokens: c.cache_hit_tokens.load(Relaxed),
        }
    }

    /// Wraps `lm` so that its calls are counted here.
    pub fn wrap(&self, lm: SharedLm) -> SharedLm {
        Arc::new(CountingLm::new(lm, self.clone()))
    }
}

/// A [`LanguageModel`] that forwards to another and counts calls and token usage in a
/// [`UsageTracker`]. A call is counted when it is issued; a call abandoned by dropping its
/// future counts as a call with no tokens; a call answered by a cache below it counts as a
/// cache hit, its tokens as `cache_hit_tokens` (see [`UsageSnapshot`]).
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

impl<L: LanguageModel> std::fmt::Debug for CountingLm<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
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

impl<L: LanguageModel> LanguageModel for CountingLm<L> {
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        let c = &self.tracker.counters;
        c.calls.fetch_add(1, Relaxed);
        let result = self.inner.complete(request).await;
        match &result {
            Ok(response) if response.cache_hit => {
                c.cache_hits.fetch_add(1, Relaxed);
                c.cache_hit_tokens.fetch_add(response.usage.total_tokens, Relaxed);
            }
            Ok(response) => {
                c.prompt_tokens.fetch_add(response.usage.prompt_tokens, Relaxed);
                c.completion_tokens.fetch_add(response.usage.completion_tokens, Relaxed);
                c.total_tokens.fetch_add(response.usage.total_tokens, Relaxed);
            }
            Err(_) => {
                c.errors.fetch_add(1, Relaxed);
            }
        }
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
    use cognate_core::{Message, Usage};
    use cognate_testing::MockLm;

    use super::*;

    #[tokio::test]
    async fn counts_calls_errors_and_tokens_and_forwards_identity() {
        let usage = Usage { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 };
        let mock = MockLm::new(["ok"]).with_usage(usage).with_model_name("m").with_json_schema_support(true);
        let tracker = UsageTracker::new();
        let lm = tracker.wrap(Arc::new(mock));
        assert_eq!(lm.model_name(), "m");
        assert!(lm.supports_json_schema());
        assert!(lm.complete_boxed(LmRequest::new(vec![Message::user("a")])).await.is_ok());
        assert!(lm.complete_boxed(LmRequest::new(vec![Message::user("b")])).await.is_err());
        assert_eq!(
            tracker.snapshot(),
            UsageSnapshot {
                calls: 2,
                errors: 1,
                prompt_tokens: 7,
                completion_tokens: 3,
                total_tokens: 10,
                cache_hits: 0,
                cache_hit_tokens: 0
            }
        );
    }

    #[tokio::test]
    async fn cache_hits_are_counted_apart_from_provider_tokens() {
        use cognate_core::LanguageModelExt;

        use crate::layer::cache::Cache;

        let usage = Usage { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 };
        let tracker = UsageTracker::new();
        let lm = MockLm::new(["ok"]).with_usage(usage).layer(Cache::memory(10)).layer(tracker.clone());
        for _ in 0..3 {
            lm.complete(LmRequest::new(vec![Message::user("a")])).await.unwrap();
        }
        let seen = tracker.snapshot();
        assert_eq!((seen.calls, seen.errors, seen.cache_hits), (3, 0, 2));
        assert_eq!((seen.prompt_tokens, seen.completion_tokens, seen.total_tokens), (7, 3, 10));
        assert_eq!(seen.cache_hit_tokens, 20);
    }
}
