//! Cognate's runtime: modules ([`Predict`], [`ChainOfThought`], the [`Module`] trait),
//! [`Settings`] with task-local scopes, and traces.
//!
//! Most users reach these through the `cognate` facade and its prelude.

pub mod chain_of_thought;
pub mod module;
pub mod predict;
pub mod predictor;
pub mod settings;
pub mod trace;

pub use chain_of_thought::{ChainOfThought, REASONING_PREFIX, WithReasoning};
pub use module::Module;
pub use predict::Predict;
pub use predictor::{CallConfig, Predictor};
pub use settings::{Settings, configure};
pub use trace::{TraceEntry, TraceSink, traced};

/// The runtime's everyday imports.
pub mod prelude {
    pub use crate::{CallConfig, ChainOfThought, Module, Predict, Settings, WithReasoning};
}
