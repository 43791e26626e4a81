//! Runs every DSPy 3.4.1 parse vector (tests/data/dspy-3.4.1/vectors.json, `parse_cases`)
//! through Cognate's adapters and reports all mismatches at once.

use crate::common;

use cognate_core::ParseErrorKind;
use serde_json::Value;

/// Cases where Cognate deliberately parses better than DSPy (documented in docs/adapters.md,
/// section "Parsing"): (case id, DSPy's expected output, Cognate's expected output, reason).
const DEVIATIONS: &[(&str, &str, &str, &str)] = &[(
    "s1-parse-chat-039-indented_header_quirk",
    r##"{"tone": "]] indented header with content on the same line", "question": "# ]]\nindented header alone on its line", "error_log": -3}"##,
    r##"{"tone": "indented header with content on the same line", "question": "indented header alone on its line", "error_log": -3}"##,
    "DSPy cuts the original line at the stripped header's length, leaking `]]`/`# ]]` into indented headers' content",
)];

fn kind_name(kind: ParseErrorKind) -> String {
    serde_json::to_value(kind).unwrap().as_str().unwrap().to_string()
}

/// Compares through serialized text so that `3.0` and `3` (and key order) are told apart.
fn same(a: &Value, b: &Value) -> bool {
    serde_json::to_string(a).unwrap() == serde_json::to_string(b).unwrap()
}

fn check_case(case: &Value) -> Result<(), String> {
    let id = case["id"].as_str().unwrap();
    let signature = common::signature(case);
    let adapter = common::adapter(case);
    let completion = case["completion"].as_str().unwrap();
    let mut expected = case["expected"].clone();
    if let Some((_, dspy, ours, _)) = DEVIATIONS.iter().find(|d| d.0 == id) {
        let dspy: Value = serde_json::from_str(dspy).unwrap();
        assert!(same(&dspy, &expected), "{id}: the deviation table's DSPy value is stale");
        expected = serde_json::from_str(ours).unwrap();
    }
    let got = adapter.parse(&signature, completion);
    match (got, expected.is_null()) {
        (Ok(values), false) => {
            let got = Value::Object(values);
            if same(&got, &expected) { Ok(()) } else { Err(format!("expected {expected}\n  got      {got}")) }
        }
        (Ok(values), true) => Err(format!("expected error {}, got {}", case["error_kind"], Value::Object(values))),
        (Err(e), false) => Err(format!("expected {expected}\n  got error {e}")),
        (Err(e), true) => {
            let kind = kind_name(e.kind);
            let text = e.to_string();
            let prefix = case["expected_error_prefix"].as_str().unwrap();
            let suffix = case["expected_error"].as_str().unwrap();
            let mut problems = Vec::new();
            if kind != case["error_kind"].as_str().unwrap() {
                problems.push(format!("kind {kind} != {}", case["error_kind"]));
            }
            if !text.starts_with(prefix) {
                problems.push(format!("message does not start with {prefix:?}"));
            }
            if !text.ends_with(suffix) {
                problems.push(format!("message does not end with {suffix:?}"));
            }
            if e.raw.is_empty() && !completion.is_empty() {
                problems.push("error lost the raw reply".into());
            }
            if e.expected != signature.output_names() {
                problems.push(format!("expected fields {:?}", e.expected));
            }
            if problems.is_empty() { Ok(()) } else { Err(format!("{}\n  message: {text:?}", problems.join("; "))) }
        }
    }
}

/// Checks every case, printing each failure, and returns the failing ids.
fn run(label: &str, cases: &[Value]) -> Vec<String> {
    let mut failed = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        if let Err(msg) = check_case(case) {
            eprintln!("FAIL {id}\n  completion: {:?}\n  {msg}\n", case["completion"].as_str().unwrap());
            failed.push(id.to_string());
        }
    }
    eprintln!("{label}: {} passed, {} failed", cases.len() - failed.len(), failed.len());
    failed
}

#[test]
fn all_parse_vectors() {
    let vectors = common::vectors();
    let cases = vectors["parse_cases"].as_array().unwrap();
    assert_eq!(cases.len(), 60);
    let failed = run("dspy-3.4.1 parse vectors", cases);
    assert!(failed.is_empty(), "failing parse cases: {failed:#?}");
}

/// Random completions for the same signatures, with DSPy 3.4.1's verdicts
/// (tests/data/cognate-extra/make_parse_fuzz_cases.py).
#[test]
fn differential_parse_cases() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cognate-extra/parse_fuzz_cases.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["parse_cases"].as_array().unwrap();
    assert!(cases.len() >= 400);
    let failed = run("differential parse cases", cases);
    assert!(failed.is_empty(), "failing differential cases: {failed:#?}");
}

#[test]
fn deviations_name_real_cases() {
    let vectors = common::vectors();
    let ids: Vec<&str> = vectors["parse_cases"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    for (id, _, _, reason) in DEVIATIONS {
        assert!(ids.contains(id), "unknown case {id}");
        assert!(!reason.is_empty());
    }
}
