//! ChatAdapter's layout: every field is a `[[ ## name ## ]]` block, and replies end with
//! `[[ ## completed ## ]]`.

use cognate_core::{FieldDesc, SignatureDesc, Values};
use serde_json::Value;

use super::system::{strip_in_place, write_placeholder};
use super::value::write_value;
use super::{Layout, STRUCTURE_INTRO, write_type_hint};

/// ChatAdapter.
pub(super) struct Chat;

impl Layout for Chat {
    fn field_structure(&self, out: &mut String, signature: &SignatureDesc) {
        let start = out.len();
        out.push_str(STRUCTURE_INTRO);
        out.push_str("\n\n");
        write_placeholder_blocks(out, &signature.inputs, false);
        out.push_str("\n\n");
        write_placeholder_blocks(out, &signature.outputs, true);
        out.push_str("\n\n[[ ## completed ## ]]\n");
        strip_in_place(out, start);
    }

    fn user(&self, signature: &SignatureDesc, values: &Values, prefix: Option<&str>, main: bool) -> String {
        let mut out = String::with_capacity(256);
        write_user_fields(&mut out, signature, values, prefix);
        if main {
            out.push_str("\n\n");
            write_reminder(&mut out, signature);
        }
        // DSPy joins an empty suffix, then strips.
        strip_in_place(&mut out, 0);
        out
    }

    fn assistant(&self, signature: &SignatureDesc, values: &Values, missing: &Value) -> String {
        let mut out = String::with_capacity(256);
        for (i, f) in signature.outputs.iter().enumerate() {
            if i > 0 {
                out.push_str("\n\n");
            }
            write_block(&mut out, f, values.get(&f.name).unwrap_or(missing));
        }
        strip_in_place(&mut out, 0);
        out.push_str("\n\n[[ ## completed ## ]]\n");
        out
    }
}

/// The prefix (possibly empty) followed by a `⏎⏎`-separated block for each input present in
/// `values`, unstripped. Shared with JSONAdapter.
pub(super) fn write_user_fields(out: &mut String, signature: &SignatureDesc, values: &Values, prefix: Option<&str>) {
    out.push_str(prefix.unwrap_or(""));
    for f in &signature.inputs {
        if let Some(v) = values.get(&f.name) {
            out.push_str("\n\n");
            write_block(out, f, v);
        }
    }
}

/// `[[ ## name ## ]]⏎<value>`.
fn write_block(out: &mut String, field: &FieldDesc, value: &Value) {
    write_header(out, &field.name);
    out.push('\n');
    write_value(out, &field.ty, value);
}

fn write_header(out: &mut String, name: &str) {
    out.push_str("[[ ## ");
    out.push_str(name);
    out.push_str(" ## ]]");
}

/// The placeholder blocks of one group of fields, joined with a blank line and stripped.
/// Shared with JSONAdapter.
pub(super) fn write_placeholder_blocks(out: &mut String, fields: &[FieldDesc], is_output: bool) {
    let start = out.len();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        write_header(out, &f.name);
        out.push('\n');
        write_placeholder(out, f, is_output);
    }
    strip_in_place(out, start);
}

/// ``Respond with the corresponding output fields, starting with the field `[[ ## a ## ]]`,
/// then ..., and then ending with the marker for `[[ ## completed ## ]]`.``
fn write_reminder(out: &mut String, signature: &SignatureDesc) {
    out.push_str("Respond with the corresponding output fields, starting with the field ");
    for (i, f) in signature.outputs.iter().enumerate() {
        if i > 0 {
            out.push_str(", then ");
        }
        out.push('`');
        write_header(out, &f.name);
        out.push('`');
        write_type_hint(out, f);
    }
    out.push_str(", and then ending with the marker for `[[ ## completed ## ]]`.");
}
