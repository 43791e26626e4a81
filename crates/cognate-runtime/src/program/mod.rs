//! Programs: structs of modules and variables, introspectable by optimizers.
//!
//! `#[program]` implements [`Component`] (the walk over predictors and variables, with
//! DSPy's paths) and [`Program`] (type name, path binding, [`Program::call`] with its span)
//! for a struct; [`Describe`] turns any component into data or a Mermaid diagram.

pub mod component;
pub mod describe;
mod paths;
pub mod state;
mod traits;
mod value_check;

pub use component::{Component, ComponentExt, Visitor, VisitorMut, child_path, index_path, key_path};
pub use describe::{
    Describe, FieldDescription, PredictorDescription, ProgramDescription, SubProgramDescription, VariableDescription,
};
pub use state::SaveState;
pub use traits::Program;

pub(crate) use paths::current_path;
