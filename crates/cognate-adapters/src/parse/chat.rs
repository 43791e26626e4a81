//! ChatAdapter parsing: `[[ ## name ## ]]` sections.

use cognate_core::{ParseError, ParseErrorKind, SignatureDesc, Values};
use serde_json::Value;

use super::{check_size, error, finish, output, parse_value};
use crate::pyfmt::{py_splitlines as splitlines, py_strip};

const ADAPTER: &str = "ChatAdapter";

/// ChatAdapter parsing.
///
/// The completion is split into lines; a line that starts (after stripping) with
/// `[[ ## name ## ]]` opens the section `name`, whose value is the rest of that line plus the
/// following lines, stripped. The first section of each output field wins; unknown sections
/// (`completed` included) and text before the first header are ignored.
///
/// # Errors
/// See [`crate::Adapter::parse`].
pub fn chat(signature: &SignatureDesc, completion: &str) -> Result<Values, Box<ParseError>> {
    check_size(ADAPTER, signature, completion)?;
    let mut sections: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut in_output = false;
    for line in splitlines(completion) {
        let stripped = py_strip(line);
        if let Some((name, header_len)) = match_header(stripped) {
            // DSPy cuts the original line at the stripped header's length, which leaks header
            // characters into indented headers' content; Cognate cuts the stripped line.
            let rest = py_strip(&stripped[header_len..]);
            in_output = output(signature, name).is_some();
            sections.push((name, if rest.is_empty() { Vec::new() } else { vec![rest] }));
        } else if in_output {
            if let Some((_, lines)) = sections.last_mut() {
                lines.push(line);
            }
        }
    }

    let mut found = Values::new();
    for (name, lines) in sections {
        let Some(field) = output(signature, name) else { continue };
        if found.contains_key(name) {
            continue;
        }
        let joined = lines.join("\n");
        let text = py_strip(&joined);
        let value = parse_value(&Value::String(text.to_string()), &field.ty).map_err(|e| {
            let detail =
                format!("Failed to parse field {name} with value {text} from the LM response. Error message: {e}");
            error(ADAPTER, ParseErrorKind::FieldValue, signature, completion, None, detail)
        })?;
        found.insert(name.to_string(), value);
    }
    finish(ADAPTER, signature, completion, found)
}

/// Matches `[[ ## NAME ## ]]` at the start of `line` (NAME: one or more word characters);
/// returns NAME and the header's byte length.
fn match_header(line: &str) -> Option<(&str, usize)> {
    let rest = line.strip_prefix("[[ ## ")?;
    let name_len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
    if name_len == 0 || !rest[name_len..].starts_with(" ## ]]") {
        return None;
    }
    Some((&rest[..name_len], 6 + name_len + 6))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sig(spec: &str) -> SignatureDesc {
        SignatureDesc::parse(spec).unwrap()
    }

    #[track_caller]
    fn check(spec: &str, completion: &str, expected: Value) {
        let got = chat(&sig(spec), completion).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Value::Object(got).to_string(), expected.to_string(), "{completion:?}");
    }

    #[test]
    fn headers() {
        assert_eq!(match_header("[[ ## a_1 ## ]] rest"), Some(("a_1", 15)));
        assert_eq!(match_header("[[ ## ключ ## ]]"), Some(("ключ", 20)));
        assert_eq!(match_header("[[## a ##]]"), None);
        assert_eq!(match_header("[[ ## a b ## ]]"), None);
        assert_eq!(match_header("[[ ##  ## ]]"), None);
        assert_eq!(match_header("x [[ ## a ## ]]"), None);
    }

    #[test]
    fn sections() {
        check("q -> a", "[[ ## a ## ]]\nhello\n\n[[ ## completed ## ]]", json!({"a": "hello"}));
        check("q -> a", "  [[ ## a ## ]] same line", json!({"a": "same line"}));
        check("q -> a", "    [[ ## a ## ]]\nnext", json!({"a": "next"}));
        check("q -> a", "[[ ## a ## ]]\n\n[[ ## a ## ]]\nlater", json!({"a": ""}));
        check("q -> a, b: int", "[[ ## b ## ]]\n2\r\n[[ ## a ## ]]\r\nx\r\ny", json!({"a": "x\ny", "b": 2}));
        check("q -> a, b: Optional[int]", "[[ ## a ## ]]\nx", json!({"a": "x", "b": null}));
        check("q -> a", "[[ ## a ## ]]\nx\n[[ ## A ## ]]\ny", json!({"a": "x"}));
    }

    #[test]
    fn errors_carry_the_reply_and_fields() {
        let s = sig("q -> a, b: int");
        let err = chat(&s, "[[ ## a ## ]]\nx").unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::MissingFields);
        assert_eq!(err.raw, "[[ ## a ## ]]\nx");
        assert_eq!(err.expected, vec!["a", "b"]);
        assert_eq!(err.found, Some(vec!["a".to_string()]));

        let err = chat(&s, "[[ ## a ## ]]\nx\n[[ ## b ## ]]\nmany").unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::FieldValue);
        assert!(
            err.detail.starts_with("Failed to parse field b with value many from the LM response. Error message: ")
        );
        assert_eq!(err.found, None);
    }
}
