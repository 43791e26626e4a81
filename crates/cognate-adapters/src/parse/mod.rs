//! Parsing: completion → output values, with DSPy 3.4.1's leniency.

use cognate_core::{ParseError, ParseErrorKind, SignatureDesc, Values};

fn unfinished(adapter: &str, signature: &SignatureDesc, completion: &str) -> Box<ParseError> {
    Box::new(ParseError {
        adapter: adapter.into(),
        kind: ParseErrorKind::MissingFields,
        raw: completion.into(),
        expected: signature.output_names(),
        found: Some(Vec::new()),
        detail: String::new(),
    })
}

/// ChatAdapter parsing.
///
/// # Errors
/// See [`crate::Adapter::parse`].
pub fn chat(signature: &SignatureDesc, completion: &str) -> Result<Values, Box<ParseError>> {
    Err(unfinished("ChatAdapter", signature, completion))
}

/// JSONAdapter parsing.
///
/// # Errors
/// See [`crate::Adapter::parse`].
pub fn json(signature: &SignatureDesc, completion: &str) -> Result<Values, Box<ParseError>> {
    Err(unfinished("JSONAdapter", signature, completion))
}

/// XMLAdapter parsing.
///
/// # Errors
/// See [`crate::Adapter::parse`].
pub fn xml(signature: &SignatureDesc, completion: &str) -> Result<Values, Box<ParseError>> {
    Err(unfinished("XMLAdapter", signature, completion))
}
