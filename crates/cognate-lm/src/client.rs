//! [`OpenAiClient`]: a [`LanguageModel`] over any OpenAI-compatible chat-completions endpoint.

use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use cognate_core::{LanguageModel, LmError, LmRequest, LmResponse};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tracing::Instrument;

use crate::{redact_url, wire};

/// OpenAI's API base URL, the default of [`OpenAiClient::with_base_url`].
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// Default whole-request time-out.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Default connect time-out.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default largest chat-completions response body read: 4 MiB, far above any real
/// completion (a 128k-token reply is about 0.5 MB) and far below what would hurt a process
/// running hundreds of calls at once.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;
/// Default longest `Retry-After` honoured: a server asking for a longer wait (or naming a
/// date far in the future) gets this one.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// The `max_tokens` sent when neither the request nor the client sets one, so that a runaway
/// generation is bounded by default: 4000, the default of DSPy 2.5–2.6's `dspy.LM` (DSPy
/// 3.4.1 sends none unless told). Change it with [`OpenAiClient::with_max_tokens`], remove it
/// with [`OpenAiClient::without_max_tokens`]; a request's own `max_tokens` always wins.
pub const DEFAULT_MAX_TOKENS: u32 = 4000;
/// The default for OpenAI's reasoning models (`o1`, `o3`, `o4-mini`, `gpt-5`, ...; see
/// [`OpenAiClient::with_max_tokens`]), whose hidden reasoning counts against the limit: 16000,
/// the least DSPy 3.4.1 accepts for them.
pub const DEFAULT_REASONING_MAX_TOKENS: u32 = 16_000;

/// A chat model behind an OpenAI-compatible `POST {base_url}/chat/completions` endpoint:
/// OpenAI, vLLM, Ollama, llama.cpp's `llama-server`, LM Studio, or the Cognate mock server.
///
/// Only the standard fields are sent: `model`, `messages`, `max_tokens` (by default
/// [`DEFAULT_MAX_TOKENS`]; see [`with_max_tokens`](Self::with_max_tokens)), and, when set,
/// `temperature`, `n`, `stop`, `seed` and `response_format`.
///
/// ```no_run
/// use std::time::Duration;
/// use cognate_core::{LanguageModel, LmRequest, Message};
/// use cognate_lm::OpenAiClient;
///
/// # async fn run() -> Result<(), cognate_core::LmError> {
/// let lm = OpenAiClient::new("qwen2.5-coder-0.5b-instruct")
///     .with_base_url("http://127.0.0.1:18080/v1")
///     .with_request_timeout(Duration::from_secs(30))
///     .with_temperature(0.0);
/// let reply = lm.complete(LmRequest::new(vec![Message::user("Say hi.")])).await?;
/// println!("{} ({} tokens)", reply.choices[0].text, reply.usage.total_tokens);
/// # Ok(()) }
/// ```
///
/// Cloning is cheap and clones share the connection pool. The API key never appears in
/// `Debug` output or in traces, and credentials in the base URL (`http://user:key@host/v1`)
/// are printed as `<redacted>` (see [`redact_url`]).
#[derive(Clone)]
pub struct OpenAiClient {
    model: String,
    base_url: String,
    api_key: Option<String>,
    /// Time-outs and size limits, in the form the shared reply reader takes.
    limits: wire::Limits,
    temperature: Option<f32>,
    max_tokens: MaxTokens,
    supports_json_schema: bool,
    headers: Vec<(String, String)>,
    /// `headers`, validated on the first call and sent with every request (also through a
    /// client given by `with_http_client`).
    header_map: OnceLock<HeaderMap>,
    http: OnceLock<reqwest::Client>,
    /// Whether `http` is the caller's client (`with_http_client`), which is never rebuilt.
    custom_http: bool,
    /// `{base_url}/chat/completions`, parsed on the first call (not on every call).
    endpoint: OnceLock<reqwest::Url>,
}

impl OpenAiClient {
    /// A client for `model` at [`DEFAULT_BASE_URL`], without an API key.
    pub fn new(model: impl Into<String>) -> Self {
        OpenAiClient {
            model: model.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            api_key: None,
            limits: wire::Limits {
                connect_timeout: DEFAULT_CONNECT_TIMEOUT,
                request_timeout: DEFAULT_REQUEST_TIMEOUT,
                max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
                max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            },
            temperature: None,
            max_tokens: MaxTokens::Default,
            supports_json_schema: true,
            headers: Vec::new(),
            header_map: OnceLock::new(),
            http: OnceLock::new(),
            custom_http: false,
            endpoint: OnceLock::new(),
        }
    }

    /// Sets the API base URL, e.g. `http://localhost:11434/v1` (a trailing `/` is ignored).
    #[must_use]
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into().trim_end_matches('/').to_owned();
        self.endpoint = OnceLock::new();
        self
    }

    /// Sets the API key, sent as `Authorization: Bearer <key>`.
    #[must_use]
    pub fn with_api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// Sets the model name sent when a request does not name one.
    #[must_use]
    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = model.into();
        self
    }

    /// Sets the time-out of a whole call, from connecting to reading the last byte.
    #[must_use]
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.limits.request_timeout = timeout;
        self
    }

    /// Sets the time-out for opening a connection. With a client given by
    /// [`with_http_client`](Self::with_http_client) that client keeps its own connect
    /// time-out (this value is only the one error messages name).
    #[must_use]
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.limits.connect_timeout = timeout;
        if !self.custom_http {
            self.http = OnceLock::new();
        }
        self
    }

    /// Sets the largest response body read, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`], 4 MiB). The body is read incrementally and reading
    /// stops, closing the connection, as soon as it passes the limit: a 2xx reply over it is
    /// [`LmError::ResponseTooLarge`]; an error reply over it keeps its status, with the
    /// message taken from what was read.
    #[must_use]
    pub fn with_max_response_bytes(mut self, bytes: u64) -> Self {
        self.limits.max_response_bytes = bytes;
        self
    }

    /// Sets the longest wait a server's `Retry-After` (or `retry-after-ms`) can ask for
    /// (default [`DEFAULT_MAX_RETRY_AFTER`], 60 s); longer values, including dates far in the
    /// future, become this maximum in [`LmError::retry_after`]. A date in the past is zero.
    #[must_use]
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.limits.max_retry_after = max;
        self
    }

    /// Sets the temperature used when a request does not set one.
    #[must_use]
    pub fn with_temperature(mut self, temperature: f32) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Sets the most tokens a reply may have, for requests that do not set `max_tokens`
    /// themselves (default [`DEFAULT_MAX_TOKENS`], 4000, or [`DEFAULT_REASONING_MAX_TOKENS`],
    /// 16000, for OpenAI's reasoning models).
    ///
    /// The limit is sent as `max_tokens`, except to OpenAI's reasoning models (a model name
    /// without `/` such as `o1`, `o3-mini`, `o4-mini-2025-04-16` or `gpt-5`, but not
    /// `gpt-5-chat-latest`; DSPy 3.4.1's rule), which refuse `max_tokens` and take
    /// `max_completion_tokens` instead.
    #[must_use]
    pub fn with_max_tokens(mut self, max_tokens: u32) -> Self {
        self.max_tokens = MaxTokens::Fixed(max_tokens);
        self
    }

    /// Sends no `max_tokens` unless a request sets one: replies are then bounded only by the
    /// server (for some servers, by the model's context window). Use with care: a model that
    /// never stops generates, and bills, until that limit.
    #[must_use]
    pub fn without_max_tokens(mut self) -> Self {
        self.max_tokens = MaxTokens::Unbounded;
        self
    }

    /// The `max_tokens` sent for `model` when a request sets none (`None` after
    /// [`without_max_tokens`](Self::without_max_tokens)).
    pub fn max_tokens_for(&self, model: &str) -> Option<u32> {
        match self.max_tokens {
            MaxTokens::Default if is_openai_reasoning_model(model) => Some(DEFAULT_REASONING_MAX_TOKENS),
            MaxTokens::Default => Some(DEFAULT_MAX_TOKENS),
            MaxTokens::Fixed(max) => Some(max),
            MaxTokens::Unbounded => None,
        }
    }

    /// Says whether the server enforces `response_format` JSON schemas (default `true`; set
    /// `false` for servers that ignore them, so adapters fall back to prompting for JSON).
    #[must_use]
    pub fn with_json_schema_support(mut self, supported: bool) -> Self {
        self.supports_json_schema = supported;
        self
    }

    /// Adds a header sent with every request (e.g. `OpenAI-Organization`). Invalid names or
    /// values surface as [`LmError::Config`] on the first call.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self.header_map = OnceLock::new();
        self
    }

    /// Uses this `reqwest` client (its own connect time-out, proxy, TLS and default headers)
    /// instead of building one, whatever is configured before or after. Headers added with
    /// [`with_header`](Self::with_header) are still sent, with every request; the request
    /// time-out and size limits still apply. [`with_connect_timeout`](Self::with_connect_timeout)
    /// cannot change the client's own connect time-out: a connect time-out of that client is
    /// reported as [`TimeoutLimit::Connect`](cognate_core::TimeoutLimit) with the value set
    /// here.
    #[must_use]
    pub fn with_http_client(self, http: reqwest::Client) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(http);
        OpenAiClient { http: cell, custom_http: true, ..self }
    }

    /// The default model name.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The API base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Whether an API key is set (the key itself is not exposed).
    pub fn has_api_key(&self) -> bool {
        self.api_key.is_some()
    }

    /// The whole-request time-out.
    pub fn request_timeout(&self) -> Duration {
        self.limits.request_timeout
    }

    /// The connect time-out.
    pub fn connect_timeout(&self) -> Duration {
        self.limits.connect_timeout
    }

    /// The largest response body read, in bytes.
    pub fn max_response_bytes(&self) -> u64 {
        self.limits.max_response_bytes
    }

    /// The longest `Retry-After` honoured.
    pub fn max_retry_after(&self) -> Duration {
        self.limits.max_retry_after
    }

    fn http(&self) -> Result<&reqwest::Client, LmError> {
        wire::http_client(&self.http, &self.limits)
    }

    fn header_map(&self) -> Result<&HeaderMap, LmError> {
        if let Some(headers) = self.header_map.get() {
            return Ok(headers);
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let name = HeaderName::try_from(name.as_str())
                .map_err(|e| LmError::Config(format!("invalid header name `{name}`: {e}")))?;
            let value = HeaderValue::try_from(value.as_str())
                .map_err(|e| LmError::Config(format!("invalid value for header `{name}`: {e}")))?;
            headers.append(name, value);
        }
        Ok(self.header_map.get_or_init(|| headers))
    }

    fn endpoint(&self) -> Result<&reqwest::Url, LmError> {
        if let Some(url) = self.endpoint.get() {
            return Ok(url);
        }
        let url = reqwest::Url::parse(&format!("{}/chat/completions", self.base_url)).map_err(|e| {
            LmError::Config(format!("invalid request to `{}`: invalid url: {e}", redact_url(&self.base_url)))
        })?;
        Ok(self.endpoint.get_or_init(|| url))
    }

    async fn send(&self, request: &LmRequest, model: &str) -> Result<LmResponse, LmError> {
        let http = self.http()?;
        let headers = self.header_map()?;
        let endpoint = self.endpoint()?.clone();
        let max_tokens = request.max_tokens.or_else(|| self.max_tokens_for(model));
        let reasoning = is_openai_reasoning_model(model);
        let body = wire::ChatRequest {
            model,
            messages: &request.messages,
            temperature: request.temperature.or(self.temperature),
            max_tokens: if reasoning { None } else { max_tokens },
            max_completion_tokens: if reasoning { max_tokens } else { None },
            n: request.n,
            stop: &request.stop,
            seed: request.seed,
            response_format: request.response_format.as_ref(),
        };
        // Serialized here rather than with `RequestBuilder::json`, into a buffer sized for the
        // messages, so the body is not regrown several times on every call.
        let capacity =
            256 + request.messages.iter().map(|m| m.content.len() + m.content.len() / 16 + 32).sum::<usize>();
        let mut json = Vec::with_capacity(capacity);
        serde_json::to_writer(&mut json, &body)
            .map_err(|e| LmError::Config(format!("cannot serialize the request: {e}")))?;
        let mut builder = http
            .post(endpoint)
            .timeout(self.limits.request_timeout)
            .header(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(json);
        if !headers.is_empty() {
            builder = builder.headers(headers.clone());
        }
        if let Some(key) = &self.api_key {
            builder = builder.bearer_auth(key);
        }
        let response = builder.send().await.map_err(|e| wire::map_reqwest_error(e, &self.limits, &self.base_url))?;
        crate::telemetry::record_status(response.status().as_u16());
        let bytes = wire::read_reply(response, &self.limits, &self.base_url).await?;
        wire::parse_response(&bytes, model)
    }
}

impl LanguageModel for OpenAiClient {
    /// Sends one chat-completions request.
    ///
    /// # Errors
    /// [`LmError::Http`] for a non-2xx answer (with the server's message and `Retry-After`),
    /// [`LmError::Timeout`] naming the connect or request limit, [`LmError::Connection`],
    /// [`LmError::ResponseTooLarge`] for a body over the size limit, [`LmError::Decode`] for
    /// a malformed body, [`LmError::Config`] for an invalid URL or header.
    ///
    /// # Cancel safety
    /// Dropping the future abandons the HTTP request.
    fn complete(&self, request: LmRequest) -> impl Future<Output = Result<LmResponse, LmError>> + Send {
        let model = request.model.clone().unwrap_or_else(|| self.model.clone());
        let span = crate::telemetry::client_span("openai", &model);
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
                    tracing::trace!(target: "cognate::lm", choices = ?resp.choices, "lm response");
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
        self.supports_json_schema
    }
}

/// Where the client's `max_tokens` comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MaxTokens {
    /// [`DEFAULT_MAX_TOKENS`] ([`DEFAULT_REASONING_MAX_TOKENS`] for reasoning models).
    Default,
    /// Set with `with_max_tokens`.
    Fixed(u32),
    /// `without_max_tokens`: none sent.
    Unbounded,
}

/// Whether `model` is one of OpenAI's reasoning models, which take `max_completion_tokens`
/// instead of `max_tokens`: DSPy 3.4.1's pattern
/// `^(o[1345](-(mini|nano|pro))?(-YYYY-MM-DD)?|gpt-5(\.N)*(?!-chat)(-.*)?)$`, case-insensitive,
/// applied only to names without a `/` (a routed name such as `openai/o3` goes to a gateway,
/// which takes `max_tokens`).
pub(crate) fn is_openai_reasoning_model(model: &str) -> bool {
    if model.contains('/') {
        return false;
    }
    let model = model.to_ascii_lowercase();
    let is_date = |s: &str| {
        let b = s.as_bytes();
        b.len() == 10
            && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
    };
    if let Some(rest) = model.strip_prefix('o') {
        let Some(rest) = rest.strip_prefix(['1', '3', '4', '5']) else { return false };
        let rest = ["-mini", "-nano", "-pro"].iter().find_map(|v| rest.strip_prefix(v)).unwrap_or(rest);
        return rest.is_empty() || rest.strip_prefix('-').is_some_and(is_date);
    }
    let Some(mut rest) = model.strip_prefix("gpt-5") else { return false };
    while let Some(after) = rest.strip_prefix('.') {
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &after[digits..];
    }
    rest.is_empty() || (rest.starts_with('-') && !rest.starts_with("-chat"))
}

impl fmt::Debug for OpenAiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiClient")
            .field("model", &self.model)
            .field("base_url", &redact_url(&self.base_url))
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("request_timeout", &self.limits.request_timeout)
            .field("connect_timeout", &self.limits.connect_timeout)
            .field("max_response_bytes", &self.limits.max_response_bytes)
            .field("max_retry_after", &self.limits.max_retry_after)
            .field("temperature", &self.temperature)
            .field("max_tokens", &self.max_tokens)
            .field("supports_json_schema", &self.supports_json_schema)
            .field("headers", &self.headers.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn complete_future_is_send() {
        let client = OpenAiClient::new("m");
        let fut = client.complete(LmRequest::default());
        assert_send(&fut);
    }

    #[test]
    fn debug_redacts_the_key_and_header_values() {
        let client = OpenAiClient::new("gpt").with_api_key("sk-very-secret").with_header("X-Token", "hidden-value");
        let text = format!("{client:?}");
        assert!(!text.contains("sk-very-secret") && !text.contains("hidden-value"), "{text}");
        assert!(text.contains("<redacted>") && text.contains("X-Token"), "{text}");
    }

    #[test]
    fn debug_and_config_errors_redact_credentials_in_the_base_url() {
        let client = OpenAiClient::new("gpt").with_base_url("http://user:sk-in-url@[bad/v1");
        let text = format!("{client:?}");
        assert!(!text.contains("sk-in-url") && text.contains("http://<redacted>@[bad/v1"), "{text}");
        let err = client.endpoint().unwrap_err().to_string();
        assert!(!err.contains("sk-in-url") && err.contains("<redacted>@[bad"), "{err}");
    }

    #[test]
    fn builder_sets_options() {
        let c = OpenAiClient::new("a")
            .with_model("b")
            .with_base_url("http://h/v1//")
            .with_request_timeout(Duration::from_secs(3))
            .with_connect_timeout(Duration::from_secs(2))
            .with_max_response_bytes(1000)
            .with_max_retry_after(Duration::from_secs(9))
            .with_json_schema_support(false);
        assert_eq!(c.connect_timeout(), Duration::from_secs(2));
        assert_eq!(c.max_response_bytes(), 1000);
        assert_eq!(c.max_retry_after(), Duration::from_secs(9));
        let d = OpenAiClient::new("x");
        assert_eq!((d.max_response_bytes(), d.max_retry_after()), (4 << 20, Duration::from_secs(60)));
        assert_eq!(c.model(), "b");
        assert_eq!(c.base_url(), "http://h/v1");
        assert_eq!(c.request_timeout(), Duration::from_secs(3));
        assert!(!LanguageModel::supports_json_schema(&c));
        assert!(LanguageModel::supports_json_schema(&OpenAiClient::new("x")));
    }

    #[test]
    fn max_tokens_default_and_overrides() {
        let c = OpenAiClient::new("gpt-4o-mini");
        assert_eq!(c.max_tokens_for("gpt-4o-mini"), Some(DEFAULT_MAX_TOKENS));
        assert_eq!(c.max_tokens_for("o3-mini"), Some(DEFAULT_REASONING_MAX_TOKENS));
        assert_eq!(c.clone().with_max_tokens(64).max_tokens_for("o3"), Some(64));
        assert_eq!(c.without_max_tokens().max_tokens_for("gpt-4o"), None);
    }

    #[test]
    fn openai_reasoning_models_follow_dspy_s_rule() {
        for model in [
            "o1",
            "o3",
            "O3",
            "o4-mini",
            "o3-mini-2025-01-31",
            "o1-pro",
            "o5-nano",
            "o3-2025-04-16",
            "gpt-5",
            "gpt-5-mini",
            "gpt-5.1",
            "gpt-5.6-luna",
            "gpt-5-2025-08-07",
        ] {
            assert!(is_openai_reasoning_model(model), "{model}");
        }
        for model in [
            "gpt-4o",
            "gpt-4.1-mini",
            "o2",
            "o3-max",
            "o3-mini-latest",
            "o3-2025-4-16",
            "gpt-5-chat-latest",
            "gpt-5.1-chat",
            "gpt-5o",
            "gpt-5.",
            "openai/o3",
            "claude-opus-4-1",
            "",
            "o",
        ] {
            assert!(!is_openai_reasoning_model(model), "{model}");
        }
    }

    #[test]
    fn the_endpoint_is_parsed_once_and_follows_the_base_url() {
        let c = OpenAiClient::new("m").with_base_url("http://h:1/v1");
        assert_eq!(c.endpoint().unwrap().as_str(), "http://h:1/v1/chat/completions");
        let c = c.with_base_url("http://other/v2/");
        assert_eq!(c.endpoint().unwrap().as_str(), "http://other/v2/chat/completions");
        assert!(matches!(OpenAiClient::new("m").with_base_url("not a url").endpoint(), Err(LmError::Config(_))));
    }

    #[tokio::test]
    async fn bad_header_or_url_is_a_config_error() {
        let c = OpenAiClient::new("m").with_header("bad header", "v");
        assert!(matches!(c.complete(LmRequest::default()).await, Err(LmError::Config(m)) if m.contains("bad header")));
        let c = OpenAiClient::new("m").with_base_url("not a url");
        assert!(matches!(c.complete(LmRequest::default()).await, Err(LmError::Config(_))));
    }
}
