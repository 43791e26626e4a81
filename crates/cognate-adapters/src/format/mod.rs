//! Formatting: signature + demos + inputs → messages, exactly as DSPy 3.4.1 does.
//!
//! Every adapter sends a system message (field description, field structure, task
//! description), then one user/assistant pair per usable demo, then the final user message
//! with a reminder of the expected output format. The three adapters differ only in how
//! fields are laid out: `[[ ## name ## ]]` blocks (Chat), a JSON object (JSON), or
//! `<name>` tags (XML).
//!
//! ```
//! use cognate_adapters::format;
//! use cognate_core::{Role, SignatureDesc, Values};
//!
//! let sig = SignatureDesc::parse("question -> answer: int")?;
//! let mut inputs = Values::new();
//! inputs.insert("question".into(), "What is 2 + 2?".into());
//! let messages = format::chat(&sig, &[], &inputs);
//! assert_eq!(messages[0].role, Role::System);
//! assert_eq!(
//!     messages[1].content,
//!     "[[ ## question ## ]]\nWhat is 2 + 2?\n\nRespond with the corresponding output fields, starting with the \
//!      field `[[ ## answer ## ]]` (must be formatted as a valid Python int), and then ending with the marker \
//!      for `[[ ## completed ## ]]`."
//! );
//! # Ok::<(), cognate_core::Error>(())
//! ```

use cognate_core::{Message, ResponseFormat, SignatureDesc, Values};
use serde_json::Value;

mod chat;
mod json;
mod schema;
mod system;
mod value;
mod xml;

pub use schema::json_schema;

/// The first paragraph of the user turn of a demo that lacks some fields.
pub(crate) const INCOMPLETE_DEMO_PREFIX: &str =
    "This is an example of the task, though some input or output fields are not supplied.";

/// What an incomplete demo shows for a missing output (note the trailing space).
pub(crate) const NOT_SUPPLIED: &str = "Not supplied for this particular example. ";

/// What a complete demo would show for a missing output (it never has one).
const NOT_SUPPLIED_HISTORY: &str = "Not supplied for this conversation history message. ";

/// The first part of every adapter's field structure.
pub(crate) const STRUCTURE_INTRO: &str =
    "All interactions will be structured in the following way, with the appropriate values filled in.";

/// ChatAdapter's messages.
pub fn chat(signature: &SignatureDesc, demos: &[&Values], inputs: &Values) -> Vec<Message> {
    assemble(&chat::Chat, signature, demos, inputs)
}

/// JSONAdapter's messages.
pub fn json(signature: &SignatureDesc, demos: &[&Values], inputs: &Values) -> Vec<Message> {
    assemble(&json::Json, signature, demos, inputs)
}

/// XMLAdapter's messages.
pub fn xml(signature: &SignatureDesc, demos: &[&Values], inputs: &Values) -> Vec<Message> {
    assemble(&xml::Xml, signature, demos, inputs)
}

/// JSONAdapter's `response_format`: a strict JSON schema of the outputs when the model
/// supports it, `json_object` otherwise.
///
/// The schema is named `DSPyProgramOutputs`, as in DSPy: an object with one property per
/// output field (in signature order), all required, `additionalProperties: false` on every
/// object, models under `$defs`. OpenAI's strict mode cannot describe open-ended maps, so a
/// signature whose outputs contain a `dict[str, T]` anywhere gets `json_object` instead. (DSPy
/// does this for top-level dicts only, and turns nested ones into objects that must be empty.)
pub fn json_response_format(signature: &SignatureDesc, supports_json_schema: bool) -> ResponseFormat {
    json::response_format(signature, supports_json_schema)
}

/// How one adapter lays out the three kinds of message.
trait Layout {
    /// The field structure part of the system message.
    fn field_structure(&self, out: &mut String, signature: &SignatureDesc);

    /// A user turn: the incomplete-demo prefix if given, the present inputs, and the reminder
    /// when `main` (the final request).
    fn user(&self, signature: &SignatureDesc, values: &Values, prefix: Option<&str>, main: bool) -> String;

    /// An assistant turn for a demo; missing outputs show `missing`.
    fn assistant(&self, signature: &SignatureDesc, values: &Values, missing: &Value) -> String;
}

/// `field description ⏎ field structure ⏎ task description`.
fn system_message(layout: &dyn Layout, signature: &SignatureDesc) -> String {
    let mut out = String::with_capacity(1024);
    system::write_field_description(&mut out, signature);
    out.push('\n');
    layout.field_structure(&mut out, signature);
    out.push('\n');
    system::write_task_description(&mut out, signature);
    out
}

fn assemble(layout: &dyn Layout, signature: &SignatureDesc, demos: &[&Values], inputs: &Values) -> Vec<Message> {
    let mut messages = Vec::with_capacity(2 + 2 * demos.len());
    messages.push(Message::system(system_message(layout, signature)));
    if !demos.is_empty() {
        let (incomplete, complete) = classify_demos(signature, demos);
        let not_supplied = Value::String(NOT_SUPPLIED.into());
        for demo in incomplete {
            messages.push(Message::user(layout.user(signature, demo, Some(INCOMPLETE_DEMO_PREFIX), false)));
            messages.push(Message::assistant(layout.assistant(signature, demo, &not_supplied)));
        }
        let not_supplied = Value::String(NOT_SUPPLIED_HISTORY.into());
        for demo in complete {
            messages.push(Message::user(layout.user(signature, demo, None, false)));
            messages.push(Message::assistant(layout.assistant(signature, demo, &not_supplied)));
        }
    }
    let content = layout.user(signature, inputs, None, true);
    if !content.is_empty() {
        messages.push(Message::user(content));
    }
    messages
}

/// Splits demos into (incomplete, complete), dropping the unusable ones.
///
/// A demo is complete when every signature field is a key with a non-null value. Otherwise it
/// is kept only if it has at least one input key and one output key (a `null` value counts).
fn classify_demos<'a>(signature: &SignatureDesc, demos: &[&'a Values]) -> (Vec<&'a Values>, Vec<&'a Values>) {
    let mut incomplete = Vec::new();
    let mut complete = Vec::new();
    for &demo in demos {
        let present = |name: &String| demo.get(name).is_some_and(|v| !v.is_null());
        if signature.inputs.iter().chain(&signature.outputs).all(|f| present(&f.name)) {
            complete.push(demo);
        } else if signature.inputs.iter().any(|f| demo.contains_key(&f.name))
            && signature.outputs.iter().any(|f| demo.contains_key(&f.name))
        {
            incomplete.push(demo);
        }
    }
    (incomplete, complete)
}

/// Appends the `(must be formatted as a valid Python T)` hint of reminders, for non-`str` types.
fn write_type_hint(out: &mut String, field: &cognate_core::FieldDesc) {
    if field.ty != cognate_core::TypeDesc::Str {
        out.push_str(" (must be formatted as a valid Python ");
        system::write_type_name(out, &field.ty);
        out.push(')');
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn values(v: Value) -> Values {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn demos_are_classified_like_dspy() {
        let sig = SignatureDesc::parse("q, c -> a, b").unwrap();
        let demos = [
            values(json!({"q": 1, "c": 2, "a": 3, "b": 4})),         // complete
            values(json!({"q": 1, "a": null})),                      // incomplete: null output key counts
            values(json!({"q": 1, "c": 2})),                         // dropped: no output key
            values(json!({"a": 1, "b": 2, "extra": 3})),             // dropped: no input key
            values(json!({"q": 1, "c": null, "a": 3, "b": 4})),      // incomplete: a null value
            values(json!({"q": "x", "c": "y", "a": "z", "b": "w"})), // complete
        ];
        let refs: Vec<&Values> = demos.iter().collect();
        let (incomplete, complete) = classify_demos(&sig, &refs);
        assert_eq!(incomplete, [&demos[1], &demos[4]]);
        assert_eq!(complete, [&demos[0], &demos[5]]);
    }

    #[test]
    fn incomplete_demos_come_first() {
        let sig = SignatureDesc::parse("q -> a").unwrap();
        let demos = [values(json!({"q": "full", "a": "yes"})), values(json!({"q": "part", "a": null}))];
        let msgs = chat(&sig, &[&demos[0], &demos[1]], &values(json!({"q": "now"})));
        let contents: Vec<&str> = msgs.iter().map(|m| m.content.as_str()).collect();
        assert_eq!(contents.len(), 6);
        assert_eq!(contents[1], format!("{INCOMPLETE_DEMO_PREFIX}\n\n[[ ## q ## ]]\npart"));
        assert_eq!(contents[2], "[[ ## a ## ]]\nNone\n\n[[ ## completed ## ]]\n");
        assert_eq!(contents[3], "[[ ## q ## ]]\nfull");
        assert_eq!(contents[4], "[[ ## a ## ]]\nyes\n\n[[ ## completed ## ]]\n");
    }
}
