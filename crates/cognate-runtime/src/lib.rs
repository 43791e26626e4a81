//! Cognate's runtime: modules ([`Predict`], [`ChainOfThought`], the [`Module`] trait),
//! [`Settings`] with task-local scopes, and traces; plus [`fs::write_atomic`] and the strict
//! [`json`] reader used for every file Cognate writes or reads.
//!
//! Most users reach these through the `cognate` facade and its prelude.

pub mod chain_of_thought;
mod error;
pub mod fs;
pub mod json;
pub mod module;
pub mod predict;
pub mod predictor;
pub mod program;
pub mod settings;
pub mod trace;
pub mod variable;

pub use chain_of_thought::{ChainOfThought, WithReasoning};
pub use error::{Error, Result};
pub use module::Module;
pub use predict::Predict;
pub use predictor::{CallConfig, Predictor};
pub use program::{Component, ComponentExt, Describe, Program, SaveState, Visitor, VisitorMut};
pub use settings::{Settings, configure};
pub use trace::{CallStats, TraceEntry, TraceSink, traced};
pub use variable::{
    Configuration, Constraint, Constraints, Derived, Domain, DynVariable, ModuleChoice, ReasoningStrategy, SearchSpace,
    SeededRng, Variable,
};

/// The runtime's everyday imports.
pub mod prelude {
    pub use crate::{
        CallConfig, ChainOfThought, Component, ComponentExt, Describe, Module, Predict, Program, SaveState, Settings,
        WithReasoning,
    };
}
