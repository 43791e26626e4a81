//! Variables: the tunable knobs of a program, and what optimizers search over.
//!
//! (The `variable!` macro, `Variable<T>` constructors, search spaces, sampling and
//! constraints build on the types below.)

use serde_json::Value;

/// The set of values a variable may take.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Domain {
    /// A float in `[low, high]`, searched on a linear or log scale.
    Float {
        /// Smallest value.
        low: f64,
        /// Largest value.
        high: f64,
        /// Search on a log scale.
        log: bool,
    },
    /// An integer in `[low, high]` in steps of `step` from `low`.
    Int {
        /// Smallest value.
        low: i64,
        /// Largest value.
        high: i64,
        /// Distance between allowed values.
        step: i64,
    },
    /// `true` or `false`.
    Bool,
    /// One of a list of values (strings, numbers, enum variants as their serde form).
    Choice {
        /// The allowed values, in order.
        options: Vec<Value>,
    },
    /// One of several named modules behind one interface (e.g. `predict` vs `chain_of_thought`).
    Module {
        /// The alternatives' names.
        options: Vec<String>,
    },
    /// Free text, with candidates proposed by optimizers (a predictor's instructions).
    Text {
        /// The known candidates.
        candidates: Vec<String>,
    },
    /// A set of demos (a predictor's few-shot examples).
    DemoSet {
        /// The most demos in the set.
        max: usize,
    },
    /// Computed from other variables; never searched directly.
    Derived,
}

/// A variable seen through the program walk, whatever its Rust type.
pub trait DynVariable: Send + Sync + std::fmt::Debug {
    /// Its domain.
    fn domain(&self) -> &Domain;
    /// Its current value as JSON.
    fn value_json(&self) -> Value;
    /// Its default value as JSON.
    fn default_json(&self) -> Value;
    /// Sets its value from JSON.
    ///
    /// # Errors
    /// [`cognate_core::Error::Variable`] if the value is outside the domain or of the wrong type.
    fn set_json(&mut self, value: Value) -> cognate_core::Result<()>;
}
