//! XMLAdapter parsing: output fields wrapped in `<name>...</name>` elements.

use cognate_core::{ParseError, ParseErrorKind, SignatureDesc, TypeDesc, Values};
use roxmltree::{Document, Node};
use serde_json::{Map, Value};

use super::validate::validate;
use super::{check_size, error, finish, parse_value};
use crate::pyfmt::py_str;
use crate::pyfmt::py_strip;

const ADAPTER: &str = "XMLAdapter";
const ROOT_OPEN: &str = "<dspy_root>";
/// Elements nested deeper than this (below the root) are refused before any conversion: the
/// conversion, like DSPy's, is recursive.
const MAX_ELEMENT_DEPTH: u32 = 100;

/// XMLAdapter parsing.
///
/// The completion is parsed as the content of one root element. Its child elements are grouped
/// by tag (`<entry key="k">` by `k`), and each output's elements are converted following the
/// shape of the field's type: repeated tags and `<item>` children make lists, child elements
/// make objects, and text is read like ChatAdapter text.
///
/// # Errors
/// See [`crate::Adapter::parse`].
pub fn xml(signature: &SignatureDesc, completion: &str) -> Result<Values, Box<ParseError>> {
    check_size(ADAPTER, signature, completion)?;
    let wrapped = format!("{ROOT_OPEN}{completion}</dspy_root>");
    let doc = Document::parse(&wrapped).map_err(|e| {
        let detail = format!("Failed to parse XML: {e}");
        error(ADAPTER, ParseErrorKind::XmlSyntax, signature, completion, None, detail)
    })?;
    if max_element_depth(&doc) > MAX_ELEMENT_DEPTH {
        let detail = format!("The LM response nests XML elements deeper than {MAX_ELEMENT_DEPTH} levels.");
        return Err(error(ADAPTER, ParseErrorKind::TooDeep, signature, completion, None, detail));
    }
    let groups = group_children(doc.root_element());
    let mut found = Values::new();
    for field in &signature.outputs {
        let Some((_, elements)) = groups.iter().find(|(k, _)| *k == field.name) else { continue };
        let mut candidates = vec![Schema::Ty(&field.ty)];
        if let TypeDesc::Optional(inner) = &field.ty {
            candidates.extend([Schema::Ty(inner), Schema::Null]);
        }
        let mut last = (Value::Null, String::new());
        let mut converted = None;
        for candidate in candidates {
            let value = to_value(elements, candidate);
            match parse_value(&value, &field.ty).or_else(|_| validate(&value, &field.ty)) {
                Ok(v) => {
                    converted = Some(v);
                    break;
                }
                Err(e) => last = (value, e),
            }
        }
        let Some(value) = converted else {
            let (value, e) = last;
            let detail = format!(
                "Failed to parse field {} ({}) with value {}: {e}",
                field.name,
                field.ty.python_name(),
                py_str(&value)
            );
            return Err(error(ADAPTER, ParseErrorKind::FieldValue, signature, completion, None, detail));
        };
        found.insert(field.name.clone(), value);
    }
    finish(ADAPTER, signature, completion, found)
}

/// The deepest element nesting below the root, in one pass over the nodes (document order
/// visits a parent before its children).
fn max_element_depth(doc: &Document<'_>) -> u32 {
    let root = doc.root_element();
    let mut depth = vec![0u32; root.id().get_usize() + 1];
    let mut max = 0;
    for node in root.descendants().skip(1) {
        let id = node.id().get_usize();
        if depth.len() <= id {
            depth.resize(id + 1, 0);
        }
        let parent = node.parent().map_or(0, |p| depth.get(p.id().get_usize()).copied().unwrap_or(0));
        depth[id] = parent + u32::from(node.is_element());
        max = max.max(depth[id]);
    }
    max
}

/// The piece of pydantic's JSON schema that drives the conversion of elements.
#[derive(Clone, Copy)]
enum Schema<'t> {
    /// The schema of a type.
    Ty(&'t TypeDesc),
    /// `{"type": "null"}`: an `anyOf` branch.
    Null,
    /// `{}`: a property the schema does not describe.
    Any,
}

impl Schema<'_> {
    fn is_string(self) -> bool {
        match self {
            Schema::Ty(TypeDesc::Str) => true,
            Schema::Ty(TypeDesc::Literal(members)) => {
                members.iter().all(|m| matches!(m, cognate_core::LiteralValue::Str(_)))
            }
            _ => false,
        }
    }

    fn is_object(self) -> bool {
        matches!(self, Schema::Ty(TypeDesc::Dict(_) | TypeDesc::Model(_)))
    }
}

/// The element children of `node`, grouped by tag (or by `key` for `<entry>`), in order of
/// first appearance.
fn group_children<'a, 'i>(node: Node<'a, 'i>) -> Vec<(&'a str, Vec<Node<'a, 'i>>)> {
    let mut groups: Vec<(&'a str, Vec<Node<'a, 'i>>)> = Vec::new();
    for child in node.children().filter(Node::is_element) {
        let tag = child.tag_name().name();
        let key = if tag == "entry" { child.attribute("key").unwrap_or(tag) } else { tag };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(child),
            None => groups.push((key, vec![child])),
        }
    }
    groups
}

fn has_children(node: Node<'_, '_>) -> bool {
    node.children().any(|c| c.is_element())
}

/// ElementTree's `element.text`: the text before the first child element (comments skipped).
fn leading_text(node: Node<'_, '_>) -> String {
    node.children().take_while(|c| !c.is_element()).filter_map(|c| c.is_text().then(|| c.text()).flatten()).collect()
}

/// The text after an element up to the next element sibling (ElementTree's `tail`).
fn tail_text(node: Node<'_, '_>) -> String {
    let mut out = String::new();
    let mut next = node.next_sibling();
    while let Some(n) = next {
        if n.is_element() {
            break;
        }
        if let Some(t) = n.text().filter(|_| n.is_text()) {
            out.push_str(t);
        }
        next = n.next_sibling();
    }
    out
}

fn to_value(elements: &[Node<'_, '_>], schema: Schema<'_>) -> Value {
    let mut schema = schema;
    if let Schema::Ty(TypeDesc::Optional(inner)) = schema {
        let first = elements[0];
        if !has_children(first) && py_strip(&leading_text(first)).is_empty() {
            return Value::Null;
        }
        schema = Schema::Ty(inner);
    }
    if let Schema::Ty(TypeDesc::List(item)) = schema {
        let mut elements = elements.to_vec();
        if elements.len() == 1 && !has_children(elements[0]) {
            let text = leading_text(elements[0]);
            let text = py_strip(&text);
            if text.is_empty() {
                return Value::Array(Vec::new());
            }
            if text.starts_with('[') {
                return Value::String(text.to_string());
            }
        }
        if elements.len() == 1 {
            if let Some((_, items)) = group_children(elements[0]).into_iter().find(|(k, _)| *k == "item") {
                elements = items;
            }
        }
        return Value::Array(elements.iter().map(|e| to_value(std::slice::from_ref(e), Schema::Ty(item))).collect());
    }
    let element = elements[0];
    if schema.is_string() && has_children(element) {
        let mut inner = leading_text(element);
        for child in element.children().filter(Node::is_element) {
            serialize(child, &mut inner);
            inner.push_str(&escape_text(&tail_text(child)));
        }
        return Value::String(inner);
    }
    let children = group_children(element);
    if children.is_empty() {
        if schema.is_object() && py_strip(&leading_text(element)).is_empty() {
            return Value::Object(Map::new());
        }
        let mut texts: Vec<Value> =
            elements.iter().map(|e| Value::String(py_strip(&leading_text(*e)).to_string())).collect();
        return if texts.len() == 1 { texts.pop().expect("one text") } else { Value::Array(texts) };
    }
    let mut out = Map::new();
    for (name, items) in children {
        let child_schema = match schema {
            Schema::Ty(TypeDesc::Model(m)) => {
                m.fields.iter().find(|f| f.name == name).map_or(Schema::Any, |f| Schema::Ty(&f.ty))
            }
            Schema::Ty(TypeDesc::Dict(item)) => Schema::Ty(item),
            _ => Schema::Any,
        };
        out.insert(name.to_string(), to_value(&items, child_schema));
    }
    Value::Object(out)
}

/// ElementTree's `tostring(element)` without the tail: `<tag a="v">text...</tag>` or `<tag />`.
fn serialize(node: Node<'_, '_>, out: &mut String) {
    let tag = node.tag_name().name();
    out.push('<');
    out.push_str(tag);
    for attr in node.attributes() {
        out.push(' ');
        out.push_str(attr.name());
        out.push_str("=\"");
        out.push_str(&escape_attr(attr.value()));
        out.push('"');
    }
    let text = leading_text(node);
    if text.is_empty() && !has_children(node) {
        out.push_str(" />");
        return;
    }
    out.push('>');
    out.push_str(&escape_text(&text));
    for child in node.children().filter(Node::is_element) {
        serialize(child, out);
        out.push_str(&escape_text(&tail_text(child)));
    }
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn escape_attr(s: &str) -> String {
    escape_text(s).replace('"', "&quot;").replace('\r', "&#13;").replace('\n', "&#10;").replace('\t', "&#09;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[track_caller]
    fn check(spec: &str, completion: &str, expected: Value) {
        let got = xml(&SignatureDesc::parse(spec).unwrap(), completion).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Value::Object(got).to_string(), expected.to_string(), "{completion:?}");
    }

    #[test]
    fn shapes() {
        check("q -> a: list[int]", "<a><item>1</item><item> 2 </item></a>", json!({"a": [1, 2]}));
        check("q -> a: list[str]", "<a>x</a><a>y</a>", json!({"a": ["x", "y"]}));
        check("q -> a: list[str]", "<a>[\"x\"]</a>", json!({"a": ["x"]}));
        check("q -> a: list[str]", "<a/>", json!({"a": []}));
        check(
            "q -> a: dict[str, int]",
            "<a><entry key=\"two words\">1</entry><b>2</b></a>",
            json!({"a": {"two words": 1, "b": 2}}),
        );
        check("q -> a: dict[str, int]", "<a> </a>", json!({"a": {}}));
        check("q -> a", "<a>one</a><a>two</a>", json!({"a": "['one', 'two']"}));
        check("q -> a: Optional[int]", "<a>  </a>", json!({"a": null}));
        check("q -> a: Optional[str]", "<a><p>x</p> tail &amp; more</a>", json!({"a": "<p>x</p> tail &amp; more"}));
        check("q -> a", "<a>x <br/>y<i k='1'>z</i></a>", json!({"a": "x <br />y<i k=\"1\">z</i>"}));
        check("q -> a", "<a>A &lt; <![CDATA[<b>]]><!-- c -->!</a>", json!({"a": "A < <b>!"}));
    }

    #[test]
    fn errors() {
        let s = SignatureDesc::parse("q -> a, b: int").unwrap();
        let err = xml(&s, "<a>Fish & Chips</a>").unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::XmlSyntax);
        assert!(err.detail.starts_with("Failed to parse XML: "));
        let err = xml(&s, "<a>x</a><b>1</b><b>2</b>").unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::FieldValue);
        assert!(err.detail.starts_with("Failed to parse field b (int) with value ['1', '2']: "), "{}", err.detail);
        let err = xml(&s, "<a>x</a>").unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::MissingFields);
        assert_eq!(err.found, Some(vec!["a".to_string()]));
    }
}
