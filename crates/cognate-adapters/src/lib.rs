//! DSPy 3.4.1's prompt adapters, byte for byte: [`ChatAdapter`], [`JsonAdapter`] and
//! [`XmlAdapter`] turn a signature, demos and inputs into chat messages, and parse a
//! completion back into the signature's output values. This crate does no IO.
//!
//! ```
//! use cognate_adapters::{Adapter, ChatAdapter};
//! use cognate_core::{SignatureDesc, Values};
//!
//! let sig = SignatureDesc::parse("question -> answer: int")?;
//! let mut inputs = Values::new();
//! inputs.insert("question".into(), "What is 2 + 2?".into());
//! let messages = ChatAdapter.format(&sig, &[], &inputs);
//! assert!(messages[1].content.starts_with("[[ ## question ## ]]\nWhat is 2 + 2?"));
//!
//! let out = ChatAdapter.parse(&sig, "[[ ## answer ## ]]\n4\n\n[[ ## completed ## ]]")?;
//! assert_eq!(out["answer"], 4);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use cognate_core::{Message, ParseError, ResponseFormat, SignatureDesc, Values};
pub use parse::MAX_REPLY_BYTES;

pub mod format;
pub mod parse;
pub mod pyfmt;

/// Turns signatures into prompts and replies into values.
///
/// Implementations are stateless and cheap to share.
pub trait Adapter: Send + Sync + std::fmt::Debug + 'static {
    /// The adapter's name as DSPy spells it (`ChatAdapter`, ...).
    fn name(&self) -> &'static str;

    /// The messages for one call: system, one user/assistant pair per usable demo, then the
    /// final user message. The demos are borrowed (`&[&Values]`) so a predictor can pass its
    /// demos without copying them on every call.
    fn format(&self, signature: &SignatureDesc, demos: &[&Values], inputs: &Values) -> Vec<Message>;

    /// Parses one completion into the signature's output values, in signature order.
    ///
    /// # Errors
    /// A [`ParseError`] carrying the raw reply, the expected fields and the fields found.
    fn parse(&self, signature: &SignatureDesc, completion: &str) -> Result<Values, Box<ParseError>>;

    /// The `response_format` to send with the request, if any. `supports_json_schema` says
    /// whether the model follows strict JSON schemas.
    fn response_format(&self, signature: &SignatureDesc, supports_json_schema: bool) -> Option<ResponseFormat> {
        let _ = (signature, supports_json_schema);
        None
    }

    /// The adapter to retry with when this one's reply cannot be parsed. DSPy's
    /// `ChatAdapter` falls back to `JSONAdapter`; the others have no fallback.
    fn fallback(&self) -> Option<&'static dyn Adapter> {
        None
    }
}

/// DSPy's `ChatAdapter`: fields delimited by `[[ ## name ## ]]` markers.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChatAdapter;

/// DSPy's `JSONAdapter`: outputs as one JSON object, with `response_format` set.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonAdapter;

/// DSPy's `XMLAdapter`: fields wrapped in `<name>...</name>` tags.
#[derive(Debug, Clone, Copy, Default)]
pub struct XmlAdapter;

impl Adapter for ChatAdapter {
    fn name(&self) -> &'static str {
        "ChatAdapter"
    }
    fn format(&self, signature: &SignatureDesc, demos: &[&Values], inputs: &Values) -> Vec<Message> {
        format::chat(signature, demos, inputs)
    }
    fn parse(&self, signature: &SignatureDesc, completion: &str) -> Result<Values, Box<ParseError>> {
        parse::chat(signature, completion)
    }
    fn fallback(&self) -> Option<&'static dyn Adapter> {
        Some(&JsonAdapter)
    }
}

impl Adapter for JsonAdapter {
    fn name(&self) -> &'static str {
        "JSONAdapter"
    }
    fn format(&self, signature: &SignatureDesc, demos: &[&Values], inputs: &Values) -> Vec<Message> {
        format::json(signature, demos, inputs)
    }
    fn parse(&self, signature: &SignatureDesc, completion: &str) -> Result<Values, Box<ParseError>> {
        parse::json(signature, completion)
    }
    fn response_format(&self, signature: &SignatureDesc, supports_json_schema: bool) -> Option<ResponseFormat> {
        Some(format::json_response_format(signature, supports_json_schema))
    }
}

impl Adapter for XmlAdapter {
    fn name(&self) -> &'static str {
        "XMLAdapter"
    }
    fn format(&self, signature: &SignatureDesc, demos: &[&Values], inputs: &Values) -> Vec<Message> {
        format::xml(signature, demos, inputs)
    }
    fn parse(&self, signature: &SignatureDesc, completion: &str) -> Result<Values, Box<ParseError>> {
        parse::xml(signature, completion)
    }
}
