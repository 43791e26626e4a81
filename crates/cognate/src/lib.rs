//! Cognate: typed, optimizable language-model programs in Rust.
//!
//! Declare what goes in and what comes out with `#[signature]`, call it with
//! [`Predict`] or [`ChainOfThought`], and get typed values back.
//!
//! See the README and `docs/` for a guided tour.
//!
//! # Features
//!
//! | feature | what it adds | default |
//! |---|---|---|
//! | `lm` | `cognate::lm`: HTTP providers (`OpenAiClient`, `OpenAiEmbeddings`) on reqwest, plain `http://` only | yes |
//! | `rustls` | `https://` endpoints for `cognate::lm` through rustls (implies `lm`) | yes |
//! | `eval` | `cognate::eval`: datasets, metrics and `Evaluate` (csv, indicatif) | yes |
//! | `optimize` | `cognate::optimize`: the optimizers and variable search (implies `eval`) | yes |
//!
//! With `default-features = false` the facade is signatures, adapters, modules, programs,
//! variables, settings and saved state, with no HTTP client: bring your own
//! [`LanguageModel`]. `features = ["optimize"]` adds evaluation and optimizers, still without
//! an HTTP client (an in-process LM, or `cognate-testing`'s `MockLm`, drives them).
//!
//! # Errors
//!
//! [`Error`] and [`Result`] are the runtime's (`cognate_runtime::Error`): what
//! [`Module::forward`] and programs return. An LM failure or an unparsable reply is a core
//! error ([`core::Error`]) inside [`Error::Core`]; [`Error::as_lm_error`] and
//! [`Error::as_parse_error`] reach it, and `?` converts core errors, [`LmError`]s and
//! [`ParseError`]s into [`Error`]. The runtime adds variable, search-space, saved-state and
//! file errors. Evaluation and optimizers have their own errors (`cognate::eval::Error`,
//! `cognate::optimize::Error`), which wrap this one.

pub use cognate_adapters as adapters;
pub use cognate_core::{
    DynEmbedder, DynLanguageModel, Embedder, Example, FieldDesc, LanguageModel, LmError, LmRequest, LmResponse,
    Message, ParseError, Prediction, SharedEmbedder, SharedLm, Signature, SignatureDesc, TypeDesc, Values,
};
pub use cognate_macros::{program, signature};
pub use cognate_runtime::{
    CallConfig, CallStats, ChainOfThought, Component, ComponentExt, Configuration, Constraint, Constraints, Derived,
    Describe, Domain, DynVariable, Error, Module, ModuleChoice, Predict, Predictor, Program, ReasoningStrategy, Result,
    SaveState, SearchSpace, SeededRng, Settings, TraceEntry, TraceSink, Variable, Visitor, VisitorMut, WithReasoning,
    configure, traced,
};
pub use cognate_runtime::{fs, program, settings, trace, variable};

/// Core types (signatures, type descriptors, the LM and embedder boundaries, core errors).
pub mod core {
    pub use cognate_core::*;
}

/// HTTP language-model providers (feature `lm`; `https://` needs feature `rustls`).
#[cfg(feature = "lm")]
pub mod lm {
    pub use cognate_lm::*;
}

/// Evaluation: datasets, metrics and `Evaluate` (feature `eval`; see `docs/evaluation.md`).
#[cfg(feature = "eval")]
pub mod eval {
    pub use cognate_eval::*;
}

/// Optimizers: few-shot (labeled, bootstrapped, random search), ensembles and variable
/// search (feature `optimize`; see `docs/optimizers.md`).
#[cfg(feature = "optimize")]
pub mod optimize {
    pub use cognate_optimize::*;
}

/// The everyday imports: `use cognate::prelude::*;`.
pub mod prelude {
    pub use crate::variable;
    pub use cognate_adapters::{Adapter, ChatAdapter, JsonAdapter, XmlAdapter};
    pub use cognate_core::{Example, LanguageModel, Prediction, Signature};
    pub use cognate_macros::{program, signature};
    pub use cognate_runtime::prelude::*;
    pub use cognate_runtime::{ReasoningStrategy, SearchSpace, Variable};
}

/// Plumbing for the macros. Not public API: anything here may change without notice.
#[doc(hidden)]
pub mod __private {
    pub use cognate_core;
    pub use cognate_macros::variable;
    pub use cognate_runtime;
    pub use cognate_runtime::variable::{Variable, expect_declared};
    pub use schemars;
    pub use serde;
    pub use serde_json;
    pub use std::sync::OnceLock;
}

/// Declares a [`Variable`]: a typed value with a default and a domain, that optimizers
/// search over. Literal arguments are checked at compile time.
///
/// ```
/// use cognate::{Variable, variable};
///
/// #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
/// enum Style { Terse, Verbose }
///
/// let temperature: Variable<f32> = variable!(float(0.0..=1.0), default = 0.7);
/// let learning_rate: Variable<f64> = variable!(float(1e-4..=1e-1, log), default = 1e-3);
/// let hops: Variable<u32> = variable!(int(1..=5), default = 2);
/// let k: Variable<usize> = variable!(int(0..=100, step = 10), default = 20);
/// let cache: Variable<bool> = variable!(bool, default = true);
/// let tone: Variable<String> = variable!(choice["terse", "verbose"], default = "terse");
/// let style: Variable<Style> = variable!(choice[Style::Terse, Style::Verbose], default = Style::Terse);
/// let every: Variable<Style> = variable!(choice(Style), default = Style::Verbose); // all variants
/// assert_eq!(hops.get(), 2);
/// assert_eq!(tone.get(), "terse");
/// # let _ = (temperature, learning_rate, k, cache, style, every);
/// ```
///
/// # Syntax
///
/// `variable!(KIND, default = EXPR)`, where `KIND` is one of
///
/// | kind | domain | Rust type |
/// |---|---|---|
/// | `float(LOW..=HIGH)` | float range, sampled uniformly | `f32`, `f64` |
/// | `float(LOW..=HIGH, log)` | float range, sampled log-uniformly (`LOW > 0`) | `f32`, `f64` |
/// | `int(LOW..=HIGH)` / `int(LOW..=HIGH, step = N)` | `LOW, LOW + N, ..., HIGH` (step 1 by default) | any integer type |
/// | `bool` | `false`, `true` | `bool` |
/// | `choice[A, B, ...]` | one of the listed values (string literals become `String`s) | the values' type |
/// | `choice(Enum)` | every variant of a unit-variant enum deriving `Serialize`, `Deserialize`, `JsonSchema` | `Enum` |
///
/// The result is a `Variable<T>`, `T` inferred from where it goes (a `#[program]` field).
///
/// # Compile-time checks
///
/// With literal arguments, each of these is an error at the offending token: `LOW >= HIGH`, a
/// default outside the range or off the step grid, a step that is not positive or does not
/// divide `HIGH - LOW`, a log scale with `LOW <= 0`, no choices, a choice listed twice, choices
/// of different literal types, a default that is not among the choices, a literal of the
/// wrong type (`int(1..=5), default = 2.5`), an unknown kind or key, a missing default. A
/// type that cannot hold the kind (`float` for a `u32` field) is a type error at the kind.
///
/// # Panics
///
/// Arguments that are not literals (constants, function calls) are checked when the
/// variable is built; if they break a rule, the expression panics with the reason. Call the
/// constructors ([`Variable::float`], [`Variable::int`], [`Variable::choice`], ...) to get a
/// `Result` instead.
#[macro_export]
macro_rules! variable {
    ($($declaration:tt)*) => {
        $crate::__private::variable!($crate; $($declaration)*)
    };
}

/// Compiles the README's example as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
