//! Reading a DSPy-style system prompt with plain string scanning: the output fields, their
//! types and JSON schemas, and the reply format the prompt asks for.

use serde_json::{Map, Value};

use super::values::Ty;

/// The shape of the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// `[[ ## name ## ]]` blocks and `[[ ## completed ## ]]`.
    Chat,
    /// One JSON object.
    Json,
    /// `<name>value</name>` elements.
    Xml,
}

/// One output field the prompt asks for.
#[derive(Debug)]
pub(crate) struct OutputField<'a> {
    pub(crate) name: &'a str,
    pub(crate) ty: Ty,
    /// The field's JSON schema, read from the prompt's note, when the type names a model.
    pub(crate) schema: Option<Value>,
    /// For XMLAdapter prompts without a schema: an object built from the field's skeleton.
    pub(crate) skeleton: Option<Value>,
}

const OUTPUTS_HEADER: &str = "Your output fields are:\n";
const STRUCTURE_START: &str = "\nAll interactions will be structured";
const SCHEMA_NOTE: &str = "        # note: the value you produce must adhere to the JSON schema: ";

/// The output fields listed in `system`'s "Your output fields are:" block, in order.
pub(crate) fn output_fields(system: &str) -> Vec<OutputField<'_>> {
    let Some(start) = system.find(OUTPUTS_HEADER).map(|i| i + OUTPUTS_HEADER.len()) else {
        return Vec::new();
    };
    let end = system[start..].find(STRUCTURE_START).map_or(system.len(), |i| start + i);
    let mut fields = Vec::new();
    for line in system[start..end].split('\n') {
        if let Some((name, ty_text)) = field_line(line) {
            let ty = Ty::parse(ty_text);
            let schema = if ty.needs_schema() { schema_note(system, name) } else { None };
            let skeleton = if schema.is_none() && ty.needs_schema() { xml_skeleton(system, name) } else { None };
            fields.push(OutputField { name, ty, schema, skeleton });
        }
    }
    fields
}

/// Splits ``3. `name` (TYPE): description`` into name and TYPE; `None` for other lines
/// (continuations of multi-line descriptions).
fn field_line(line: &str) -> Option<(&str, &str)> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let rest = line[digits..].strip_prefix(". `")?;
    let name_end = rest.find('`')?;
    let name = &rest[..name_end];
    let ty_part = rest[name_end + 1..].strip_prefix(" (")?;
    let (mut depth, mut quote) = (0i32, None::<u8>);
    let bytes = ty_part.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'\'' | b'"' => quote = Some(b),
                b'[' => depth += 1,
                b']' => depth -= 1,
                b')' if depth == 0 && bytes.get(i + 1) == Some(&b':') => return Some((name, &ty_part[..i])),
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// The JSON schema in the note after `{name}` in the field structure, for the Chat form
/// (raw JSON to the end of the line) and the JSON form (inside an escaped JSON string).
fn schema_note(system: &str, name: &str) -> Option<Value> {
    let marker = format!("{{{name}}}{SCHEMA_NOTE}");
    let at = system.find(&marker)?;
    let line_start = system[..at].rfind('\n').map_or(0, |i| i + 1);
    let tail_start = at + marker.len();
    let tail_end = system[tail_start..].find('\n').map_or(system.len(), |i| tail_start + i);
    let tail = &system[tail_start..tail_end];
    if system[line_start..at].trim_start().starts_with('"') {
        // JSONAdapter: `  "name": "{name}        # note: ... {\"type\": ...}",`
        let escaped = tail.trim_end().trim_end_matches(',').strip_suffix('"')?;
        let text: String = serde_json::from_str(&format!("\"{escaped}\"")).ok()?;
        serde_json::from_str(&text).ok()
    } else {
        serde_json::from_str(tail.trim_end()).ok()
    }
}

/// XMLAdapter's skeleton line `<name><a>...</a><b><item>...</item></b></name>` as a value:
/// leaves become `"1"` (which reads as a string, an integer, a float and a boolean), and
/// `<item>` children become arrays.
fn xml_skeleton(system: &str, name: &str) -> Option<Value> {
    let open = format!("\n<{name}><");
    let at = system.find(&open)? + 1;
    let end = system[at..].find('\n').map_or(system.len(), |i| at + i);
    let mut parser = Skeleton { s: &system[at..end], i: 0 };
    parser.element().map(|(_, v)| v)
}

struct Skeleton<'a> {
    s: &'a str,
    i: usize,
}

impl Skeleton<'_> {
    fn element(&mut self) -> Option<(String, Value)> {
        let rest = self.s[self.i..].strip_prefix('<')?;
        let close = rest.find('>')?;
        let tag = rest[..close].to_owned();
        self.i += close + 2;
        let value = if self.s[self.i..].starts_with("...") {
            self.i += 3;
            Value::String("1".into())
        } else {
            let mut children: Vec<(String, Value)> = Vec::new();
            while !self.s[self.i..].starts_with("</") {
                children.push(self.element()?);
            }
            if children.iter().all(|(t, _)| t == "item") && !children.is_empty() {
                Value::Array(children.into_iter().map(|(_, v)| v).collect())
            } else {
                Value::Object(children.into_iter().collect::<Map<_, _>>())
            }
        };
        let end_tag = format!("</{tag}>");
        self.s[self.i..].starts_with(&end_tag).then_some(())?;
        self.i += end_tag.len();
        Some((tag, value))
    }
}

/// The reply format: JSON when asked through `response_format` or JSONAdapter's prompt, XML
/// when the structure uses `<field>` tags, else ChatAdapter markers.
pub(crate) fn detect_format(system: &str, first_output: Option<&str>, json_requested: bool) -> Format {
    if json_requested || system.contains("Outputs will be a JSON object") {
        return Format::Json;
    }
    if system.contains("[[ ## ") {
        return Format::Chat;
    }
    match first_output {
        Some(name) if system.contains(&format!("<{name}>")) => Format::Xml,
        _ => Format::Chat,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const CHAT: &str = "Your input fields are:\n1. `q` (str): the question\nYour output fields are:\n\
        1. `result` (Location): \n2. `tags` (list[str]): line one\nline two\n3. `label` (Literal['a (b)', 'c']):\n\
        All interactions will be structured in the following way, with the appropriate values filled in.\n\n\
        [[ ## q ## ]]\n{q}\n\n[[ ## result ## ]]\n{result}        # note: the value you produce must adhere to the JSON schema: \
        {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\", \"title\": \"City\"}}, \"required\": [\"city\"], \"title\": \"Location\"}\n\n\
        [[ ## completed ## ]]\nIn adhering to this structure, your objective is: \n        Answer.";

    #[test]
    fn reads_fields_types_and_chat_schema() {
        let fields = output_fields(CHAT);
        let names: Vec<_> = fields.iter().map(|f| f.name).collect();
        assert_eq!(names, ["result", "tags", "label"]);
        assert_eq!(fields[0].ty, Ty::Named("Location".into()));
        assert_eq!(fields[0].schema.as_ref().unwrap()["properties"]["city"]["type"], "string");
        assert_eq!(fields[1].ty, Ty::parse("list[str]"));
        assert_eq!(fields[2].ty, Ty::Literal(vec![json!("a (b)"), json!("c")]));
        assert_eq!(detect_format(CHAT, Some("result"), false), Format::Chat);
        assert_eq!(detect_format(CHAT, Some("result"), true), Format::Json);
    }

    #[test]
    fn reads_the_json_adapter_escaped_schema() {
        let system = "Your output fields are:\n1. `span` (Citation): \n2. `steps` (str):\n\
            All interactions will be structured in the following way, with the appropriate values filled in.\n\n\
            Outputs will be a JSON object with the following fields.\n\n{\n  \"span\": \"{span}        # note: the value you produce must adhere to the JSON schema: \
            {\\\"type\\\": \\\"object\\\", \\\"properties\\\": {\\\"n\\\": {\\\"type\\\": \\\"integer\\\"}}}\",\n  \"steps\": \"{steps}\"\n}";
        let fields = output_fields(system);
        assert_eq!(fields[0].schema, Some(json!({"type": "object", "properties": {"n": {"type": "integer"}}})));
        assert_eq!(detect_format(system, Some("span"), false), Format::Json);
    }

    #[test]
    fn reads_xml_skeletons() {
        let system = "Your output fields are:\n1. `ex` (Product): \n2. `ok` (bool):\n\
            All interactions will be structured in the following way, with the appropriate values filled in.\n\n\
            <ex><lon>...</lon><tags><item>...</item></tags></ex>\n\n<ok>\n{ok}        # note: the value you produce must be True or False\n</ok>\n\
            In adhering to this structure, your objective is: \n        Go.";
        let fields = output_fields(system);
        assert_eq!(fields[0].skeleton, Some(json!({"lon": "1", "tags": ["1"]})));
        assert_eq!(detect_format(system, Some("ex"), false), Format::Xml);
    }

    #[test]
    fn no_fields_block_means_no_fields() {
        assert!(output_fields("You are a helpful assistant.").is_empty());
        assert_eq!(field_line("1. `x` (dict[str, int]): d"), Some(("x", "dict[str, int]")));
        assert_eq!(field_line("line two of a description"), None);
    }
}
