//! Hostile replies: nesting a million levels deep, or too long to attempt, through every
//! adapter. Each case runs on a thread with tokio's default worker stack (2 MiB), where a
//! recursive parser overflows long before a million levels: a regression aborts this binary.

use cognate_adapters::{Adapter, ChatAdapter, JsonAdapter, XmlAdapter};
use cognate_core::{ParseErrorKind, SignatureDesc, TypeDesc};

const DEPTH: usize = 1_000_000;
const STACK: usize = 2 << 20;

/// Runs `f` on a thread with a 2 MiB stack.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(STACK).spawn(f).expect("spawn").join().expect("no panic")
}

fn nested(open: &str, inner: &str, close: &str, depth: usize) -> String {
    let mut s = String::with_capacity((open.len() + close.len()) * depth + inner.len());
    for _ in 0..depth {
        s.push_str(open);
    }
    s.push_str(inner);
    for _ in 0..depth {
        s.push_str(close);
    }
    s
}

fn sig(text: &str) -> SignatureDesc {
    SignatureDesc::parse(text).expect("valid signature")
}

/// Parses with the adapter, then with its fallback, as `Predictor` does; returns the error kind.
fn parse_kind(adapter: &'static dyn Adapter, signature: &str, reply: String) -> Option<ParseErrorKind> {
    let sig = sig(signature);
    on_small_stack(move || {
        let result = adapter.parse(&sig, &reply).or_else(|e| match adapter.fallback() {
            Some(fallback) => fallback.parse(&sig, &reply),
            None => Err(e),
        });
        // Dropping the values is part of the test: a deep `Value` drops recursively.
        result.err().map(|e| e.kind)
    })
}

#[test]
fn deep_xml_is_a_parse_error() {
    for ty in ["str", "list[str]", "dict[str, str]", "list[list[int]]"] {
        let signature = format!("q -> answer: {ty}");
        let reply = format!("<answer>{}</answer>", nested("<a>", "x", "</a>", DEPTH));
        assert_eq!(parse_kind(&XmlAdapter, &signature, reply), Some(ParseErrorKind::TooDeep), "{ty}");
        // `<item>` is longer: half the depth keeps the reply under the size guard.
        let items = format!("<answer>{}</answer>", nested("<item>", "1", "</item>", DEPTH / 2));
        assert_eq!(parse_kind(&XmlAdapter, &signature, items), Some(ParseErrorKind::TooDeep), "{ty} items");
    }
}

#[test]
fn moderately_deep_xml_still_parses() {
    let reply = format!("<answer>{}</answer>", nested("<item>", "1", "</item>", 1));
    assert_eq!(parse_kind(&XmlAdapter, "q -> answer: list[int]", reply), None);
    let reply = format!("<answer>{}</answer>", nested("<item>", "[1]", "</item>", 20));
    assert_eq!(parse_kind(&XmlAdapter, "q -> answer: str", reply), None);
}

#[test]
fn deep_json_and_python_literals_are_parse_errors_in_every_adapter() {
    let cases = [
        nested("[", "1", "]", DEPTH),
        nested("{\"a\": ", "1", "}", DEPTH),
        nested("{\"a\": [", "", "", DEPTH),
        nested("(", "1", ")", DEPTH),
        nested("[(", "1", ")]", DEPTH / 2),
        nested("{'a': ", "1", "}", DEPTH),
    ];
    for (i, deep) in cases.into_iter().enumerate() {
        // A list field goes through json_repair, then Python literals; a str field keeps the text.
        let chat = format!("[[ ## answer ## ]]\n{deep}\n\n[[ ## completed ## ]]");
        assert!(parse_kind(&ChatAdapter, "q -> answer: list[int]", chat.clone()).is_some(), "case {i}: chat");
        assert_eq!(parse_kind(&ChatAdapter, "q -> answer", chat), None, "case {i}: chat, str");
        let json = format!("{{\"answer\": {deep}}}");
        // An object found inside the text may still be read (and then lack `answer`).
        let kind = parse_kind(&JsonAdapter, "q -> answer: list[int]", json);
        assert!(
            kind == Some(ParseErrorKind::TooDeep) || (i == 2 && kind == Some(ParseErrorKind::MissingFields)),
            "case {i}: {kind:?}"
        );
        assert!(parse_kind(&XmlAdapter, "q -> answer: list[int]", format!("<answer>{deep}</answer>")).is_some());
    }
}

#[test]
fn deep_type_spellings_are_typed_errors() {
    let spelling = nested("list[", "str", "]", DEPTH);
    let err = on_small_stack(move || TypeDesc::parse(&spelling, &[]).unwrap_err().to_string());
    assert!(err.contains("nests deeper than"), "{err}");
    assert!(err.len() < 1_000, "the message quotes a bounded part of the spelling: {} bytes", err.len());
    let text = format!("q -> answer: {}", nested("Optional[list[", "int", "]]", DEPTH));
    let err = on_small_stack(move || SignatureDesc::parse(&text).unwrap_err().to_string());
    assert!(err.contains("nests deeper than"), "{err}");
    // Real types are nowhere near the limit.
    TypeDesc::parse(&nested("list[", "dict[str, int]", "]", 30), &[]).unwrap();
}

#[test]
fn replies_beyond_the_size_guard_are_not_attempted() {
    let big = "x".repeat(cognate_adapters::MAX_REPLY_BYTES + 1);
    for adapter in [&ChatAdapter as &'static dyn Adapter, &JsonAdapter, &XmlAdapter] {
        let err = adapter.parse(&sig("q -> answer"), &big).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::TooLarge, "{}", adapter.name());
        assert!(err.detail.contains("larger than"), "{}", err.detail);
        assert!(err.raw.len() < big.len(), "the error keeps a prefix of the reply, not all of it");
    }
    // At the limit the reply is parsed.
    let mut at_limit = String::from("[[ ## answer ## ]]\n");
    at_limit.push_str(&"x".repeat(cognate_adapters::MAX_REPLY_BYTES - at_limit.len()));
    assert_eq!(
        ChatAdapter.parse(&sig("q -> answer"), &at_limit).unwrap()["answer"].as_str().unwrap().len(),
        cognate_adapters::MAX_REPLY_BYTES - 19
    );
}

#[test]
fn the_deepest_accepted_values_fit_a_small_stack() {
    // Just inside each reader's budget: the value is built, validated, printed and dropped.
    for depth in [120, 240, 249] {
        for deep in [nested("[", "1", "]", depth), nested("{\"a\": ", "1", "}", depth), nested("(", "1", ",)", depth)] {
            let chat = format!("[[ ## answer ## ]]\n{deep}\n\n[[ ## completed ## ]]");
            for signature in
                ["q -> answer: list[int]", "q -> answer: dict[str, int]", "q -> answer", "q -> answer: int"]
            {
                parse_kind(&ChatAdapter, signature, chat.clone());
                parse_kind(&JsonAdapter, signature, format!("{{\"answer\": {deep}}}"));
                parse_kind(&XmlAdapter, signature, format!("<answer>{deep}</answer>"));
            }
        }
    }
    let items = format!("<answer>{}</answer>", nested("<item>", "1", "</item>", 99));
    for signature in ["q -> answer: list[int]", "q -> answer: dict[str, int]", "q -> answer"] {
        assert_ne!(parse_kind(&XmlAdapter, signature, items.clone()), Some(ParseErrorKind::TooDeep));
    }
}

mod properties {
    use super::*;
    use cognate_core::Values;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    /// Replies drawn from the characters the lenient readers treat specially.
    fn junk() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("{".to_string()),
                Just("}".to_string()),
                Just("[".to_string()),
                Just("]".to_string()),
                Just("(".to_string()),
                Just(")".to_string()),
                Just("\"".to_string()),
                Just("'".to_string()),
                Just("\\".to_string()),
                Just(",".to_string()),
                Just(":".to_string()),
                Just("#".to_string()),
                Just("//".to_string()),
                Just("/*".to_string()),
                Just("```".to_string()),
                Just("\n".to_string()),
                Just("<item>".to_string()),
                Just("</answer>".to_string()),
                Just("[[ ## answer ## ]]".to_string()),
                Just("True".to_string()),
                Just("None".to_string()),
                "[a-z0-9 .-]{0,4}",
                any::<char>().prop_map(String::from),
            ],
            0..64,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// No reply makes an adapter panic; every failure is a typed error with the reply.
        #[test]
        fn any_reply_parses_or_is_a_typed_error(reply in junk()) {
            let sig = sig("q -> answer, n: int, items: list[int], kind: Literal['a', 'b'], extra: Optional[dict[str, float]]");
            for adapter in [&ChatAdapter as &dyn Adapter, &JsonAdapter, &XmlAdapter] {
                match adapter.parse(&sig, &reply) {
                    Ok(values) => prop_assert_eq!(values.len(), sig.outputs.len()),
                    Err(e) => prop_assert!(reply.starts_with(e.raw.as_str()) || reply.contains(e.raw.as_str())),
                }
            }
        }

        /// What an adapter writes as a demo's outputs, it reads back.
        #[test]
        fn formatted_outputs_parse_back(
            answer in "[a-zA-Z0-9][a-zA-Z0-9 ,.!?'\"-]{0,40}[a-zA-Z0-9.!?]",
            n in any::<i64>(),
            items in proptest::collection::vec(-1000i64..1000, 0..6),
        ) {
            let sig = sig("q -> answer, n: int, items: list[int]");
            let mut demo = Values::new();
            demo.insert("q".into(), json!("question"));
            demo.insert("answer".into(), Value::String(answer));
            demo.insert("n".into(), json!(n));
            demo.insert("items".into(), json!(items));
            for adapter in [&ChatAdapter as &dyn Adapter, &JsonAdapter, &XmlAdapter] {
                let messages = adapter.format(&sig, &[&demo], &Values::new());
                // system, demo user, demo assistant, final user
                let reply = &messages[2].content;
                let parsed = adapter.parse(&sig, reply).map_err(|e| TestCaseError::fail(e.to_string()))?;
                for field in ["answer", "n", "items"] {
                    prop_assert_eq!(&parsed[field], &demo[field], "{} {}", adapter.name(), reply);
                }
            }
        }
    }
}

/// Inputs the fuzz targets found to stall a parser (`fuzz/artifacts/`), kept as regressions:
/// each must parse (or fail) at once. Before the fix, the first took 14 s in a release build
/// and the synthetic one, which nests the same pattern 40 deep, about 2^40 re-reads.
#[test]
fn fuzz_found_stalls_finish() {
    let found = include_bytes!("../data/fuzz-regressions/json-nested-objects-read-again");
    let found = String::from_utf8_lossy(found).into_owned();
    let synthetic = nested("{ {", "a", "} }", 40);
    for reply in [found, synthetic] {
        for adapter in [&ChatAdapter as &'static dyn Adapter, &JsonAdapter, &XmlAdapter] {
            parse_kind(adapter, "q -> answer, items: list[int]", reply.clone());
        }
    }
}
