//! Language-model providers for Cognate, and the layers every call can go through.
//!
//! [`OpenAiClient`] speaks the OpenAI chat-completions protocol, which OpenAI, vLLM, Ollama,
//! llama.cpp's `llama-server` and Cognate's mock server all serve; [`AnthropicClient`] speaks
//! Anthropic's Messages API; [`lm`] turns a model string (`groq/llama-3.1-8b-instant`) into
//! either. [`OpenAiEmbeddings`] gets text embeddings from the matching `/embeddings` endpoint.
//!
//! ```no_run
//! # #[cfg(feature = "http")]
//! # async fn run() -> Result<(), cognate_core::LmError> {
//! use cognate_core::{LanguageModel, LmRequest, Message};
//! use cognate_lm::OpenAiClient;
//!
//! // COGNATE_LM=openai/gpt-4o-mini, OPENAI_API_KEY=..., optionally OPENAI_BASE_URL=...
//! let lm = OpenAiClient::from_env()?;
//! let reply = lm.complete(LmRequest::new(vec![Message::user("What is 2 + 2?")])).await?;
//! println!("{}", reply.choices[0].text);
//! # Ok(()) }
//! ```
//!
//! Every call runs in one `tracing` span on target `cognate::lm` with OpenTelemetry GenAI
//! field names (`gen_ai.request.model`, `gen_ai.usage.input_tokens`, ...): a module's
//! `lm_call` span, into which the client records the provider and HTTP status, or, called
//! directly, the client's own `lm.complete` span with the model, HTTP status, latency, token
//! counts and finish reasons. Prompts and replies are logged only at
//! `trace` level; API keys never, and credentials in a base URL are printed as `<redacted>`
//! ([`redact_url`]).
//!
//! Replies are read incrementally and at most [`DEFAULT_MAX_RESPONSE_BYTES`] (4 MiB) of a
//! body is read unless configured otherwise; `Retry-After` is clamped to
//! [`DEFAULT_MAX_RETRY_AFTER`] (60 s); time-outs name the limit that fired.
//!
//! Features: `http` (default) builds the HTTP clients; `rustls` (default) enables `https://`
//! endpoints; `disk-cache` (default) the [`Cache`]'s on-disk tier (SQLite). Without `http` the
//! crate is its [`layer`]s alone.
//!
//! [`layer`] holds the wrappers every model can be put in (`lm.layer(...)`, see
//! [`cognate_core::Layer`]): usage and cost accounting, budgets, rollouts, caching ([`Cache`]),
//! history, record/replay, retries ([`Retry`]), a circuit breaker ([`CircuitBreaker`]), rate
//! limits ([`RateLimit`]), time-outs and deadlines ([`Timeout`]) and concurrency limits
//! ([`ConcurrencyLimit`]). [`pricing`] holds the price table that turns usage into dollars.

#[cfg(feature = "http")]
mod anthropic;
#[cfg(feature = "http")]
mod client;
#[cfg(feature = "http")]
mod embeddings;
#[cfg(feature = "http")]
mod env;
pub mod layer;
pub mod pricing;
#[cfg(feature = "http")]
mod provider;
mod redact;
#[cfg(feature = "http")]
mod telemetry;
#[cfg(feature = "http")]
mod wire;

#[cfg(feature = "http")]
pub use anthropic::{
    ANTHROPIC_BASE_URL, ANTHROPIC_VERSION, AnthropicClient, DEFAULT_ANTHROPIC_MAX_TOKENS, ENV_ANTHROPIC_API_KEY,
    ENV_ANTHROPIC_BASE_URL,
};
#[cfg(feature = "http")]
pub use client::{
    DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_RETRY_AFTER, DEFAULT_MAX_TOKENS,
    DEFAULT_REASONING_MAX_TOKENS, DEFAULT_REQUEST_TIMEOUT, OpenAiClient,
};
#[cfg(feature = "http")]
pub use embeddings::{DEFAULT_MAX_EMBEDDINGS_RESPONSE_BYTES, ENV_EMBEDDING_MODEL, OpenAiEmbeddings};
#[cfg(feature = "http")]
pub use env::{ENV_API_KEY, ENV_BASE_URL, ENV_BASE_URL_LEGACY, ENV_MODEL};
pub use layer::breaker::{BreakerLm, BreakerState, CircuitBreaker};
pub use layer::budget::{Budget, BudgetSpent, BudgetedLm};
#[cfg(feature = "disk-cache")]
pub use layer::cache::DiskUsage;
pub use layer::cache::{Cache, CacheKey, CachedLm};
pub use layer::concurrency::{ConcurrencyLimit, ConcurrencyLimitedLm};
pub use layer::history::{History, HistoryLm};
pub use layer::rate_limit::{RateLimit, RateLimitStats, RateLimitedLm};
pub use layer::replay::{Record, RecordLm, Replay};
pub use layer::retry::{Retry, RetryBudget, RetryLm, RetryStats};
pub use layer::rollout::{Rollout, RolloutLm};
pub use layer::timeout::{TimedLm, Timeout};
pub use layer::usage::{CountingLm, UsageSnapshot, UsageTracker};
pub use pricing::{DEFAULT_PRICES_DATE, ModelPrice, PriceTable};
#[cfg(feature = "http")]
pub use provider::{Client, ModelSpec, PROVIDERS, Protocol, Provider, lm, lm_with};
pub use redact::redact_url;
