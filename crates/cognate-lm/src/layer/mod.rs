//! Layers: wrappers that add one behaviour to any [`LanguageModel`](cognate_core::LanguageModel).
//!
//! Every layer has the same shape, one module each:
//!
//! * a configuration type that implements [`Layer<L>`](cognate_core::Layer) for every model
//!   `L` (e.g. [`UsageTracker`](usage::UsageTracker), [`Budget`](budget::Budget),
//!   [`Rollout`](rollout::Rollout), [`Cache`](cache::Cache));
//! * the wrapper it builds, generic over the model it wraps (`CountingLm<L>`, `BudgetedLm<L>`,
//!   `RolloutLm<L>`, `CachedLm<L>`), which is again a `LanguageModel`: stacks are one concrete type, boxed only
//!   at the edge (`Arc::new(stack)` as a [`SharedLm`](cognate_core::SharedLm)), and a shared
//!   model can be wrapped too (`SharedLm` is a `LanguageModel`);
//! * the wrapper forwards `model_name` and `supports_json_schema` to the model it wraps.
//!
//! ```
//! use std::sync::Arc;
//! use cognate_core::{LanguageModel, LanguageModelExt, LmRequest, Message, SharedLm};
//! use cognate_lm::layer::{rollout::Rollout, usage::UsageTracker};
//! use cognate_testing::MockLm;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let tracker = UsageTracker::new();
//! let lm: SharedLm = Arc::new(MockLm::new(["hi"]).layer(Rollout).layer(tracker.clone()));
//! lm.complete(LmRequest::new(vec![Message::user("hello")])).await.unwrap();
//! assert_eq!(tracker.snapshot().calls, 1);
//! # }
//! ```

pub mod breaker;
pub mod budget;
pub mod cache;
pub mod concurrency;
pub mod history;
pub mod rate_limit;
pub mod replay;
pub mod retry;
pub mod rollout;
pub mod timeout;
pub mod usage;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use cognate_core::{LanguageModel, LanguageModelExt, LmRequest};
    use cognate_testing::MockLm;

    use super::*;

    /// Every layer's future is `Send` (the `LanguageModel` trait demands it of each `impl`;
    /// this checks the whole stack, wrapped in every layer, at once).
    #[test]
    fn a_stack_of_every_layer_has_a_send_future() {
        fn send<T: Send>(_: T) {}
        let stack = MockLm::new(["a"])
            .layer(cache::Cache::memory(10))
            .layer(timeout::Timeout::per_call(Duration::from_secs(1)))
            .layer(rate_limit::RateLimit::per_minute(60))
            .layer(concurrency::ConcurrencyLimit::new(1))
            .layer(breaker::CircuitBreaker::default())
            .layer(retry::Retry::default())
            .layer(usage::UsageTracker::new())
            .layer(budget::Budget::calls(1))
            .layer(rollout::Rollout)
            .layer(history::History::new(1));
        send(stack.complete(LmRequest::default()));
    }
}
