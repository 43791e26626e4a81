//! Every DSPy 3.4.1 format vector: the messages must match role and content exactly.

use crate::common;

use cognate_core::{Message, Role, Values};
use serde_json::Value;

fn role(name: &str) -> Role {
    match name {
        "system" => Role::System,
        "user" => Role::User,
        "assistant" => Role::Assistant,
        other => panic!("unknown role {other}"),
    }
}

/// A readable account of the first difference between two message lists, or `None`.
fn first_difference(expected: &[(Role, String)], actual: &[Message]) -> Option<String> {
    for (i, (role, content)) in expected.iter().enumerate() {
        let Some(got) = actual.get(i) else {
            return Some(format!("message {i} ({role:?}) is missing: only {} messages were produced", actual.len()));
        };
        if got.role != *role {
            return Some(format!("message {i}: role {:?}, expected {role:?}", got.role));
        }
        if got.content != *content {
            return Some(format!("message {i} ({role:?}) differs:\n{}", line_diff(content, &got.content)));
        }
    }
    (actual.len() > expected.len()).then(|| format!("{} extra messages were produced", actual.len() - expected.len()))
}

/// The first differing line, with a little context, and the first differing character in it.
fn line_diff(expected: &str, actual: &str) -> String {
    let (exp, act): (Vec<&str>, Vec<&str>) = (expected.split('\n').collect(), actual.split('\n').collect());
    let n = exp.iter().zip(&act).take_while(|(a, b)| a == b).count();
    let mut out = String::new();
    for line in &exp[n.saturating_sub(2)..n] {
        out.push_str(&format!("    {line:?}\n"));
    }
    let (e, a) = (exp.get(n).copied(), act.get(n).copied());
    out.push_str(&format!("  - {e:?}   (expected, line {})\n  + {a:?}   (actual)\n", n + 1));
    if let (Some(e), Some(a)) = (e, a) {
        let col = e.chars().zip(a.chars()).take_while(|(x, y)| x == y).count();
        out.push_str(&format!("  first difference at character {}\n", col + 1));
    }
    out.push_str(&format!("  ({} expected lines, {} actual lines)", exp.len(), act.len()));
    out
}

/// Formats every case and returns `(id, first difference)` for each one that does not match.
fn failing_cases(cases: &[Value]) -> Vec<(String, String)> {
    let mut failures = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let sig = common::signature(case);
        let demos: Vec<_> = case["demos"].as_array().unwrap().iter().map(common::values).collect();
        let inputs = common::values(&case["inputs"]);
        let expected: Vec<(Role, String)> = case["expected_messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (role(m["role"].as_str().unwrap()), m["content"].as_str().unwrap().to_string()))
            .collect();
        let demos: Vec<&Values> = demos.iter().collect();
        let actual = common::adapter(case).format(&sig, &demos, &inputs);
        if let Some(diff) = first_difference(&expected, &actual) {
            failures.push((id.to_string(), diff));
        }
    }
    failures
}

/// Prints every failure and fails with the list of failing ids.
fn check(cases: &[Value]) {
    let failures = failing_cases(cases);
    for (id, diff) in &failures {
        eprintln!("FAIL {id}: {diff}\n");
    }
    let ids: Vec<&str> = failures.iter().map(|(id, _)| id.as_str()).collect();
    assert!(failures.is_empty(), "{} of {} format cases failed: {ids:?}", failures.len(), cases.len());
    println!("{} format cases passed", cases.len());
}

#[test]
fn all_format_cases_match_dspy() {
    let vectors = common::vectors();
    let cases = vectors["format_cases"].as_array().expect("format_cases");
    assert_eq!(cases.len(), 60, "the vector file should hold 60 format cases");
    check(cases);
}

#[test]
fn edge_cases_match_dspy() {
    let vectors = common::edge_case_vectors();
    let cases = vectors["format_cases"].as_array().expect("format_cases");
    assert_eq!(cases.len(), 30, "the edge-case file should hold 30 format cases");
    check(cases);
}

#[test]
fn every_adapter_and_scenario_is_covered() {
    let vectors = common::vectors();
    let cases = vectors["format_cases"].as_array().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for case in cases {
        let pair = (case["adapter"].as_str().unwrap(), case["scenario"].as_str().unwrap());
        assert!(seen.insert(pair), "{pair:?} appears twice");
    }
    for adapter in ["ChatAdapter", "JSONAdapter", "XMLAdapter"] {
        assert_eq!(seen.iter().filter(|(a, _)| *a == adapter).count(), 20, "{adapter}");
    }
}
