//! The error type of `cognate-core`.

use std::time::Duration;

/// Errors raised by `cognate-core`: malformed signatures and types, value conversions, and
/// the two failures of one LM call (the call itself, and parsing its reply).
///
/// Runtime concerns (variables, search spaces, saved state, files) are
/// `cognate_runtime::Error`'s, which wraps this one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A runtime string signature such as `"question -> answer: int"` could not be parsed.
    #[error("invalid signature `{input}`: {reason}")]
    SignatureSyntax {
        /// The text that was parsed.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A type spelling such as `list[str]` or a JSON schema could not be understood.
    #[error("unsupported type `{ty}`: {reason}")]
    UnsupportedType {
        /// The type as written.
        ty: String,
        /// Why it is not supported.
        reason: String,
    },
    /// A typed value could not be converted to or from the dynamic JSON form.
    #[error("cannot convert {what}: {source}")]
    Conversion {
        /// What was being converted (e.g. `QAInput`).
        what: String,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
    /// A language model call failed.
    #[error(transparent)]
    Lm(#[from] LmError),
    /// An LM reply could not be parsed into the signature's outputs.
    #[error(transparent)]
    Parse(#[from] Box<ParseError>),
}

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A typed error from a language model provider or transport.
///
/// Policies (retry, circuit breaking) classify errors with [`LmError::is_retryable`] and
/// [`LmError::retry_after`].
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum LmError {
    /// The server answered with a non-success HTTP status.
    ///
    /// `Display` shows at most [`LmError::MAX_DISPLAYED_MESSAGE`] bytes of `message`, then
    /// `… (N more bytes)`; the HTTP clients also store at most that much.
    #[error("lm returned http {status}: {}", truncate(message, LmError::MAX_DISPLAYED_MESSAGE))]
    Http {
        /// The HTTP status code.
        status: u16,
        /// The error message from the body (or the body itself).
        message: String,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// A time limit elapsed before the call completed; `limit` says which one.
    #[error("{}", timeout_message(*limit, *after))]
    Timeout {
        /// The limit that fired.
        limit: TimeoutLimit,
        /// Its configured value.
        after: Duration,
    },
    /// The server's answer was longer than the client accepts; reading stopped at the limit.
    #[error("lm response is larger than the limit of {limit} bytes (see `with_max_response_bytes`)")]
    ResponseTooLarge {
        /// The configured limit, in bytes.
        limit: u64,
    },
    /// The connection failed or was dropped.
    #[error("lm connection failed: {0}")]
    Connection(String),
    /// The server's answer could not be decoded.
    #[error("cannot decode lm response: {0}")]
    Decode(String),
    /// The client is not configured correctly (missing model, bad URL, ...).
    #[error("lm configuration error: {0}")]
    Config(String),
    /// A circuit breaker (`cognate_lm::CircuitBreaker`) is open: the provider failed too
    /// often, so the call failed fast without reaching it. Not retryable: retrying at once
    /// would only fail fast again; `retry_in` says when the breaker next lets a probe call
    /// through (zero while a probe is already in flight).
    #[error("{}", circuit_open_message(*retry_in))]
    CircuitOpen {
        /// How long until the breaker lets a probe call through; zero when a probe is in
        /// flight and its outcome decides.
        retry_in: Duration,
    },
    /// No language model is configured for this call.
    #[error("no language model configured: pass one to the module or set one with `cognate::configure` / `Settings`")]
    NotConfigured,
    /// A spending limit (calls, tokens or dollars; `cognate_lm::Budget`) ran out, so the call
    /// was refused before reaching the model. Not retryable: the same request fails until the
    /// budget is raised. `cognate_eval::Evaluate` and the optimizers stop at it, keeping what
    /// they finished.
    #[error("lm budget exceeded: {limit}")]
    BudgetExceeded {
        /// The limit that ran out, with what was spent.
        limit: BudgetLimit,
    },
    /// A scripted or test LM ran out of replies, or another provider-specific failure.
    #[error("lm error: {0}")]
    Other(String),
}

/// The limit of a budget that ran out, and how much of it was spent (see
/// [`LmError::BudgetExceeded`]). `spent` can pass `max`: calls in flight when the budget ran out
/// are charged when they finish.
///
/// ```
/// use cognate_core::BudgetLimit;
///
/// assert_eq!(BudgetLimit::Calls { spent: 100, max: 100 }.to_string(), "100 of 100 calls made");
/// assert_eq!(BudgetLimit::Tokens { spent: 1_050, max: 1_000 }.to_string(), "1050 of 1000 tokens used");
/// assert_eq!(BudgetLimit::Dollars { spent: 2.00417, max: 2.0 }.to_string(), "$2.0042 of $2.0000 spent");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum BudgetLimit {
    /// The number of calls.
    Calls {
        /// Calls made (refused ones are not counted).
        spent: u64,
        /// The limit.
        max: u64,
    },
    /// Tokens (prompt and completion, as the provider reported them).
    Tokens {
        /// Tokens used.
        spent: u64,
        /// The limit.
        max: u64,
    },
    /// Dollars, from each call's tokens and its model's price.
    Dollars {
        /// Dollars spent.
        spent: f64,
        /// The limit.
        max: f64,
    },
}

impl BudgetLimit {
    /// The limit's name: `calls`, `tokens` or `dollars`.
    pub fn name(&self) -> &'static str {
        match self {
            BudgetLimit::Calls { .. } => "calls",
            BudgetLimit::Tokens { .. } => "tokens",
            BudgetLimit::Dollars { .. } => "dollars",
        }
    }

    /// `(spent, max)` as numbers (calls and tokens converted to `f64`), for logs and metrics.
    pub fn amounts(&self) -> (f64, f64) {
        match *self {
            BudgetLimit::Calls { spent, max } | BudgetLimit::Tokens { spent, max } => (spent as f64, max as f64),
            BudgetLimit::Dollars { spent, max } => (spent, max),
        }
    }
}

impl std::fmt::Display for BudgetLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BudgetLimit::Calls { spent, max } => write!(f, "{spent} of {max} calls made"),
            BudgetLimit::Tokens { spent, max } => write!(f, "{spent} of {max} tokens used"),
            BudgetLimit::Dollars { spent, max } => write!(f, "${spent:.4} of ${max:.4} spent"),
        }
    }
}

impl LmError {
    /// The most bytes of an [`LmError::Http`] message that `Display` shows (4 KiB).
    pub const MAX_DISPLAYED_MESSAGE: usize = 4 * 1024;

    /// The HTTP status, for [`LmError::Http`].
    pub fn status(&self) -> Option<u16> {
        match self {
            LmError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How long the server asked us to wait before retrying, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            LmError::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether retrying the same request may succeed: 408, 409, 429 and 5xx statuses,
    /// time-outs and connection failures. Never for client errors (other 4xx), bodies over the
    /// size limit, undecodable replies, configuration errors, an open circuit breaker
    /// ([`LmError::CircuitOpen`]: it fails fast on purpose) or a spent budget
    /// ([`LmError::BudgetExceeded`]).
    ///
    /// A missed deadline ([`TimeoutLimit::Deadline`]) is the one time-out that is not
    /// retryable: the deadline stays passed, so another attempt could only fail again (and a
    /// retry policy would spend its back-off sleeping past a run's wall-clock budget).
    pub fn is_retryable(&self) -> bool {
        match self {
            LmError::Http { status, .. } => matches!(status, 408 | 409 | 429 | 500..=599),
            LmError::Timeout { limit, .. } => *limit != TimeoutLimit::Deadline,
            LmError::Connection(_) => true,
            _ => false,
        }
    }

    /// The limit that ran out, for [`LmError::BudgetExceeded`].
    pub fn budget_limit(&self) -> Option<BudgetLimit> {
        match self {
            LmError::BudgetExceeded { limit } => Some(*limit),
            _ => None,
        }
    }

    /// The time limit that fired, for [`LmError::Timeout`].
    pub fn timeout_limit(&self) -> Option<TimeoutLimit> {
        match self {
            LmError::Timeout { limit, .. } => Some(*limit),
            _ => None,
        }
    }
}

/// Which time limit an [`LmError::Timeout`] hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutLimit {
    /// Opening the connection (TCP and TLS) took longer than the connect time-out.
    Connect,
    /// The whole request, from connecting to reading the last byte, took longer than the
    /// request time-out.
    Request,
    /// A deadline set by the caller (or a layer above the client) passed. `after` is the
    /// time that was left when the deadline was set (a run's wall-clock budget). Not
    /// retryable: the deadline stays passed.
    Deadline,
    /// One call took longer than a time-out layer's per-call limit
    /// (`cognate_lm::layer::timeout::Timeout::per_call`), measured around the whole call of the
    /// model the layer wraps.
    Call,
}

impl std::fmt::Display for TimeoutLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TimeoutLimit::Connect => "connect",
            TimeoutLimit::Request => "request",
            TimeoutLimit::Deadline => "deadline",
            TimeoutLimit::Call => "call",
        })
    }
}

fn circuit_open_message(retry_in: Duration) -> String {
    if retry_in.is_zero() {
        "lm circuit breaker is half-open: failing fast while a probe call is in flight".to_owned()
    } else {
        format!("lm circuit breaker is open after repeated failures: failing fast for another {retry_in:?}")
    }
}

fn timeout_message(limit: TimeoutLimit, after: Duration) -> String {
    match limit {
        TimeoutLimit::Deadline => format!("lm call missed its deadline of {after:?}"),
        _ => format!("lm {limit} timed out after {after:?}"),
    }
}

/// `text` cut to at most `max_bytes` bytes on a char boundary, followed by
/// `… (N more bytes)` when anything was cut.
///
/// Used wherever untrusted text (LM replies, server messages) is displayed, so that a huge
/// reply never floods a log line or a terminal.
///
/// ```
/// assert_eq!(cognate_core::error::truncate("héllo", 2), "h… (5 more bytes)");
/// assert_eq!(cognate_core::error::truncate("short", 100), "short");
/// ```
pub fn truncate(text: &str, max_bytes: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max_bytes {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(format!("{}… ({} more bytes)", &text[..end], text.len() - end))
}

/// What kind of failure a [`ParseError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// One or more required output fields were not found.
    MissingFields,
    /// A field was found but its value does not fit the field's type.
    FieldValue,
    /// The JSON adapter found no JSON object in the reply.
    NotAJsonObject,
    /// The XML adapter could not parse the reply as XML.
    XmlSyntax,
    /// The reply nests values or elements deeper than the adapters read (an adversarial or
    /// runaway reply); the detail names the limit.
    TooDeep,
    /// The reply is longer than the adapters attempt to parse
    /// (`cognate_adapters::MAX_REPLY_BYTES`); `raw` keeps only its beginning.
    TooLarge,
}

/// An LM reply that could not be parsed into a signature's outputs.
///
/// It keeps the raw reply, the fields the signature expects and the fields found. Its
/// `Display` is DSPy 3.4.1's message for the same failure with the reply and the detail line
/// each cut to [`ParseError::MAX_DISPLAYED_RAW`] bytes (then `… (N more bytes)`), so a huge
/// reply never floods a log; [`ParseError::message`] and the `raw` field keep the full text.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", self.format(ParseError::MAX_DISPLAYED_RAW))]
pub struct ParseError {
    /// The adapter that failed (`ChatAdapter`, `JSONAdapter`, `XMLAdapter`).
    pub adapter: String,
    /// What kind of failure this is.
    pub kind: ParseErrorKind,
    /// The LM's reply (for the JSON adapter's regex fallback, the object it extracted).
    pub raw: String,
    /// The output fields the signature expects, in order.
    pub expected: Vec<String>,
    /// The output fields that were found; `None` when DSPy's message does not list them.
    pub found: Option<Vec<String>>,
    /// The detail line (e.g. `Failed to parse field answer ...`), empty for missing fields.
    pub detail: String,
}

impl ParseError {
    /// The most bytes of the raw reply (and of the detail line) that `Display` shows.
    pub const MAX_DISPLAYED_RAW: usize = 2000;

    /// The full, untruncated message, formatted exactly as DSPy 3.4.1 formats it (`Display`
    /// is the same message with the reply cut to [`ParseError::MAX_DISPLAYED_RAW`] bytes).
    pub fn message(&self) -> String {
        self.format(usize::MAX)
    }

    fn format(&self, max: usize) -> String {
        let mut s = String::new();
        if !self.detail.is_empty() {
            s.push_str(&truncate(&self.detail, max));
            s.push_str("\n\n");
        }
        s.push_str(&format!(
            "Adapter {} failed to parse the LM response. \n\nLM Response: {} \n\nExpected to find output fields in the LM response: [{}] \n\n",
            self.adapter,
            truncate(&self.raw, max),
            self.expected.join(", ")
        ));
        if let Some(found) = &self.found {
            s.push_str(&format!("Actual output fields parsed from the LM response: [{}] \n\n", found.join(", ")));
        }
        s
    }
}

impl Error {
    /// Whether this error is an *infrastructure* failure (the LM could not be reached or did
    /// not answer) rather than a failure of the program (an unparsable or wrong answer, a
    /// conversion error).
    ///
    /// The rule: every [`Error::Lm`] is infrastructure (time-outs, dropped or refused
    /// connections, `401`/`403`/`404`/`407`/`408`/`409`/`429` and `5xx` statuses, undecodable
    /// responses, an open circuit breaker, a missing or misconfigured LM), except an HTTP
    /// status from 400 to 499 not listed here (such as `400` or `422`): the server read the
    /// request and rejected it, which is the prompt's doing. Everything else (parse errors,
    /// conversions, signatures, types) is a program failure.
    /// `cognate_runtime::Error::is_infrastructure` extends the rule to the runtime's errors.
    ///
    /// Evaluation and optimizers use it to keep LM outages from being scored as wrong answers.
    /// A refused call ([`LmError::BudgetExceeded`]) is infrastructure too (the program did not
    /// fail; the model was not asked), so code that knows nothing of budgets never scores it;
    /// Evaluate and the optimizers check [`Error::budget_limit`] first and stop the run.
    pub fn is_infrastructure(&self) -> bool {
        match self {
            Error::Lm(lm) => match lm.status() {
                Some(status @ 400..=499) => matches!(status, 401 | 403 | 404 | 407 | 408 | 409 | 429),
                _ => true,
            },
            _ => false,
        }
    }
}

impl Error {
    /// The limit that ran out, when this is a call refused by a budget
    /// ([`LmError::BudgetExceeded`]).
    pub fn budget_limit(&self) -> Option<BudgetLimit> {
        match self {
            Error::Lm(lm) => lm.budget_limit(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod infrastructure_tests {
    use super::*;

    fn http(status: u16) -> Error {
        Error::Lm(LmError::Http { status, message: "x".into(), retry_after: None })
    }

    #[test]
    fn lm_failures_are_infrastructure_and_rejected_requests_are_not() {
        for status in [401, 403, 404, 408, 409, 429, 500, 502, 503, 504] {
            assert!(http(status).is_infrastructure(), "{status}");
        }
        for status in [400, 413, 422] {
            assert!(!http(status).is_infrastructure(), "{status}");
        }
        for lm in [
            LmError::Connection("connection refused".into()),
            LmError::Decode("truncated body".into()),
            LmError::Config("bad url".into()),
            LmError::NotConfigured,
            LmError::Other("provider failure".into()),
        ] {
            assert!(Error::Lm(lm.clone()).is_infrastructure(), "{lm}");
        }
    }

    #[test]
    fn an_open_circuit_is_infrastructure_and_not_retryable() {
        let open = LmError::CircuitOpen { retry_in: Duration::from_secs(3) };
        assert!(!open.is_retryable());
        assert_eq!(open.retry_after(), None);
        assert!(Error::Lm(open.clone()).is_infrastructure());
        assert_eq!(open.to_string(), "lm circuit breaker is open after repeated failures: failing fast for another 3s");
        let probing = LmError::CircuitOpen { retry_in: Duration::ZERO };
        assert_eq!(
            probing.to_string(),
            "lm circuit breaker is half-open: failing fast while a probe call is in flight"
        );
    }

    #[test]
    fn retryable_errors_are_transient_failures_only() {
        let http = |status| LmError::Http { status, message: "x".into(), retry_after: None };
        for status in [408, 409, 429, 500, 502, 503, 504, 529] {
            assert!(http(status).is_retryable(), "{status}");
        }
        for status in [400, 401, 403, 404, 413, 422] {
            assert!(!http(status).is_retryable(), "{status}");
        }
        assert!(LmError::Connection("reset".into()).is_retryable());
        assert!(LmError::Timeout { limit: TimeoutLimit::Request, after: Duration::from_secs(1) }.is_retryable());
        for lm in [
            LmError::ResponseTooLarge { limit: 1 },
            LmError::Decode("x".into()),
            LmError::Config("x".into()),
            LmError::NotConfigured,
            LmError::Other("x".into()),
        ] {
            assert!(!lm.is_retryable(), "{lm}");
        }
    }

    #[test]
    fn a_spent_budget_is_infrastructure_never_retryable_and_names_its_limit() {
        let limit = BudgetLimit::Dollars { spent: 1.25, max: 1.0 };
        let lm = LmError::BudgetExceeded { limit };
        assert!(!lm.is_retryable());
        assert_eq!((lm.status(), lm.retry_after(), lm.timeout_limit()), (None, None, None));
        assert_eq!(lm.budget_limit(), Some(limit));
        assert_eq!(lm.to_string(), "lm budget exceeded: $1.2500 of $1.0000 spent");
        let error = Error::Lm(lm);
        assert!(error.is_infrastructure());
        assert_eq!(error.budget_limit(), Some(limit));
        assert_eq!(limit.name(), "dollars");
        assert_eq!(limit.amounts(), (1.25, 1.0));
        assert_eq!(BudgetLimit::Tokens { spent: 9, max: 8 }.amounts(), (9.0, 8.0));
        assert_eq!(BudgetLimit::Calls { spent: 3, max: 3 }.name(), "calls");
        assert_eq!(BudgetLimit::Tokens { spent: 9, max: 8 }.name(), "tokens");
        assert_eq!(Error::Lm(LmError::NotConfigured).budget_limit(), None);
        assert_eq!(http(429).budget_limit(), None);
    }

    #[test]
    fn program_failures_are_not_infrastructure() {
        let parse = ParseError {
            adapter: "ChatAdapter".into(),
            kind: ParseErrorKind::MissingFields,
            raw: "junk".into(),
            expected: vec!["answer".into()],
            found: Some(vec![]),
            detail: String::new(),
        };
        assert!(!Error::Parse(Box::new(parse)).is_infrastructure());
        let conversion = serde_json::from_str::<u8>("x").unwrap_err();
        assert!(!Error::Conversion { what: "u8".into(), source: conversion }.is_infrastructure());
        let signature = Error::SignatureSyntax { input: "->".into(), reason: "no inputs".into() };
        assert!(!signature.is_infrastructure());
    }
}
