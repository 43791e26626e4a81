//! Core types of Cognate: signatures and their type descriptors, examples and
//! predictions, and the [`LanguageModel`] and [`Embedder`] boundaries. This crate does no IO.
//!
//! ```
//! use cognate_core::{SignatureDesc, TypeDesc};
//!
//! let sig = SignatureDesc::parse("question, context: list[str] -> answer: int")?;
//! assert_eq!(sig.inputs[1].ty.python_name(), "list[str]");
//! assert_eq!(sig.outputs[0].ty, TypeDesc::Int);
//! # Ok::<(), cognate_core::Error>(())
//! ```

pub mod embed;
pub mod error;
pub mod example;
pub mod hash;
pub mod lm;
pub mod rng;
pub mod schema;
pub mod signature;
pub mod types;

pub use embed::{DynEmbedder, Embedder, SharedEmbedder};
pub use error::{BudgetLimit, Error, LmError, ParseError, ParseErrorKind, Result, TimeoutLimit};
pub use example::{Example, Prediction, Values};
pub use lm::{
    Choice, DynLanguageModel, FinishReason, JsonSchemaFormat, LanguageModel, LanguageModelExt, Layer, LmRequest,
    LmResponse, Message, ResponseFormat, Role, SharedLm, Usage,
};
pub use signature::{FieldDesc, FieldRole, Signature, SignatureDesc, from_values, infer_prefix, to_values};
pub use types::{LiteralValue, MAX_TYPE_DEPTH, ModelDesc, ModelField, TypeDesc};
