//! The language-model boundary: chat messages, requests, responses and the
//! [`LanguageModel`] trait (with its dyn-compatible twin [`DynLanguageModel`]).

use std::future::Future;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::error::LmError;

/// Who says a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The system prompt.
    System,
    /// The user.
    User,
    /// The model.
    Assistant,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Who says it.
    pub role: Role,
    /// What is said.
    pub content: String,
}

impl Message {
    /// A system message.
    pub fn system(content: impl Into<String>) -> Self {
        Message { role: Role::System, content: content.into() }
    }
    /// A user message.
    pub fn user(content: impl Into<String>) -> Self {
        Message { role: Role::User, content: content.into() }
    }
    /// An assistant message.
    pub fn assistant(content: impl Into<String>) -> Self {
        Message { role: Role::Assistant, content: content.into() }
    }
}

/// How the model must shape its reply (OpenAI's `response_format`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResponseFormat {
    /// Free text.
    Text,
    /// Any JSON object.
    JsonObject,
    /// JSON that follows a schema.
    JsonSchema {
        /// The schema's details.
        json_schema: JsonSchemaFormat,
    },
}

/// The `json_schema` member of [`ResponseFormat::JsonSchema`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonSchemaFormat {
    /// A name for the schema.
    pub name: String,
    /// The JSON schema.
    pub schema: serde_json::Value,
    /// Whether the provider must follow it exactly.
    #[serde(default)]
    pub strict: bool,
}

/// One request to a chat model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LmRequest {
    /// The conversation.
    pub messages: Vec<Message>,
    /// Overrides the client's model name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Sampling temperature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    /// Maximum tokens to generate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Number of completions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// Stop sequences.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub stop: Vec<String>,
    /// Reply shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<ResponseFormat>,
    /// Sampling seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Which rollout this call belongs to (DSPy's `rollout_id`): never sent to the provider,
    /// but part of a cache's key, so the same request with another rollout id is a different
    /// cache entry. Optimizers that want a fresh sample of a request they have made before set
    /// one (the `Rollout` layer of cognate-lm gives every call a fresh id); `None` is the
    /// ordinary, cacheable call.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rollout_id: Option<u64>,
}

impl LmRequest {
    /// A request with these messages and default options.
    pub fn new(messages: Vec<Message>) -> Self {
        LmRequest { messages, ..Default::default() }
    }
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// It finished naturally or hit a stop sequence.
    Stop,
    /// It hit `max_tokens`.
    Length,
    /// The provider filtered the content.
    ContentFilter,
    /// It asked for tool calls.
    ToolCalls,
    /// Another reason, as the provider spelled it.
    #[serde(untagged)]
    Other(String),
}

impl FinishReason {
    /// The reason as the OpenAI protocol spells it (`stop`, `length`, `content_filter`,
    /// `tool_calls`, else the provider's own word).
    pub fn as_str(&self) -> &str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::ContentFilter => "content_filter",
            FinishReason::ToolCalls => "tool_calls",
            FinishReason::Other(reason) => reason,
        }
    }
}

/// One completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    /// The generated text.
    pub text: String,
    /// Why generation stopped, when the provider said.
    pub finish_reason: Option<FinishReason>,
}

/// Token counts of one call, as the provider reported them.
///
/// `cached_tokens` and `reasoning_tokens` are *details*, already counted in `prompt_tokens` and
/// `completion_tokens` (OpenAI's `prompt_tokens_details.cached_tokens` and
/// `completion_tokens_details.reasoning_tokens`): a prompt of 1,000 tokens of which 800 were
/// read from the provider's prompt cache is `prompt_tokens: 1000, cached_tokens: 800`. Both are
/// 0 when the provider does not report them, and default to 0 when older serialized data
/// lacks them.
///
/// ```
/// use cognate_core::Usage;
///
/// let mut total = Usage::new(1000, 200).with_cached_tokens(800);
/// total += Usage::new(10, 5).with_reasoning_tokens(3);
/// assert_eq!((total.prompt_tokens, total.completion_tokens, total.total_tokens), (1010, 205, 1215));
/// assert_eq!((total.cached_tokens, total.reasoning_tokens), (800, 3));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Tokens in the prompt (cached ones included).
    pub prompt_tokens: u64,
    /// Tokens generated (reasoning ones included).
    pub completion_tokens: u64,
    /// Both.
    pub total_tokens: u64,
    /// Of the prompt tokens, those read from the provider's prompt cache (billed at the
    /// cached-input price).
    #[serde(default)]
    pub cached_tokens: u64,
    /// Of the completion tokens, those spent on hidden reasoning (billed as output).
    #[serde(default)]
    pub reasoning_tokens: u64,
}

impl Usage {
    /// `prompt_tokens` and `completion_tokens`, with `total_tokens` their (saturating) sum and
    /// no details.
    pub fn new(prompt_tokens: u64, completion_tokens: u64) -> Self {
        Usage {
            prompt_tokens,
            completion_tokens,
            total_tokens: prompt_tokens.saturating_add(completion_tokens),
            ..Usage::default()
        }
    }

    /// Sets `cached_tokens`.
    #[must_use]
    pub fn with_cached_tokens(mut self, cached_tokens: u64) -> Self {
        self.cached_tokens = cached_tokens;
        self
    }

    /// Sets `reasoning_tokens`.
    #[must_use]
    pub fn with_reasoning_tokens(mut self, reasoning_tokens: u64) -> Self {
        self.reasoning_tokens = reasoning_tokens;
        self
    }
}

/// Adds every count, saturating at `u64::MAX` (counts come from servers; a hostile one must
/// not make a sum overflow).
impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, rhs: Usage) {
        self.prompt_tokens = self.prompt_tokens.saturating_add(rhs.prompt_tokens);
        self.completion_tokens = self.completion_tokens.saturating_add(rhs.completion_tokens);
        self.total_tokens = self.total_tokens.saturating_add(rhs.total_tokens);
        self.cached_tokens = self.cached_tokens.saturating_add(rhs.cached_tokens);
        self.reasoning_tokens = self.reasoning_tokens.saturating_add(rhs.reasoning_tokens);
    }
}

/// The reply to an [`LmRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LmResponse {
    /// The completions (one unless `n > 1`).
    pub choices: Vec<Choice>,
    /// Token counts.
    pub usage: Usage,
    /// The model that answered, as the provider named it.
    pub model: String,
    /// Whether a cache answered instead of the provider (set by cognate-lm's cache layer; the
    /// `usage` is then the original call's, counted as tokens served from cache). Never on the
    /// wire: skipped when `false` and `false` when absent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cache_hit: bool,
}

/// A chat language model.
///
/// Every provider and every wrapping layer (cache, retry, rate limit) implements it. Use
/// [`DynLanguageModel`] (implemented for every `LanguageModel`) to hold one as
/// `Arc<dyn DynLanguageModel>`; [`SharedLm`] is that type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a language model",
    note = "implement `cognate::LanguageModel`, or use `cognate::lm::OpenAiClient` or `cognate_testing::MockLm` (crate `cognate-testing`)"
)]
pub trait LanguageModel: Send + Sync + 'static {
    /// Sends one request.
    ///
    /// # Errors
    /// A typed [`LmError`] for HTTP failures, time-outs, bad replies and configuration errors.
    ///
    /// # Cancel safety
    /// Dropping the future abandons the request; nothing is left half-done on the client.
    fn complete(&self, request: LmRequest) -> impl Future<Output = Result<LmResponse, LmError>> + Send;

    /// The model's name, for traces, saved state and usage accounting.
    fn model_name(&self) -> &str;

    /// Whether the model follows `response_format` JSON schemas (structured outputs).
    fn supports_json_schema(&self) -> bool {
        false
    }
}

/// The dyn-compatible twin of [`LanguageModel`], implemented for every `LanguageModel`.
pub trait DynLanguageModel: Send + Sync + 'static {
    /// Sends one request; see [`LanguageModel::complete`].
    fn complete_boxed(&self, request: LmRequest) -> BoxFuture<'_, Result<LmResponse, LmError>>;
    /// See [`LanguageModel::model_name`].
    fn model_name(&self) -> &str;
    /// See [`LanguageModel::supports_json_schema`].
    fn supports_json_schema(&self) -> bool;
}

impl<T: LanguageModel> DynLanguageModel for T {
    fn complete_boxed(&self, request: LmRequest) -> BoxFuture<'_, Result<LmResponse, LmError>> {
        Box::pin(self.complete(request))
    }
    fn model_name(&self) -> &str {
        LanguageModel::model_name(self)
    }
    fn supports_json_schema(&self) -> bool {
        LanguageModel::supports_json_schema(self)
    }
}

/// A shared, type-erased language model.
pub type SharedLm = Arc<dyn DynLanguageModel>;

/// A shared model is a model: layers wrap it like any other (`lm.layer(...)`), and generic
/// code takes it where it takes a `LanguageModel`.
impl LanguageModel for SharedLm {
    fn complete(&self, request: LmRequest) -> impl Future<Output = Result<LmResponse, LmError>> + Send {
        self.as_ref().complete_boxed(request)
    }

    fn model_name(&self) -> &str {
        self.as_ref().model_name()
    }

    fn supports_json_schema(&self) -> bool {
        self.as_ref().supports_json_schema()
    }
}

/// A model behind an `Arc` is a model (clones share it).
impl<L: LanguageModel> LanguageModel for Arc<L> {
    fn complete(&self, request: LmRequest) -> impl Future<Output = Result<LmResponse, LmError>> + Send {
        self.as_ref().complete(request)
    }

    fn model_name(&self) -> &str {
        self.as_ref().model_name()
    }

    fn supports_json_schema(&self) -> bool {
        self.as_ref().supports_json_schema()
    }
}

/// Wraps a language model in another that adds one behaviour (a cache, retries, a rate
/// limit, usage accounting...): the shape of every layer, as tower's `Layer` is for services.
///
/// A layer is configuration; [`layer`](Layer::layer) builds the wrapper around `inner`. The
/// wrapper is generic over the model it wraps, so a stack is one concrete type with no boxing
/// until the edge (`Arc::new(stack)` as a [`SharedLm`]). Layers are applied with
/// [`LanguageModelExt::layer`], innermost first:
///
/// ```
/// use cognate_core::{Layer, LanguageModel, LanguageModelExt, LmError, LmRequest, LmResponse};
///
/// /// Sets a temperature on requests that have none.
/// struct DefaultTemperature(f32);
/// struct WithTemperature<L> { inner: L, temperature: f32 }
///
/// impl<L: LanguageModel> Layer<L> for DefaultTemperature {
///     type Lm = WithTemperature<L>;
///     fn layer(&self, inner: L) -> Self::Lm {
///         WithTemperature { inner, temperature: self.0 }
///     }
/// }
///
/// impl<L: LanguageModel> LanguageModel for WithTemperature<L> {
///     async fn complete(&self, mut request: LmRequest) -> Result<LmResponse, LmError> {
///         request.temperature.get_or_insert(self.temperature);
///         self.inner.complete(request).await
///     }
///     fn model_name(&self) -> &str {
///         self.inner.model_name()
///     }
///     fn supports_json_schema(&self) -> bool {
///         self.inner.supports_json_schema()
///     }
/// }
///
/// # fn build(client: impl LanguageModel) -> cognate_core::SharedLm {
/// std::sync::Arc::new(client.layer(DefaultTemperature(0.0)))
/// # }
/// ```
pub trait Layer<L: LanguageModel> {
    /// The model the layer makes of `L`.
    type Lm: LanguageModel;

    /// Wraps `inner`.
    fn layer(&self, inner: L) -> Self::Lm;
}

/// `lm.layer(layer)`: wraps any [`LanguageModel`] (a client, a [`SharedLm`], another layer's
/// output) in a [`Layer`].
pub trait LanguageModelExt: LanguageModel + Sized {
    /// Wraps this model in `layer`; the result is again a `LanguageModel`, so calls chain:
    /// `client.layer(a).layer(b)` puts `b` outermost (it sees each call first).
    fn layer<Y: Layer<Self>>(self, layer: Y) -> Y::Lm {
        layer.layer(self)
    }
}

impl<L: LanguageModel> LanguageModelExt for L {}

const _: () = {
    // Compile-time check that the twin stays dyn-compatible.
    fn _assert_object_safe(_: &dyn DynLanguageModel) {}
};

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;
    impl LanguageModel for Echo {
        async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
            let text = request.messages.last().map(|m| m.content.clone()).unwrap_or_default();
            Ok(LmResponse {
                choices: vec![Choice { text, finish_reason: Some(FinishReason::Stop) }],
                usage: Usage::default(),
                model: "echo".into(),
                cache_hit: false,
            })
        }
        fn model_name(&self) -> &str {
            "echo"
        }
    }

    fn assert_send<T: Send>(_: T) {}

    #[tokio::test]
    async fn dyn_twin_forwards_and_is_send() {
        let lm: SharedLm = Arc::new(Echo);
        // A shared model is a `LanguageModel` too, so it can be wrapped again.
        fn generic<L: LanguageModel>(lm: &L) -> &str {
            lm.model_name()
        }
        assert_eq!(generic(&lm), "echo");
        let fut = lm.complete_boxed(LmRequest::new(vec![Message::user("hi")]));
        let resp = fut.await.unwrap();
        assert_eq!(resp.choices[0].text, "hi");
        assert_send(Echo.complete(LmRequest::default()));
    }

    #[test]
    fn finish_reasons_are_spelled_as_on_the_wire() {
        use FinishReason::*;
        for reason in [Stop, Length, ContentFilter, ToolCalls, Other("end_turn".into())] {
            assert_eq!(serde_json::to_value(&reason).unwrap(), reason.as_str());
        }
    }

    #[test]
    fn usage_loads_data_without_details_and_sums_saturating() {
        let old: Usage = serde_json::from_str(r#"{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}"#).unwrap();
        assert_eq!(old, Usage::new(3, 2));
        let mut sum = Usage::new(u64::MAX, 1).with_cached_tokens(u64::MAX - 1);
        sum += Usage::new(5, 1).with_cached_tokens(5).with_reasoning_tokens(1);
        assert_eq!(sum.prompt_tokens, u64::MAX);
        assert_eq!(sum.total_tokens, u64::MAX);
        assert_eq!((sum.completion_tokens, sum.cached_tokens, sum.reasoning_tokens), (2, u64::MAX, 1));
        let round = serde_json::to_value(Usage::new(1, 2).with_cached_tokens(1)).unwrap();
        assert_eq!(round["cached_tokens"], 1);
        assert_eq!(serde_json::from_value::<Usage>(round).unwrap(), Usage::new(1, 2).with_cached_tokens(1));
    }

    #[test]
    fn requests_serialize_like_openai() {
        let mut req = LmRequest::new(vec![Message::system("s")]);
        req.response_format = Some(ResponseFormat::JsonObject);
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            serde_json::json!({"messages": [{"role": "system", "content": "s"}], "response_format": {"type": "json_object"}})
        );
    }

    #[test]
    fn rollout_ids_and_cache_hits_round_trip_and_stay_off_when_unset() {
        let mut req = LmRequest::new(vec![Message::user("q")]);
        assert!(!serde_json::to_string(&req).unwrap().contains("rollout_id"));
        req.rollout_id = Some(7);
        let text = serde_json::to_string(&req).unwrap();
        assert_eq!(serde_json::from_str::<LmRequest>(&text).unwrap(), req);

        let mut resp = LmResponse { choices: vec![], usage: Usage::default(), model: "m".into(), cache_hit: false };
        let text = serde_json::to_string(&resp).unwrap();
        assert!(!text.contains("cache_hit"), "{text}");
        assert!(!serde_json::from_str::<LmResponse>(&text).unwrap().cache_hit);
        resp.cache_hit = true;
        let text = serde_json::to_string(&resp).unwrap();
        assert!(serde_json::from_str::<LmResponse>(&text).unwrap().cache_hit);
    }
}
