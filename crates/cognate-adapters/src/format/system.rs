//! The pieces of the system message that all three adapters share: type names, the field
//! description, placeholders with their notes, and the task description (with Python's
//! `inspect.cleandoc`).

use std::fmt::Write as _;

use cognate_core::{FieldDesc, LiteralValue, SignatureDesc, TypeDesc};

use super::schema;
use crate::pyfmt::{py_is_line_break, py_is_space, py_splitlines};

/// Appends a type's name as DSPy prints it (`get_annotation_name`): `list[str]`,
/// `Union[int, NoneType]`, `Literal['a', "it's"]`, a model's name.
///
/// Literal strings are quoted like DSPy does it, which is not Python's `repr`: backslashes and
/// newlines are kept as they are.
pub(crate) fn write_type_name(out: &mut String, ty: &TypeDesc) {
    match ty {
        TypeDesc::Str => out.push_str("str"),
        TypeDesc::Int => out.push_str("int"),
        TypeDesc::Float => out.push_str("float"),
        TypeDesc::Bool => out.push_str("bool"),
        TypeDesc::List(t) => {
            out.push_str("list[");
            write_type_name(out, t);
            out.push(']');
        }
        TypeDesc::Dict(t) => {
            out.push_str("dict[str, ");
            write_type_name(out, t);
            out.push(']');
        }
        TypeDesc::Optional(t) => {
            out.push_str("Union[");
            write_type_name(out, t);
            out.push_str(", NoneType]");
        }
        TypeDesc::Model(m) => out.push_str(&m.name),
        TypeDesc::Literal(members) => {
            out.push_str("Literal[");
            for (i, m) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_literal_member(out, m);
            }
            out.push(']');
        }
    }
}

/// A type's name as DSPy prints it (see [`write_type_name`]).
#[cfg(test)]
pub(crate) fn type_name(ty: &TypeDesc) -> String {
    let mut out = String::new();
    write_type_name(&mut out, ty);
    out
}

/// DSPy's quoting of a `Literal` member: `'s'`; `"s"` when `s` holds `'` but no `"`; `'s'` with
/// every `'` escaped as `\'` when it holds both. Integers print bare.
fn write_literal_member(out: &mut String, member: &LiteralValue) {
    match member {
        LiteralValue::Int(i) => {
            let _ = write!(out, "{i}");
        }
        LiteralValue::Str(s) => {
            let (single, double) = (s.contains('\''), s.contains('"'));
            if single && !double {
                out.push('"');
                out.push_str(s);
                out.push('"');
            } else {
                out.push('\'');
                if single {
                    out.push_str(&s.replace('\'', "\\'"));
                } else {
                    out.push_str(s);
                }
                out.push('\'');
            }
        }
    }
}

/// Appends the field description block:
/// ``Your input fields are:⏎1. `a` (str): desc⏎...Your output fields are:⏎...``.
pub(crate) fn write_field_description(out: &mut String, signature: &SignatureDesc) {
    out.push_str("Your input fields are:\n");
    write_field_list(out, &signature.inputs);
    out.push_str("\nYour output fields are:\n");
    write_field_list(out, &signature.outputs);
}

/// One numbered line per field, joined with `⏎` and then stripped as a whole (so the last
/// line loses its trailing whitespace, and an empty description on it loses the space after
/// the colon).
fn write_field_list(out: &mut String, fields: &[FieldDesc]) {
    let start = out.len();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = write!(out, "{}. `", i + 1);
        out.push_str(&f.name);
        out.push_str("` (");
        write_type_name(out, &f.ty);
        out.push_str("): ");
        // DSPy stores `${name}` when no description was given, and shows nothing for it.
        if f.desc.strip_prefix("${").and_then(|d| d.strip_suffix('}')) != Some(f.name.as_str()) {
            out.push_str(&f.desc);
        }
    }
    strip_in_place(out, start);
}

/// Python's `str.strip()` applied to `out[start..]`, in place.
pub(crate) fn strip_in_place(out: &mut String, start: usize) {
    let tail = &out[start..];
    let trimmed_end = tail.trim_end_matches(py_is_space).len();
    out.truncate(start + trimmed_end);
    let lead = out[start..].len() - out[start..].trim_start_matches(py_is_space).len();
    if lead > 0 {
        out.replace_range(start..start + lead, "");
    }
}

/// Appends a field's placeholder as the field structure shows it (DSPy's
/// `translate_field_type`): `{name}`, followed for non-`str` outputs by 8 spaces and a note
/// on the expected value.
pub(crate) fn write_placeholder(out: &mut String, field: &FieldDesc, is_output: bool) {
    out.push('{');
    out.push_str(&field.name);
    out.push('}');
    if !is_output {
        return;
    }
    let note_start = "        # note: the value you produce ";
    match &field.ty {
        TypeDesc::Str => {}
        TypeDesc::Bool => {
            out.push_str(note_start);
            out.push_str("must be True or False");
        }
        TypeDesc::Int => {
            out.push_str(note_start);
            out.push_str("must be a single int value");
        }
        TypeDesc::Float => {
            out.push_str(note_start);
            out.push_str("must be a single float value");
        }
        TypeDesc::Literal(members) => {
            out.push_str(note_start);
            out.push_str("must exactly match (no extra characters) one of: ");
            for (i, m) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str("; ");
                }
                let _ = match m {
                    LiteralValue::Str(s) => out.write_str(s),
                    LiteralValue::Int(n) => write!(out, "{n}"),
                };
            }
        }
        other => {
            out.push_str(note_start);
            out.push_str("must adhere to the JSON schema: ");
            schema::write_note_schema(out, other);
        }
    }
}

/// A field's placeholder as a new string (see [`write_placeholder`]).
pub(crate) fn placeholder(field: &FieldDesc, is_output: bool) -> String {
    let mut out = String::new();
    write_placeholder(&mut out, field, is_output);
    out
}

/// Appends the task description: `In adhering to this structure, your objective is: ` and, for
/// each line of the cleaned instructions, `⏎` plus 8 spaces plus the line.
pub(crate) fn write_task_description(out: &mut String, signature: &SignatureDesc) {
    out.push_str("In adhering to this structure, your objective is: ");
    let text = signature.instructions.as_str();
    if text.is_empty() {
        out.push_str("\n        ");
        out.push_str(&signature.effective_instructions());
    } else if !text.contains(|c| c == '\t' || py_is_line_break(c)) {
        // One line without tabs: `cleandoc` only strips its start, `dedent` changes nothing.
        let line = text.trim_start_matches(py_is_space);
        if !line.is_empty() {
            out.push_str("\n        ");
            out.push_str(line);
        }
    } else {
        for line in py_splitlines(&dedent(&cleandoc(text))) {
            out.push_str("\n        ");
            out.push_str(line);
        }
    }
}

/// Python's `str.expandtabs()` with 8-column stops (columns restart after `\n` and `\r`).
fn expand_tabs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut col = 0usize;
    for c in s.chars() {
        match c {
            '\t' => {
                let n = 8 - col % 8;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

/// Python 3.11's `inspect.cleandoc`: expand tabs, strip the first line's leading whitespace,
/// remove the smallest indentation of the later non-blank lines from every later line, then
/// drop empty lines at both ends.
pub(crate) fn cleandoc(doc: &str) -> String {
    let expanded = expand_tabs(doc);
    let mut lines: Vec<&str> = expanded.split('\n').collect();
    // Indentation is counted in characters, as Python does.
    let margin = lines
        .iter()
        .skip(1)
        .filter_map(|line| {
            let content = line.trim_start_matches(py_is_space);
            (!content.is_empty()).then(|| line.chars().count() - content.chars().count())
        })
        .min();
    if let Some(first) = lines.first_mut() {
        *first = first.trim_start_matches(py_is_space);
    }
    if let Some(margin) = margin {
        for line in lines.iter_mut().skip(1) {
            *line = line.char_indices().nth(margin).map_or("", |(i, _)| &line[i..]);
        }
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let first_kept = lines.iter().position(|l| !l.is_empty()).unwrap_or(lines.len());
    lines[first_kept..].join("\n")
}

/// Python's `textwrap.dedent`: lines made only of spaces and tabs become empty, and the
/// longest run of spaces and tabs shared by the start of every other line is removed.
pub(crate) fn dedent(text: &str) -> String {
    let is_blank = |l: &str| !l.is_empty() && l.chars().all(|c| c == ' ' || c == '\t');
    let mut margin: Option<&str> = None;
    for line in text.split('\n').filter(|l| !l.is_empty() && !is_blank(l)) {
        let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        margin = Some(match margin {
            None => indent,
            Some(m) => {
                let common = m.bytes().zip(indent.bytes()).take_while(|(a, b)| a == b).count();
                &m[..common]
            }
        });
    }
    let margin = margin.unwrap_or("");
    text.split('\n')
        .map(|l| if is_blank(l) { "" } else { l.strip_prefix(margin).unwrap_or(l) })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(s: &str) -> TypeDesc {
        TypeDesc::parse(s, &[]).unwrap()
    }

    #[test]
    fn literal_members_are_quoted_like_dspy() {
        for (input, expected) in [
            ("Literal['a', 'b']", "Literal['a', 'b']"),
            ("Literal[\"it's\", 'fine']", "Literal[\"it's\", 'fine']"),
            ("Literal['say \"hi\"', 'bye']", "Literal['say \"hi\"', 'bye']"),
            ("Literal['both \\' and \"']", "Literal['both \\' and \"']"),
            ("Literal[1, 2, 3]", "Literal[1, 2, 3]"),
            ("Optional[list[Literal['x']]]", "Union[list[Literal['x']], NoneType]"),
            ("dict[str, float]", "dict[str, float]"),
        ] {
            assert_eq!(type_name(&ty(input)), expected, "{input}");
        }
        // DSPy does not escape backslashes, unlike Python's repr.
        let lit = TypeDesc::Literal(vec![LiteralValue::Str("a\\b".into())]);
        assert_eq!(type_name(&lit), "Literal['a\\b']");
    }

    #[test]
    fn cleandoc_matches_python() {
        let check = |input: &str, expected: &str| assert_eq!(dedent(&cleandoc(input)), expected, "{input:?}");
        check("Answer.", "Answer.");
        check("  First line.\n    second\n      third\n", "First line.\nsecond\n  third");
        check("\n\n    Indented.\n    Same.\n\n", "Indented.\nSame.");
        check("a\n\tb\n\t\tc", "a\nb\n        c");
        check("a\n    b\n      \n    c", "a\nb\n\nc");
        check("a  \n  b  ", "a  \nb  ");
        check("x\n   ", "x\n");
        check("   ", "");
        check("\n  a\n    b", "a\n  b");
        check("x\ty\n  z", "x       y\nz");
    }

    #[test]
    fn placeholders_carry_notes_for_typed_outputs() {
        let f = |t: &str| FieldDesc::new("f", ty(t));
        assert_eq!(placeholder(&f("int"), false), "{f}");
        assert_eq!(placeholder(&f("str"), true), "{f}");
        assert_eq!(placeholder(&f("bool"), true), "{f}        # note: the value you produce must be True or False");
        assert_eq!(
            placeholder(&f("float"), true),
            "{f}        # note: the value you produce must be a single float value"
        );
        assert_eq!(
            placeholder(&f("Literal['a', 2]"), true),
            "{f}        # note: the value you produce must exactly match (no extra characters) one of: a; 2"
        );
        assert_eq!(
            placeholder(&f("Optional[str]"), true),
            "{f}        # note: the value you produce must adhere to the JSON schema: {\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"null\"}]}"
        );
    }

    #[test]
    fn field_list_is_stripped_as_a_whole() {
        let sig = SignatureDesc::new("S")
            .with_input(FieldDesc::new("a", TypeDesc::Str))
            .with_input(FieldDesc::new("b", TypeDesc::Int).with_desc("two\nlines  "))
            .with_output(FieldDesc::new("c", TypeDesc::Str).with_desc("x"));
        let mut out = String::new();
        write_field_description(&mut out, &sig);
        assert_eq!(
            out,
            "Your input fields are:\n1. `a` (str): \n2. `b` (int): two\nlines\nYour output fields are:\n1. `c` (str): x"
        );
    }

    #[test]
    fn task_description_indents_each_line() {
        let task = |instructions: &str| {
            let mut out = String::new();
            let sig = SignatureDesc::parse("q -> a").unwrap().with_instructions(instructions);
            write_task_description(&mut out, &sig);
            out
        };
        assert_eq!(
            task("  One.\n\n    Two.\n"),
            "In adhering to this structure, your objective is: \n        One.\n        \n        Two."
        );
        assert_eq!(
            task("\u{3000} One line.  "),
            "In adhering to this structure, your objective is: \n        One line.  "
        );
        assert_eq!(task("   "), "In adhering to this structure, your objective is: ");
        assert_eq!(task("a\rb"), "In adhering to this structure, your objective is: \n        a\n        b");
        let mut out = String::new();
        write_task_description(&mut out, &SignatureDesc::parse("q -> a").unwrap());
        assert_eq!(
            out,
            "In adhering to this structure, your objective is: \n        Given the fields `q`, produce the fields `a`."
        );
    }
}
