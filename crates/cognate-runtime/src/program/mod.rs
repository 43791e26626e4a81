//! Programs: structs of modules and variables, introspectable by optimizers.

pub mod component;

pub use component::{Component, ComponentExt, Visitor, VisitorMut, child_path, index_path};
