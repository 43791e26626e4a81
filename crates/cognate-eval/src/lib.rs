//! Evaluation for Cognate: datasets, metrics, and [`Evaluate`], which runs a module over a
//! dataset concurrently, streams scored records as they complete, and totals scores, errors,
//! LM calls and tokens.
//!
//! ```
//! use std::sync::Arc;
//! use cognate_core::{Example, Values};
//! use cognate_eval::{Evaluate, metrics::ExactMatch};
//! use cognate_runtime::{Predictor, Settings};
//! use cognate_testing::MockLm;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), cognate_eval::Error> {
//! let dataset = vec![
//!     Example::default().with("question", "Capital of France?").with("answer", "Paris").with_inputs(["question"]),
//!     Example::default().with("question", "Capital of Peru?").with("answer", "Lima").with_inputs(["question"]),
//! ];
//! let program = Predictor::new(cognate_core::SignatureDesc::parse("question -> answer").unwrap());
//! let lm = MockLm::from_fn(|_| Ok("[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]".into()));
//! let result = Settings::default()
//!     .with_lm(Arc::new(lm))
//!     .scope(Evaluate::new(ExactMatch::new()).with_progress(false).run(&program, &dataset))
//!     .await?;
//! assert_eq!(result.summary.average_score, 0.5);
//! assert_eq!(result.summary.lm_calls, 2);
//! # Ok(()) }
//! ```
//!
//! See `docs/evaluation.md` for a guide.

pub mod dataset;
mod error;
pub mod evaluate;
pub mod metrics;
/// Usage accounting, now a layer of `cognate-lm` (re-exported here, where `Evaluate` uses it).
pub use cognate_lm::layer::usage;
pub use cognate_lm::{CountingLm, UsageSnapshot, UsageTracker};
pub use dataset::{Dataset, Loader, Split};
pub use error::{Error, Result, RowErrorKind};
pub use evaluate::{
    DEFAULT_MAX_ERRORS, Evaluate, EvaluationResult, EvaluationStream, Failure, FailureKind, FailureReport, InfraPolicy,
    ProgressLog, Record, Stage, Summary,
};
pub use metrics::{Metric, Score};

/// Paths for `#[signature(crate = cognate_eval)]` in this crate's integration tests (the
/// library itself uses no proc macro). Not public API.
#[doc(hidden)]
pub mod __private {
    pub use cognate_core;
    pub use serde;
    pub use std::sync::OnceLock;
}
