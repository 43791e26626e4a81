//! Cognate: typed, optimizable language-model programs in Rust.
//!
//! Declare what goes in and what comes out with `#[signature]`, call it with
//! [`Predict`] or [`ChainOfThought`], and get typed values back.
//!
//! See the README and `docs/` for a guided tour.

pub use cognate_adapters as adapters;
pub use cognate_core::{
    DynLanguageModel, Error, Example, FieldDesc, LanguageModel, LmError, LmRequest, LmResponse, Message, ParseError,
    Prediction, Result, SharedLm, Signature, SignatureDesc, TypeDesc, Values,
};
pub use cognate_macros::signature;
pub use cognate_runtime::*;

/// Core types (signatures, type descriptors, the LM boundary).
pub mod core {
    pub use cognate_core::*;
}

/// HTTP language-model providers.
pub mod lm {
    pub use cognate_lm::*;
}

/// The everyday imports: `use cognate::prelude::*;`.
pub mod prelude {
    pub use cognate_adapters::{Adapter, ChatAdapter, JsonAdapter, XmlAdapter};
    pub use cognate_core::{Example, LanguageModel, Prediction, Signature};
    pub use cognate_macros::signature;
    pub use cognate_runtime::prelude::*;
}

/// Plumbing for the macros. Not public API: anything here may change without notice.
#[doc(hidden)]
pub mod __private {
    pub use cognate_core;
    pub use schemars;
    pub use serde;
    pub use serde_json;
    pub use std::sync::OnceLock;
}

/// Compiles the README's example as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
