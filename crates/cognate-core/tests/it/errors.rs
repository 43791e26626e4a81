//! `LmError` and `ParseError`: timeout messages, truncation of huge server messages and
//! replies in `Display`, and the untruncated text still available.

use std::time::Duration;

use cognate_core::error::truncate;
use cognate_core::{LmError, ParseError, ParseErrorKind, TimeoutLimit};

#[test]
fn timeouts_name_the_limit_and_its_value_and_only_a_missed_deadline_is_final() {
    let check = |limit, secs, expected: &str, retryable: bool| {
        let err = LmError::Timeout { limit, after: Duration::from_secs(secs) };
        assert_eq!(err.to_string(), expected);
        assert_eq!(err.is_retryable(), retryable, "{err}");
        assert_eq!(err.timeout_limit(), Some(limit));
        // Every time-out is an infrastructure failure: the model did not answer in time.
        assert!(cognate_core::Error::Lm(err).is_infrastructure());
    };
    check(TimeoutLimit::Connect, 10, "lm connect timed out after 10s", true);
    check(TimeoutLimit::Request, 120, "lm request timed out after 120s", true);
    check(TimeoutLimit::Call, 30, "lm call timed out after 30s", true);
    // Retrying after a deadline can only fail again.
    check(TimeoutLimit::Deadline, 5, "lm call missed its deadline of 5s", false);
    assert_eq!(TimeoutLimit::Call.to_string(), "call");
    assert_eq!(LmError::Connection("x".into()).timeout_limit(), None);
}

#[test]
fn response_too_large_names_the_limit_and_is_not_retryable() {
    let err = LmError::ResponseTooLarge { limit: 4096 };
    assert!(err.to_string().contains("limit of 4096 bytes"), "{err}");
    assert!(!err.is_retryable());
}

#[test]
fn truncate_cuts_on_a_char_boundary_and_says_how_much() {
    let check = |text: &str, max: usize, expected: &str| assert_eq!(truncate(text, max), expected);
    check("", 0, "");
    check("abc", 3, "abc");
    check("abcd", 3, "abc… (1 more bytes)");
    // `é` is two bytes: a cut inside it moves back to the boundary.
    check("aéb", 2, "a… (3 more bytes)");
    check("éé", 1, "… (4 more bytes)");
    check("日本語", 7, "日本… (3 more bytes)");
}

#[test]
fn a_huge_http_message_is_cut_in_display_but_kept_in_the_field() {
    let message = "x".repeat(5 * 1024 * 1024);
    let err = LmError::Http { status: 400, message: message.clone(), retry_after: None };
    let text = err.to_string();
    assert!(text.len() < LmError::MAX_DISPLAYED_MESSAGE + 100, "{}", text.len());
    assert!(text.ends_with(&format!("… ({} more bytes)", message.len() - LmError::MAX_DISPLAYED_MESSAGE)));
    let short = LmError::Http { status: 429, message: "slow down".into(), retry_after: None };
    assert_eq!(short.to_string(), "lm returned http 429: slow down");
}

fn parse_error(raw: String, detail: String) -> ParseError {
    ParseError {
        adapter: "ChatAdapter".into(),
        kind: ParseErrorKind::MissingFields,
        raw,
        expected: vec!["answer".into()],
        found: Some(vec![]),
        detail,
    }
}

#[test]
fn a_short_parse_error_displays_dspys_exact_message() {
    let err = parse_error("hello".into(), String::new());
    let expected = "Adapter ChatAdapter failed to parse the LM response. \n\nLM Response: hello \n\n\
                    Expected to find output fields in the LM response: [answer] \n\n\
                    Actual output fields parsed from the LM response: [] \n\n";
    assert_eq!(err.to_string(), expected);
    assert_eq!(err.message(), expected);
}

#[test]
fn a_huge_reply_is_cut_in_display_but_message_and_raw_keep_it() {
    // Multi-byte characters straddle the cut.
    let raw = "é".repeat(3 * 1024 * 1024);
    let err = parse_error(raw.clone(), format!("Failed to parse field answer with value {raw}"));
    let text = err.to_string();
    assert!(text.len() < 2 * ParseError::MAX_DISPLAYED_RAW + 1000, "{}", text.len());
    assert!(text.contains("more bytes)"), "{}", &text[..200]);
    assert!(text.contains("Expected to find output fields in the LM response: [answer]"));
    assert_eq!(err.raw, raw);
    let full = err.message();
    assert!(full.contains(&format!("LM Response: {raw} \n\n")));
    assert!(full.len() > 2 * raw.len());
}
