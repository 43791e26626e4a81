//! [`OpenAiEmbeddings`]: text embeddings from any OpenAI-compatible `/embeddings` endpoint.

use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

use cognate_core::{Embedder, LmError};
use serde::{Deserialize, Serialize};

use crate::client::{DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRY_AFTER, DEFAULT_REQUEST_TIMEOUT};
use crate::env::{ENV_API_KEY, ENV_BASE_URL, ENV_BASE_URL_LEGACY};
use crate::{redact_url, wire};

/// The variable naming the embedding model for [`OpenAiEmbeddings::from_env`].
pub const ENV_EMBEDDING_MODEL: &str = "COGNATE_EMBEDDER";

/// Default largest embeddings response body read: 64 MiB. Larger than the chat client's
/// because a full default batch is large: 256 vectors of 3,072 floats is about 17 MB of JSON.
pub const DEFAULT_MAX_EMBEDDINGS_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// An embedding model behind an OpenAI-compatible `POST {base_url}/embeddings` endpoint
/// (OpenAI, vLLM, Ollama, llama.cpp's `llama-server`, text-embeddings-inference, ...).
///
/// Texts are sent in batches of at most [`with_batch_size`](Self::with_batch_size) inputs
/// (default 256); the vectors come back in input order, as the server computed them (most
/// servers L2-normalize; this client does not).
///
/// ```no_run
/// use cognate_lm::OpenAiEmbeddings;
///
/// # async fn run() -> Result<(), cognate_core::LmError> {
/// let embedder = OpenAiEmbeddings::new("all-minilm-l6-v2").with_base_url("http://127.0.0.1:18081/v1");
/// let vectors = embedder.embed(&["The cat sat.".to_string(), "A cat was sitting.".to_string()]).await?;
/// assert_eq!(vectors.len(), 2);
/// # Ok(()) }
/// ```
///
/// Cloning is cheap and clones share the connection pool. The API key never appears in
/// `Debug` output, and credentials in the base URL are printed as `<redacted>`.
#[derive(Clone)]
pub struct OpenAiEmbeddings {
    model: String,
    base_url: String,
    api_key: Option<String>,
    dimensions: Option<u32>,
    batch_size: usize,
    /// Time-outs and size limits, in the form the shared reply reader takes.
    limits: wire::Limits,
    http: OnceLock<reqwest::Client>,
}

#[derive(Serialize)]
struct EmbeddingRequest<'a> {
    model: &'a str,
    input: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    dimensions: Option<u32>,
}

#[derive(Deserialize)]
struct EmbeddingResponse {
    data: Vec<EmbeddingData>,
}

#[derive(Deserialize)]
struct EmbeddingData {
    #[serde(default)]
    index: Option<usize>,
    embedding: Vec<f32>,
}

impl OpenAiEmbeddings {
    /// A client for `model` at OpenAI's API base URL, without an API key.
    pub fn new(model: impl Into<String>) -> Self {
        OpenAiEmbeddings {
            model: model.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            api_key: None,
            dimensions: None,
            batch_size: 256,
            limits: wire::Limits {
                connect_timeout: DEFAULT_CONNECT_TIMEOUT,
                request_timeout: DEFAULT_REQUEST_TIMEOUT,
                max_response_bytes: DEFAULT_MAX_EMBEDDINGS_RESPONSE_BYTES,
                max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            },
            http: OnceLock::new(),
        }
    }

    /// A client configured from the process environment; see
    /// [`from_env_with`](Self::from_env_with).
    ///
    /// # Errors
    /// [`LmError::Config`] when `COGNATE_EMBEDDER` is unset.
    pub fn from_env() -> Result<Self, LmError> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// A client configured from variables looked up with `get`, as
    /// [`OpenAiClient::from_env_with`](crate::OpenAiClient::from_env_with) does: the model
    /// from `COGNATE_EMBEDDER` (required; an `openai/` prefix is removed), the base URL from
    /// `OPENAI_BASE_URL`, else `OPENAI_API_BASE`, else OpenAI's, the key from `OPENAI_API_KEY`.
    /// Empty values count as unset.
    ///
    /// # Errors
    /// [`LmError::Config`] when the model is missing.
    pub fn from_env_with(get: impl Fn(&str) -> Option<String>) -> Result<Self, LmError> {
        let get = |name: &str| get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let spec = get(ENV_EMBEDDING_MODEL).ok_or_else(|| {
            LmError::Config(format!(
                "{ENV_EMBEDDING_MODEL} is not set; set it to an embedding model such as `text-embedding-3-small`"
            ))
        })?;
        let model = spec.strip_prefix("openai/").unwrap_or(&spec).to_owned();
        let base_url =
            get(ENV_BASE_URL).or_else(|| get(ENV_BASE_URL_LEGACY)).unwrap_or_else(|| DEFAULT_BASE_URL.into());
        let mut client = OpenAiEmbeddings::new(model).with_base_url(base_url);
        if let Some(key) = get(ENV_API_KEY) {
            client = client.with_api_key(key);
        }
        Ok(client)
    }

    /// Sets the API base URL (a trailing `/` is removed).
    #[must_use]
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into().trim_end_matches('/').to_owned();
        self
    }

    /// Sets the API key, sent as a bearer token.
    #[must_use]
    pub fn with_api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// Asks for vectors of `dimensions` components (models that support shortening).
    #[must_use]
    pub fn with_dimensions(mut self, dimensions: u32) -> Self {
        self.dimensions = Some(dimensions);
        self
    }

    /// Sets the most texts sent in one request (at least 1).
    #[must_use]
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Sets the whole-request time-out.
    #[must_use]
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.limits.request_timeout = timeout;
        self
    }

    /// Sets the connect time-out (applies to connections made after the first request only
    /// if set before it).
    #[must_use]
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.limits.connect_timeout = timeout;
        self
    }

    /// Sets the largest response body read per request, in bytes (default
    /// [`DEFAULT_MAX_EMBEDDINGS_RESPONSE_BYTES`], 64 MiB). Reading stops, closing the
    /// connection, as soon as a body passes it; a 2xx body over it is
    /// [`LmError::ResponseTooLarge`].
    #[must_use]
    pub fn with_max_response_bytes(mut self, bytes: u64) -> Self {
        self.limits.max_response_bytes = bytes;
        self
    }

    /// Sets the longest `Retry-After` honoured (default
    /// [`DEFAULT_MAX_RETRY_AFTER`](crate::DEFAULT_MAX_RETRY_AFTER), 60 s); longer ones are
    /// clamped to it.
    #[must_use]
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.limits.max_retry_after = max;
        self
    }

    /// The model name.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The API base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Embeds `texts`, one vector per text, in order. No request is made for no texts.
    ///
    /// # Errors
    /// [`LmError::Http`] for a non-2xx answer (with the server's message and `Retry-After`),
    /// [`LmError::Timeout`] naming the connect or request limit, [`LmError::Connection`],
    /// [`LmError::ResponseTooLarge`] for a body over the size limit, [`LmError::Decode`] for
    /// a malformed body or a wrong number of vectors, [`LmError::Config`] for an invalid URL.
    ///
    /// # Cancel safety
    /// Dropping the future abandons the request in flight.
    pub async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, LmError> {
        let mut vectors = Vec::with_capacity(texts.len());
        for batch in texts.chunks(self.batch_size) {
            vectors.extend(self.send(batch).await?);
        }
        Ok(vectors)
    }

    fn http(&self) -> Result<&reqwest::Client, LmError> {
        wire::http_client(&self.http, &self.limits)
    }

    async fn send(&self, batch: &[String]) -> Result<Vec<Vec<f32>>, LmError> {
        let body = EmbeddingRequest { model: &self.model, input: batch, dimensions: self.dimensions };
        let mut builder =
            self.http()?.post(format!("{}/embeddings", self.base_url)).timeout(self.limits.request_timeout).json(&body);
        if let Some(key) = &self.api_key {
            builder = builder.bearer_auth(key);
        }
        tracing::debug!(target: "cognate::lm", model = %self.model, inputs = batch.len(), "embeddings request");
        let response = builder.send().await.map_err(|e| wire::map_reqwest_error(e, &self.limits, &self.base_url))?;
        let bytes = wire::read_reply(response, &self.limits, &self.base_url).await?;
        parse(&bytes, batch.len())
    }
}

/// Calls the endpoint ([`OpenAiEmbeddings::embed`]); its errors become
/// [`cognate_core::Error::Lm`].
impl Embedder for OpenAiEmbeddings {
    async fn embed(&self, texts: &[String]) -> cognate_core::Result<Vec<Vec<f32>>> {
        Ok(OpenAiEmbeddings::embed(self, texts).await?)
    }
}

/// The vectors of an embeddings body, in input order (by `index` when the server gives it).
fn parse(body: &[u8], expected: usize) -> Result<Vec<Vec<f32>>, LmError> {
    let response: EmbeddingResponse =
        serde_json::from_slice(body).map_err(|e| LmError::Decode(format!("embeddings response: {e}")))?;
    if response.data.len() != expected {
        return Err(LmError::Decode(format!(
            "embeddings response has {} vectors for {expected} inputs",
            response.data.len()
        )));
    }
    let mut data = response.data;
    if data.iter().all(|d| d.index.is_some()) {
        data.sort_by_key(|d| d.index);
        if data.iter().enumerate().any(|(i, d)| d.index != Some(i)) {
            return Err(LmError::Decode("embeddings response indices are not 0..n".into()));
        }
    }
    Ok(data.into_iter().map(|d| d.embedding).collect())
}

impl fmt::Debug for OpenAiEmbeddings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiEmbeddings")
            .field("model", &self.model)
            .field("base_url", &redact_url(&self.base_url))
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("dimensions", &self.dimensions)
            .field("batch_size", &self.batch_size)
            .field("max_response_bytes", &self.limits.max_response_bytes)
            .field("max_retry_after", &self.limits.max_retry_after)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_in_index_order_and_checks_counts() {
        let body = br#"{"object":"list","data":[
            {"object":"embedding","index":1,"embedding":[0.0,1.0]},
            {"object":"embedding","index":0,"embedding":[1.0,0.0]}],"model":"m"}"#;
        assert_eq!(parse(body, 2).unwrap(), vec![vec![1.0, 0.0], vec![0.0, 1.0]]);
        assert!(matches!(parse(body, 3), Err(LmError::Decode(m)) if m.contains("2 vectors for 3 inputs")));
        assert!(matches!(parse(b"{\"data\": 5}", 1), Err(LmError::Decode(_))));
        let gap = br#"{"data":[{"index":0,"embedding":[1]},{"index":2,"embedding":[2]}]}"#;
        assert!(parse(gap, 2).is_err());
    }

    #[test]
    fn from_env_reads_the_model_url_and_key() {
        let vars = [
            (ENV_EMBEDDING_MODEL, "openai/text-embedding-3-small"),
            (ENV_BASE_URL, "http://h/v1/"),
            (ENV_API_KEY, "k"),
        ];
        let get = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
        let client = OpenAiEmbeddings::from_env_with(get).unwrap();
        assert_eq!((client.model(), client.base_url()), ("text-embedding-3-small", "http://h/v1"));
        assert!(format!("{client:?}").contains("<redacted>"));
        assert!(matches!(OpenAiEmbeddings::from_env_with(|_| None), Err(LmError::Config(_))));
    }

    #[test]
    fn debug_redacts_credentials_in_the_base_url() {
        let vars = [(ENV_EMBEDDING_MODEL, "m"), (ENV_BASE_URL, "http://u:sk-emb-secret@h/v1")];
        let get = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
        let client = OpenAiEmbeddings::from_env_with(get).unwrap();
        let text = format!("{client:?}");
        assert!(!text.contains("sk-emb-secret") && text.contains("http://<redacted>@h/v1"), "{text}");
        assert_eq!(client.base_url(), "http://u:sk-emb-secret@h/v1");
    }
}
