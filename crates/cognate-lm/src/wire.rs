//! The OpenAI chat-completions wire format: the request body we send and the parts of the
//! response (and of error bodies) we read.

use std::time::{Duration, SystemTime};

use cognate_core::error::truncate;
use cognate_core::{Choice, FinishReason, LmError, LmResponse, Message, ResponseFormat, TimeoutLimit, Usage};
use serde::{Deserialize, Serialize};

use crate::redact_url;

/// The request body. Unset options are omitted so that minimal servers (llama.cpp, Ollama)
/// see only the standard fields.
#[derive(Debug, Serialize)]
pub(crate) struct ChatRequest<'a> {
    pub(crate) model: &'a str,
    pub(crate) messages: &'a [Message],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) temperature: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_tokens: Option<u32>,
    /// The limit for OpenAI's reasoning models, which refuse `max_tokens`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_completion_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) n: Option<u32>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub(crate) stop: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) seed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) response_format: Option<&'a ResponseFormat>,
}

#[derive(Deserialize)]
struct ChatResponse {
    #[serde(default)]
    choices: Vec<WireChoice>,
    /// Read leniently (see [`usage_from`]): any shape, garbage counts as absent.
    #[serde(default)]
    usage: Option<serde_json::Value>,
    #[serde(default)]
    model: Option<String>,
}

#[derive(Deserialize)]
struct WireChoice {
    #[serde(default)]
    index: Option<u32>,
    #[serde(default)]
    message: Option<WireMessage>,
    #[serde(default)]
    finish_reason: Option<FinishReason>,
}

#[derive(Deserialize)]
struct WireMessage {
    #[serde(default)]
    content: Option<String>,
}

/// The token counts of a chat-completions `usage` object, read leniently: a count that is
/// absent, `null`, negative or not a number is 0 (a non-integral number is truncated), and
/// anything else than an object is no usage at all, so a bad `usage` never loses a reply.
///
/// Besides the three totals it reads OpenAI's details, `prompt_tokens_details.cached_tokens`
/// (else DeepSeek's `prompt_cache_hit_tokens`) and `completion_tokens_details.reasoning_tokens`,
/// each kept no larger than the count it is part of. A missing `total_tokens` is the sum.
pub(crate) fn usage_from(usage: &serde_json::Value) -> Usage {
    fn count(value: Option<&serde_json::Value>) -> Option<u64> {
        let value = value?;
        value.as_u64().or_else(|| {
            // Float-to-int `as` saturates, so 1e300 is u64::MAX rather than a panic.
            value.as_f64().filter(|f| f.is_finite() && *f >= 0.0).map(|f| f as u64)
        })
    }
    let prompt_tokens = count(usage.get("prompt_tokens")).unwrap_or(0);
    let completion_tokens = count(usage.get("completion_tokens")).unwrap_or(0);
    let total_tokens =
        count(usage.get("total_tokens")).unwrap_or_else(|| prompt_tokens.saturating_add(completion_tokens));
    let cached_tokens = count(usage.pointer("/prompt_tokens_details/cached_tokens"))
        .or_else(|| count(usage.get("prompt_cache_hit_tokens")))
        .unwrap_or(0)
        .min(prompt_tokens);
    let reasoning_tokens =
        count(usage.pointer("/completion_tokens_details/reasoning_tokens")).unwrap_or(0).min(completion_tokens);
    Usage { prompt_tokens, completion_tokens, total_tokens, cached_tokens, reasoning_tokens }
}

/// Decodes a successful chat-completions body. `fallback_model` names the model when the
/// server does not.
pub(crate) fn parse_response(body: &[u8], fallback_model: &str) -> Result<LmResponse, LmError> {
    let wire: ChatResponse = serde_json::from_slice(body).map_err(|e| LmError::Decode(e.to_string()))?;
    if wire.choices.is_empty() {
        return Err(LmError::Decode("response has no choices".into()));
    }
    let mut choices = wire.choices;
    choices.sort_by_key(|c| c.index.unwrap_or(u32::MAX));
    let choices = choices
        .into_iter()
        .map(|c| Choice { text: c.message.and_then(|m| m.content).unwrap_or_default(), finish_reason: c.finish_reason })
        .collect();
    let usage = wire.usage.as_ref().map_or_else(Usage::default, usage_from);
    let model = wire.model.filter(|m| !m.is_empty()).unwrap_or_else(|| fallback_model.to_owned());
    Ok(LmResponse { choices, usage, model, cache_hit: false })
}

/// The longest error body (in bytes) quoted in an [`LmError::Http`] message when the body
/// has no JSON message.
const MAX_ERROR_BODY: usize = 512;

/// The limits a client applies while reading a reply.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// The connect time-out.
    pub(crate) connect_timeout: Duration,
    /// The whole-request time-out.
    pub(crate) request_timeout: Duration,
    /// The most bytes of a response body read.
    pub(crate) max_response_bytes: u64,
    /// The longest `Retry-After` honoured; longer ones are clamped to it.
    pub(crate) max_retry_after: Duration,
}

/// The HTTP client in `cell`, built on first use with `limits`' connect time-out and Cognate's
/// user agent (every client of this crate builds it the same way; a caller-supplied client
/// already in the cell is kept).
pub(crate) fn http_client<'a>(
    cell: &'a std::sync::OnceLock<reqwest::Client>,
    limits: &Limits,
) -> Result<&'a reqwest::Client, LmError> {
    if let Some(http) = cell.get() {
        return Ok(http);
    }
    let http = reqwest::Client::builder()
        .connect_timeout(limits.connect_timeout)
        .user_agent(concat!("cognate/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| LmError::Config(format!("cannot build the http client: {e}")))?;
    Ok(cell.get_or_init(|| http))
}

/// Reads a reply: the body of a 2xx answer, or the typed [`LmError::Http`] of any other.
///
/// The body is read chunk by chunk and reading stops as soon as it passes
/// `limits.max_response_bytes` (or at once, when `Content-Length` already says so); the
/// response is then dropped, which closes the connection. A 2xx body over the limit is
/// [`LmError::ResponseTooLarge`]; an error body over the limit still gives the status, with
/// the message taken from what was read.
pub(crate) async fn read_reply(
    mut response: reqwest::Response,
    limits: &Limits,
    base_url: &str,
) -> Result<Vec<u8>, LmError> {
    let status = response.status();
    let retry_after = retry_after(response.headers(), SystemTime::now(), limits.max_retry_after);
    let limit = limits.max_response_bytes;
    let mut body = Vec::new();
    let mut complete = response.content_length().is_none_or(|len| len <= limit);
    if complete {
        let expected = response.content_length().unwrap_or(0);
        body.reserve(usize::try_from(expected).unwrap_or(0));
        while let Some(chunk) = response.chunk().await.map_err(|e| map_reqwest_error(e, limits, base_url))? {
            let room = usize::try_from(limit.saturating_sub(body.len() as u64)).unwrap_or(usize::MAX);
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                complete = false;
                break;
            }
            body.extend_from_slice(&chunk);
        }
    }
    drop(response);
    if !status.is_success() {
        let mut message = error_message(&body, status.as_u16());
        if !complete {
            message.push_str(&format!(" (error body larger than the {limit}-byte limit; not read whole)"));
        }
        return Err(LmError::Http { status: status.as_u16(), message, retry_after });
    }
    if !complete {
        return Err(LmError::ResponseTooLarge { limit });
    }
    Ok(body)
}

/// The human-readable message of an error body: OpenAI's `error.message`, a string `error`
/// (Ollama), a top-level `message` (older vLLM), else the body itself, shortened. A message
/// is kept to at most [`LmError::MAX_DISPLAYED_MESSAGE`] bytes.
pub(crate) fn error_message(body: &[u8], status: u16) -> String {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let found = match value.get("error") {
            Some(serde_json::Value::Object(err)) => err.get("message").and_then(|m| m.as_str()),
            Some(serde_json::Value::String(s)) => Some(s.as_str()),
            _ => value.get("message").and_then(|m| m.as_str()),
        };
        if let Some(message) = found {
            return truncate(message, LmError::MAX_DISPLAYED_MESSAGE).into_owned();
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return format!("empty body (status {status})");
    }
    truncate(text, MAX_ERROR_BODY).into_owned()
}

/// Reads `Retry-After` (delta-seconds, possibly fractional, or an HTTP-date) and OpenAI's
/// `retry-after-ms`, which wins when both are present; clamped to `max`.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap, now: SystemTime, max: Duration) -> Option<Duration> {
    let delay = if let Some(ms) = headers.get("retry-after-ms").and_then(|v| v.to_str().ok()).and_then(parse_seconds) {
        ms / 1000
    } else {
        let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
        parse_retry_after(value, now)?
    };
    Some(delay.min(max))
}

/// Parses one `Retry-After` value relative to `now`; a date in the past means "now".
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Some(delay) = parse_seconds(value) {
        return Some(delay);
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

fn parse_seconds(value: &str) -> Option<Duration> {
    let secs: f64 = value.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)))
}

/// Classifies a reqwest failure as a typed [`LmError`]: time-outs (naming the connect or
/// the request limit), invalid requests (naming `base_url`), undecodable bodies, and
/// connection failures. URLs in the message have their user-info redacted.
pub(crate) fn map_reqwest_error(error: reqwest::Error, limits: &Limits, base_url: &str) -> LmError {
    if error.is_timeout() {
        return if error.is_connect() {
            LmError::Timeout { limit: TimeoutLimit::Connect, after: limits.connect_timeout }
        } else {
            LmError::Timeout { limit: TimeoutLimit::Request, after: limits.request_timeout }
        };
    }
    let url = error.url().map(|url| redact_url(url.as_str()).into_owned());
    let error = error.without_url();
    let mut text = error_chain(&error);
    if let Some(url) = url {
        text.push_str(&format!(" (url: {url})"));
    }
    if error.is_builder() {
        LmError::Config(format!("invalid request to `{}`: {text}", redact_url(base_url)))
    } else if error.is_decode() {
        LmError::Decode(text)
    } else {
        LmError::Connection(text)
    }
}

/// An error and its sources, `: `-separated (reqwest's own message is often just
/// "error sending request").
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_response() {
        let body = br#"{"id":"x","model":"gpt-4o-mini","choices":[
            {"index":1,"message":{"role":"assistant","content":"second"},"finish_reason":"length"},
            {"index":0,"message":{"role":"assistant","content":"first"},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":10,"completion_tokens":4,"total_tokens":14}}"#;
        let resp = parse_response(body, "fallback").unwrap();
        assert_eq!(resp.model, "gpt-4o-mini");
        assert_eq!(resp.choices[0].text, "first");
        assert_eq!(resp.choices[0].finish_reason, Some(FinishReason::Stop));
        assert_eq!(resp.choices[1].finish_reason, Some(FinishReason::Length));
        assert_eq!(resp.usage, Usage::new(10, 4));
    }

    #[test]
    fn tolerates_null_content_missing_usage_and_model() {
        let body = br#"{"choices":[{"message":{"content":null},"finish_reason":"tool_calls"}]}"#;
        let resp = parse_response(body, "fallback").unwrap();
        assert_eq!(resp.choices[0].text, "");
        assert_eq!(resp.choices[0].finish_reason, Some(FinishReason::ToolCalls));
        assert_eq!(resp.usage, Usage::default());
        assert_eq!(resp.model, "fallback");
    }

    #[test]
    fn partial_usage_sums_total_and_unknown_finish_reason_is_kept() {
        let body = br#"{"choices":[{"message":{"content":"a"},"finish_reason":"eos"}],"usage":{"prompt_tokens":3,"completion_tokens":2}}"#;
        let resp = parse_response(body, "m").unwrap();
        assert_eq!(resp.usage.total_tokens, 5);
        assert_eq!(resp.choices[0].finish_reason, Some(FinishReason::Other("eos".into())));
    }

    #[test]
    fn usage_details_are_read_and_bad_counts_never_lose_the_reply() {
        let check = |usage: &str, expected: Usage| {
            let body = format!(r#"{{"choices":[{{"message":{{"content":"a"}}}}],"usage":{usage}}}"#);
            let resp = parse_response(body.as_bytes(), "m").unwrap_or_else(|e| panic!("{usage}: {e}"));
            assert_eq!(resp.usage, expected, "{usage}");
        };
        // OpenAI's details.
        check(
            r#"{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,
                "prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},
                "completion_tokens_details":{"reasoning_tokens":192,"accepted_prediction_tokens":0}}"#,
            Usage::new(2006, 300).with_cached_tokens(1920).with_reasoning_tokens(192),
        );
        // DeepSeek names its cache hits differently.
        check(
            r#"{"prompt_tokens":100,"completion_tokens":5,"prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":36}"#,
            Usage::new(100, 5).with_cached_tokens(64),
        );
        // Absent, null or garbage details are 0.
        check(r#"{"prompt_tokens":7,"completion_tokens":1,"total_tokens":8}"#, Usage::new(7, 1));
        check(
            r#"{"prompt_tokens":7,"completion_tokens":1,"prompt_tokens_details":null,"completion_tokens_details":null}"#,
            Usage::new(7, 1),
        );
        check(
            r#"{"prompt_tokens":7,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":"lots"},"completion_tokens_details":[1,2]}"#,
            Usage::new(7, 1),
        );
        check(
            r#"{"prompt_tokens":7,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":-4},"completion_tokens_details":{"reasoning_tokens":null}}"#,
            Usage::new(7, 1),
        );
        // Bad totals are 0 rather than a decode error; floats are truncated, huge ones saturate.
        check(r#"{"prompt_tokens":"12","completion_tokens":null}"#, Usage::default());
        check(r#"{"prompt_tokens":12.9,"completion_tokens":1e300}"#, Usage::new(12, u64::MAX));
        check(r#""not an object""#, Usage::default());
        check(r#"[1,2,3]"#, Usage::default());
        // A missing total of two huge counts saturates instead of overflowing.
        check(
            r#"{"prompt_tokens":18446744073709551615,"completion_tokens":18446744073709551615}"#,
            Usage::new(u64::MAX, u64::MAX),
        );
        // Details larger than the count they belong to are cut to it.
        check(
            r#"{"prompt_tokens":10,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":99},"completion_tokens_details":{"reasoning_tokens":7}}"#,
            Usage::new(10, 2).with_cached_tokens(10).with_reasoning_tokens(2),
        );
    }

    #[test]
    fn malformed_bodies_are_decode_errors() {
        assert!(matches!(parse_response(b"not json", "m"), Err(LmError::Decode(_))));
        assert!(
            matches!(parse_response(br#"{"choices":[]}"#, "m"), Err(LmError::Decode(m)) if m.contains("no choices"))
        );
        assert!(matches!(parse_response(br#"{"choices":"x"}"#, "m"), Err(LmError::Decode(_))));
    }

    #[test]
    fn error_messages_from_common_servers() {
        let check = |body: &str, expected: &str| assert_eq!(error_message(body.as_bytes(), 400), expected);
        check(r#"{"error":{"message":"Rate limit reached","type":"requests"}}"#, "Rate limit reached");
        check(r#"{"error":"model not found"}"#, "model not found");
        check(r#"{"object":"error","message":"bad request"}"#, "bad request");
        check("  upstream timeout \n", "upstream timeout");
        check("", "empty body (status 400)");
        let long = "é".repeat(400);
        let msg = error_message(long.as_bytes(), 500);
        assert!(msg.starts_with(&"é".repeat(256)) && msg.ends_with("… (288 more bytes)"), "{msg}");
        // A 5 MB JSON message is kept to 4 KiB, with a marker saying how much was cut.
        let huge = serde_json::json!({"error": {"message": "m".repeat(5_000_000)}}).to_string();
        let msg = error_message(huge.as_bytes(), 400);
        assert_eq!(msg.len(), LmError::MAX_DISPLAYED_MESSAGE + "… (4995904 more bytes)".len());
        assert!(msg.ends_with("… (4995904 more bytes)"), "{}", &msg[4000..]);
    }

    #[test]
    fn retry_after_forms() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("1.5", now), Some(Duration::from_millis(1500)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("-3", now), None);
        assert_eq!(parse_retry_after("soon", now), None);

        let max = Duration::from_secs(60);
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("retry-after", "20".parse().unwrap());
        assert_eq!(retry_after(&headers, now, max), Some(Duration::from_secs(20)));
        headers.insert("retry-after-ms", "250".parse().unwrap());
        assert_eq!(retry_after(&headers, now, max), Some(Duration::from_millis(250)));
    }

    #[test]
    fn retry_after_is_clamped_to_the_maximum() {
        let now = httpdate::parse_http_date("Tue, 01 Dec 2026 12:00:00 GMT").unwrap();
        let max = Duration::from_secs(60);
        let check = |name: &str, value: &str, expected: Option<Duration>| {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(reqwest::header::HeaderName::try_from(name).unwrap(), value.parse().unwrap());
            assert_eq!(retry_after(&headers, now, max), expected, "{name}: {value}");
        };
        check("retry-after", "Thu, 01 Jan 2099 00:00:00 GMT", Some(max));
        check("retry-after", "Mon, 01 Jan 2001 00:00:00 GMT", Some(Duration::ZERO));
        check("retry-after", "Tue, 01 Dec 2026 12:00:30 GMT", Some(Duration::from_secs(30)));
        check("retry-after", "86400", Some(max));
        check("retry-after", "1e300", Some(max));
        check("retry-after", "60", Some(max));
        check("retry-after", "59.5", Some(Duration::from_millis(59_500)));
        check("retry-after-ms", "3600000", Some(max));
        check("retry-after", "never", None);
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("retry-after", "30".parse().unwrap());
        assert_eq!(retry_after(&headers, now, Duration::from_secs(5)), Some(Duration::from_secs(5)));
        assert_eq!(retry_after(&headers, now, Duration::ZERO), Some(Duration::ZERO));
    }

    #[test]
    fn request_omits_unset_options() {
        let messages = [Message::user("hi")];
        let req = ChatRequest {
            model: "m",
            messages: &messages,
            temperature: Some(0.7),
            max_tokens: None,
            max_completion_tokens: None,
            n: None,
            stop: &[],
            seed: None,
            response_format: None,
        };
        assert_eq!(
            serde_json::to_string(&req).unwrap(),
            r#"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0.7}"#
        );
    }
}
