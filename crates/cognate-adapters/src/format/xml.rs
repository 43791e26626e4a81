//! XMLAdapter's layout: every field is wrapped in `<name>` tags; nested outputs (lists, dicts,
//! models) are shown as XML skeletons and, in demos, as compact nested XML.

use cognate_core::{FieldDesc, SignatureDesc, TypeDesc, Values};
use serde_json::Value;

use super::schema::{is_nested, write_xml_skeleton};
use super::system::{placeholder, strip_in_place, write_placeholder};
use super::value::{write_value, write_value_xml, write_xml_text};
use super::{Layout, STRUCTURE_INTRO};

/// XMLAdapter.
pub(super) struct Xml;

impl Layout for Xml {
    fn field_structure(&self, out: &mut String, signature: &SignatureDesc) {
        // Unlike the other adapters, this part is not stripped.
        out.push_str(STRUCTURE_INTRO);
        for (fields, is_output) in [(&signature.inputs, false), (&signature.outputs, true)] {
            out.push_str("\n\n");
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str("\n\n");
                }
                if is_output && is_nested(&f.ty) {
                    write_xml_skeleton(out, &f.name, &f.ty);
                } else {
                    write_placeholder_entry(out, f, is_output);
                }
            }
        }
    }

    fn user(&self, signature: &SignatureDesc, values: &Values, prefix: Option<&str>, main: bool) -> String {
        let mut out = String::with_capacity(256);
        out.push_str(prefix.unwrap_or(""));
        out.push_str("\n\n");
        let fields = signature.inputs.iter().filter_map(|f| values.get(&f.name).map(|v| (f, v)));
        write_entries(&mut out, fields, false);
        if main {
            out.push_str("\n\n");
            write_reminder(&mut out, signature);
        }
        strip_in_place(&mut out, 0);
        out
    }

    fn assistant(&self, signature: &SignatureDesc, values: &Values, missing: &Value) -> String {
        let mut out = String::with_capacity(256);
        let fields = signature.outputs.iter().map(|f| (f, values.get(&f.name).unwrap_or(missing)));
        write_entries(&mut out, fields, true);
        out
    }
}

/// The entries joined with a blank line, then stripped.
fn write_entries<'a>(out: &mut String, fields: impl Iterator<Item = (&'a FieldDesc, &'a Value)>, is_output: bool) {
    let start = out.len();
    for (i, (f, v)) in fields.enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        write_entry(out, f, v, is_output);
    }
    strip_in_place(out, start);
}

/// One field: nested XML for a list or object in a nested output, otherwise
/// `<name>⏎<value>⏎</name>`, with the value escaped only for outputs typed exactly `str`.
fn write_entry(out: &mut String, field: &FieldDesc, value: &Value, is_output: bool) {
    if is_output && is_nested(&field.ty) && (value.is_array() || value.is_object()) {
        write_value_xml(out, &field.name, None, value);
        return;
    }
    out.push('<');
    out.push_str(&field.name);
    out.push_str(">\n");
    if is_output && field.ty == TypeDesc::Str {
        let mut text = String::new();
        write_value(&mut text, &field.ty, value);
        write_xml_text(out, &text);
    } else {
        write_value(out, &field.ty, value);
    }
    out.push_str("\n</");
    out.push_str(&field.name);
    out.push('>');
}

/// `<name>⏎<placeholder>⏎</name>` (a placeholder is a string, so it renders verbatim).
fn write_placeholder_entry(out: &mut String, field: &FieldDesc, is_output: bool) {
    out.push('<');
    out.push_str(&field.name);
    out.push_str(">\n");
    if is_output && field.ty == TypeDesc::Str {
        write_xml_text(out, &placeholder(field, is_output));
    } else {
        write_placeholder(out, field, is_output);
    }
    out.push_str("\n</");
    out.push_str(&field.name);
    out.push('>');
}

/// ``Respond with the corresponding output fields wrapped in XML tags `<a>`, then `<b>`.``,
/// followed by the skeletons of nested outputs if there are any.
fn write_reminder(out: &mut String, signature: &SignatureDesc) {
    out.push_str("Respond with the corresponding output fields wrapped in XML tags ");
    for (i, f) in signature.outputs.iter().enumerate() {
        if i > 0 {
            out.push_str(", then ");
        }
        out.push_str("`<");
        out.push_str(&f.name);
        out.push_str(">`");
    }
    out.push('.');
    let mut nested = signature.outputs.iter().filter(|f| is_nested(&f.ty)).peekable();
    if nested.peek().is_some() {
        out.push_str(" Use this nested XML structure:");
        for f in nested {
            out.push(' ');
            write_xml_skeleton(out, &f.name, &f.ty);
        }
    }
}
