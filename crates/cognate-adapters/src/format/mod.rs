//! Formatting: signature + demos + inputs → messages, exactly as DSPy 3.4.1 does.

use cognate_core::{Message, ResponseFormat, SignatureDesc, Values};

/// ChatAdapter's messages.
pub fn chat(signature: &SignatureDesc, demos: &[Values], inputs: &Values) -> Vec<Message> {
    let _ = (signature, demos, inputs);
    Vec::new()
}

/// JSONAdapter's messages.
pub fn json(signature: &SignatureDesc, demos: &[Values], inputs: &Values) -> Vec<Message> {
    let _ = (signature, demos, inputs);
    Vec::new()
}

/// XMLAdapter's messages.
pub fn xml(signature: &SignatureDesc, demos: &[Values], inputs: &Values) -> Vec<Message> {
    let _ = (signature, demos, inputs);
    Vec::new()
}

/// JSONAdapter's `response_format`: a strict JSON schema of the outputs when the model
/// supports it, `json_object` otherwise.
pub fn json_response_format(signature: &SignatureDesc, supports_json_schema: bool) -> ResponseFormat {
    let _ = (signature, supports_json_schema);
    ResponseFormat::JsonObject
}
