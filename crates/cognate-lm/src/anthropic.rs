//! [`AnthropicClient`]: Anthropic's Messages API (`POST /v1/messages`).

use std::fmt;
use std::future::Future;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use cognate_core::{Choice, FinishReason, LanguageModel, LmError, LmRequest, LmResponse, Role, Usage};
use reqwest::header::HeaderValue;
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::client::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_RETRY_AFTER, DEFAULT_REQUEST_TIMEOUT,
};
use crate::{redact_url, wire};

/// Anthropic's API root.
pub const ANTHROPIC_BASE_URL: &str = "https://api.anthropic.com";
/// The `anthropic-version` header sent by default.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";
/// The variable holding the API key (sent as `x-api-key`).
pub const ENV_ANTHROPIC_API_KEY: &str = "ANTHROPIC_API_KEY";
/// The variable overriding the API root.
pub const ENV_ANTHROPIC_BASE_URL: &str = "ANTHROPIC_BASE_URL";
/// `max_tokens` when neither the request nor the client sets one (the API requires it).
pub const DEFAULT_ANTHROPIC_MAX_TOKENS: u32 = 4096;

/// A client of Anthropic's Messages API: Claude models with their own protocol (not the
/// OpenAI one), reached with `lm("anthropic/claude-...")` or built here.
///
/// ```no_run
/// use cognate_core::{LanguageModel, LmRequest, Message};
/// use cognate_lm::AnthropicClient;
///
/// # async fn run() -> Result<(), cognate_core::LmError> {
/// let lm = AnthropicClient::new("claude-sonnet-4-5").with_api_key(std::env::var("ANTHROPIC_API_KEY").unwrap());
/// let reply = lm.complete(LmRequest::new(vec![Message::system("Be brief."), Message::user("2 + 2?")])).await?;
/// println!("{} ({} tokens)", reply.choices[0].text, reply.usage.total_tokens);
/// # Ok(()) }
/// ```
///
/// How a request maps: system messages become the top-level `system` text (joined by blank
/// lines); user and assistant messages are sent in order; `stop` becomes `stop_sequences`;
/// `max_tokens` (required by the API) defaults to [`DEFAULT_ANTHROPIC_MAX_TOKENS`]. The API
/// has no `n`, `seed` or `response_format`: `n > 1` is an [`LmError::Config`], `seed` is not
/// sent, and the client says it does not enforce JSON schemas, so the JSON adapter asks for
/// JSON in the prompt. Replies: the text blocks of `content`, joined; `stop_reason` as a
/// [`FinishReason`]; usage with cached input (`cache_read_input_tokens` and
/// `cache_creation_input_tokens`) counted in the prompt tokens, since Anthropic's
/// `input_tokens` leaves them out, and cache reads as [`Usage::cached_tokens`].
///
/// Replies are read with the same limits as [`OpenAiClient`](crate::OpenAiClient)'s (size
/// cap, clamped `Retry-After`, named time-outs); errors are typed the same way (429 and 529
/// "overloaded" are retryable [`LmError::Http`]s with Anthropic's message).
#[derive(Clone)]
pub struct AnthropicClient {
    model: String,
    base_url: String,
    api_key: Option<String>,
    version: String,
    limits: wire::Limits,
    temperature: Option<f32>,
    max_tokens: u32,
    http: OnceLock<reqwest::Client>,
}

impl AnthropicClient {
    /// A client for `model` at [`ANTHROPIC_BASE_URL`], without an API key.
    pub fn new(model: impl Into<String>) -> Self {
        AnthropicClient {
            model: model.into(),
            base_url: ANTHROPIC_BASE_URL.to_owned(),
            api_key: None,
            version: ANTHROPIC_VERSION.to_owned(),
            limits: wire::Limits {
                connect_timeout: DEFAULT_CONNECT_TIMEOUT,
                request_timeout: DEFAULT_REQUEST_TIMEOUT,
                max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
                max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            },
            temperature: None,
            max_tokens: DEFAULT_ANTHROPIC_MAX_TOKENS,
            http: OnceLock::new(),
        }
    }

    /// Sets the API root, e.g. a proxy's (a trailing `/` and a trailing `/v1` are ignored:
    /// the client adds `/v1/messages`).
    #[must_use]
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        let url: String = base_url.into();
        let url = url.trim_end_matches('/');
        self.base_url = url.strip_suffix("/v1").unwrap_or(url).to_owned();
        self
    }

    /// Sets the API key, sent as `x-api-key`.
    #[must_use]
    pub fn with_api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// Sets the `anthropic-version` header (default [`ANTHROPIC_VERSION`]).
    #[must_use]
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// Sets the time-out of a whole call.
    #[must_use]
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.limits.request_timeout = timeout;
        self
    }

    /// Sets the time-out for opening a connection.
    #[must_use]
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.limits.connect_timeout = timeout;
        self.http = OnceLock::new();
        self
    }

    /// Sets the largest response body read, in bytes.
    #[must_use]
    pub fn with_max_response_bytes(mut self, bytes: u64) -> Self {
        self.limits.max_response_bytes = bytes;
        self
    }

    /// Sets the temperature used when a request does not set one.
    #[must_use]
    pub fn with_temperature(mut self, temperature: f32) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Sets `max_tokens` for requests that do not set it (default
    /// [`DEFAULT_ANTHROPIC_MAX_TOKENS`]).
    #[must_use]
    pub fn with_max_tokens(mut self, max_tokens: u32) -> Self {
        self.max_tokens = max_tokens;
        self
    }

    /// The default model name.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The API root, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Whether an API key is set (the key itself is not exposed).
    pub fn has_api_key(&self) -> bool {
        self.api_key.is_some()
    }

    fn http(&self) -> Result<&reqwest::Client, LmError> {
        wire::http_client(&self.http, &self.limits)
    }

    async fn send(&self, request: &LmRequest, model: &str) -> Result<LmResponse, LmError> {
        if request.n.is_some_and(|n| n > 1) {
            return Err(LmError::Config(format!(
                "Anthropic's Messages API returns one completion per request; n = {} is not supported",
                request.n.unwrap_or(1)
            )));
        }
        let mut system = String::new();
        let mut messages = Vec::with_capacity(request.messages.len());
        for message in &request.messages {
            match message.role {
                Role::System => {
                    if !system.is_empty() {
                        system.push_str("\n\n");
                    }
                    system.push_str(&message.content);
                }
                Role::User => messages.push(WireMessage { role: "user", content: &message.content }),
                Role::Assistant => messages.push(WireMessage { role: "assistant", content: &message.content }),
            }
        }
        let body = WireRequest {
            model,
            max_tokens: request.max_tokens.unwrap_or(self.max_tokens),
            system: (!system.is_empty()).then_some(system.as_str()),
            messages: &messages,
            temperature: request.temperature.or(self.temperature),
            stop_sequences: &request.stop,
        };
        let json =
            serde_json::to_vec(&body).map_err(|e| LmError::Config(format!("cannot serialize the request: {e}")))?;
        let endpoint = format!("{}/v1/messages", self.base_url);
        let mut builder = self
            .http()?
            .post(&endpoint)
            .timeout(self.limits.request_timeout)
            .header(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header("anthropic-version", &self.version)
            .body(json);
        if let Some(key) = &self.api_key {
            builder = builder.header("x-api-key", key);
        }
        let response = builder.send().await.map_err(|e| wire::map_reqwest_error(e, &self.limits, &self.base_url))?;
        crate::telemetry::record_status(response.status().as_u16());
        let bytes = wire::read_reply(response, &self.limits, &self.base_url).await?;
        parse_response(&bytes, model)
    }
}

impl LanguageModel for AnthropicClient {
    /// Sends one Messages API request.
    ///
    /// # Errors
    /// As [`OpenAiClient`](crate::OpenAiClient)'s, plus [`LmError::Config`] for `n > 1`.
    ///
    /// # Cancel safety
    /// Dropping the future abandons the HTTP request.
    fn complete(&self, request: LmRequest) -> impl Future<Output = Result<LmResponse, LmError>> + Send {
        let model = request.model.clone().unwrap_or_else(|| self.model.clone());
        let span = crate::telemetry::client_span("anthropic", &model);
        // Recorded into directly: a subscriber need not track the current span.
        let own = span.clone();
        async move {
            tracing::trace!(target: "cognate::lm", messages = ?request.messages, "lm request");
            let started = Instant::now();
            let result = self.send(&request, &model).await;
            if let Some(span) = &own {
                span.record("cognate.latency_ms", started.elapsed().as_millis() as u64);
            }
            match &result {
                Ok(resp) => {
                    if let Some(span) = &own {
                        crate::telemetry::record_response(span, resp);
                    }
                    tracing::debug!(target: "cognate::lm", "lm call succeeded");
                }
                Err(error) => tracing::debug!(target: "cognate::lm", %error, "lm call failed"),
            }
            result
        }
        .instrument(span.unwrap_or_else(tracing::Span::none))
    }

    fn model_name(&self) -> &str {
        &self.model
    }

    fn supports_json_schema(&self) -> bool {
        false
    }
}

impl fmt::Debug for AnthropicClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnthropicClient")
            .field("model", &self.model)
            .field("base_url", &redact_url(&self.base_url))
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("version", &self.version)
            .field("request_timeout", &self.limits.request_timeout)
            .field("max_tokens", &self.max_tokens)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct WireRequest<'a> {
    model: &'a str,
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<&'a str>,
    messages: &'a [WireMessage<'a>],
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    stop_sequences: &'a [String],
}

#[derive(Serialize)]
struct WireMessage<'a> {
    role: &'static str,
    content: &'a str,
}

#[derive(Deserialize)]
struct WireResponse {
    #[serde(default)]
    content: Vec<ContentBlock>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct ContentBlock {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    input_tokens: Option<u64>,
    #[serde(default)]
    output_tokens: Option<u64>,
    #[serde(default)]
    cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    cache_read_input_tokens: Option<u64>,
}

/// Decodes a successful Messages API body.
fn parse_response(body: &[u8], fallback_model: &str) -> Result<LmResponse, LmError> {
    let wire: WireResponse = serde_json::from_slice(body).map_err(|e| {
        LmError::Decode(format!(
            "not an Anthropic Messages reply: {e}; body: {}",
            cognate_core::error::truncate(&String::from_utf8_lossy(body), 500)
        ))
    })?;
    let text: String = wire.content.iter().filter(|b| b.kind == "text").filter_map(|b| b.text.as_deref()).collect();
    let finish_reason = wire.stop_reason.map(|reason| match reason.as_str() {
        "end_turn" | "stop_sequence" => FinishReason::Stop,
        "max_tokens" => FinishReason::Length,
        "tool_use" => FinishReason::ToolCalls,
        "refusal" => FinishReason::ContentFilter,
        _ => FinishReason::Other(reason),
    });
    let usage = wire.usage.map_or_else(Usage::default, |u| {
        let prompt = u.input_tokens.unwrap_or(0)
            + u.cache_creation_input_tokens.unwrap_or(0)
            + u.cache_read_input_tokens.unwrap_or(0);
        Usage::new(prompt, u.output_tokens.unwrap_or(0)).with_cached_tokens(u.cache_read_input_tokens.unwrap_or(0))
    });
    Ok(LmResponse {
        choices: vec![Choice { text, finish_reason }],
        usage,
        model: wire.model.unwrap_or_else(|| fallback_model.to_owned()),
        cache_hit: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_decode_text_blocks_stop_reasons_and_cached_usage() {
        let body = br#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-x",
            "content":[{"type":"thinking","thinking":"hmm"},{"type":"text","text":"Hello"},{"type":"text","text":", world"}],
            "stop_reason":"max_tokens","usage":{"input_tokens":10,"output_tokens":5,"cache_read_input_tokens":90,"cache_creation_input_tokens":null}}"#;
        let reply = parse_response(body, "fallback").unwrap();
        assert_eq!(reply.choices[0].text, "Hello, world");
        assert_eq!(reply.choices[0].finish_reason, Some(FinishReason::Length));
        assert_eq!((reply.usage.prompt_tokens, reply.usage.completion_tokens, reply.usage.total_tokens), (100, 5, 105));
        assert_eq!(reply.usage.cached_tokens, 90, "cache reads are the cached part of the prompt");
        assert_eq!(reply.model, "claude-x");
        let reply = parse_response(br#"{"content":[],"stop_reason":"pause_turn"}"#, "fallback").unwrap();
        assert_eq!(reply.choices[0].finish_reason, Some(FinishReason::Other("pause_turn".into())));
        assert_eq!(reply.model, "fallback");
        assert!(matches!(parse_response(b"[1,2]", "m"), Err(LmError::Decode(m)) if m.contains("not an Anthropic")));
    }

    #[test]
    fn base_urls_are_normalised_and_keys_redacted() {
        let lm = AnthropicClient::new("c").with_base_url("http://127.0.0.1:9/v1/").with_api_key("sk-ant-secret");
        assert_eq!(lm.base_url(), "http://127.0.0.1:9");
        let debug = format!("{lm:?}");
        assert!(!debug.contains("sk-ant-secret") && debug.contains("<redacted>"), "{debug}");
    }
}
