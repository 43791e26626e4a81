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
