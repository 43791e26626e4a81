//! [`Predictor`]: one signature, its learnable state (instructions, demos) and call options,
//! with untyped (`Values`) inputs and outputs. `Predict<S>` and `ChainOfThought<S>` are typed
//! wrappers around it; optimizers and dynamic programs use it directly.

use std::sync::Arc;
use std::time::Instant;

use cognate_adapters::{Adapter, ChatAdapter};
use cognate_core::{
    Error, Example, LmError, LmRequest, LmResponse, Message, Prediction, Result, SharedLm, SignatureDesc, Values,
};
use tracing::Instrument;

use crate::settings::Settings;
use crate::trace::TraceEntry;

/// Replies (all choices together) longer than this are parsed on tokio's blocking pool.
const OFFLOAD_PARSE_BYTES: usize = 64 * 1024;

/// An adapter that can move to another thread: the settings' or predictor's, or a fallback.
#[derive(Clone)]
enum AdapterHandle {
    Shared(Arc<dyn Adapter>),
    Static(&'static dyn Adapter),
}

impl std::ops::Deref for AdapterHandle {
    type Target = dyn Adapter;

    fn deref(&self) -> &(dyn Adapter + 'static) {
        match self {
            AdapterHandle::Shared(adapter) => &**adapter,
            AdapterHandle::Static(adapter) => *adapter,
        }
    }
}

/// Parses every completion with `adapter`.
fn parse_all(adapter: &dyn Adapter, signature: &SignatureDesc, texts: &[String]) -> Result<Vec<Values>> {
    texts.iter().map(|text| adapter.parse(signature, text).map_err(Error::Parse)).collect()
}

/// Options sent with each LM call. Unset options are left to the provider.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallConfig {
    /// Sampling temperature.
    pub temperature: Option<f32>,
    /// Maximum tokens to generate.
    pub max_tokens: Option<u32>,
    /// Number of completions. With `n > 1` and no temperature above 0.15, the temperature
    /// is raised to 0.7, as DSPy does.
    pub n: Option<u32>,
    /// Stop sequences.
    pub stop: Vec<String>,
    /// Sampling seed.
    pub seed: Option<u64>,
}

impl CallConfig {
    /// Sets the temperature.
    #[must_use]
    pub fn with_temperature(mut self, temperature: f32) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Sets the maximum number of tokens.
    #[must_use]
    pub fn with_max_tokens(mut self, max_tokens: u32) -> Self {
        self.max_tokens = Some(max_tokens);
        self
    }

    /// Sets the number of completions.
    #[must_use]
    pub fn with_n(mut self, n: u32) -> Self {
        self.n = Some(n);
        self
    }

    /// Sets the seed.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Adds a stop sequence.
    #[must_use]
    pub fn with_stop(mut self, stop: impl Into<String>) -> Self {
        self.stop.push(stop.into());
        self
    }

    /// `self` with every option set in `other` replaced by `other`'s.
    #[must_use]
    pub fn merged(&self, other: &CallConfig) -> CallConfig {
        CallConfig {
            temperature: other.temperature.or(self.temperature),
            max_tokens: other.max_tokens.or(self.max_tokens),
            n: other.n.or(self.n),
            stop: if other.stop.is_empty() { self.stop.clone() } else { other.stop.clone() },
            seed: other.seed.or(self.seed),
        }
    }
}

/// An untyped predictor: a signature plus learnable state.
#[derive(Clone)]
pub struct Predictor {
    signature: SignatureDesc,
    /// Few-shot demonstrations, each holding input and output fields.
    pub demos: Vec<Example>,
    /// Options for every call.
    pub config: CallConfig,
    /// This predictor's own LM; `None` uses the current [`Settings`].
    pub lm: Option<SharedLm>,
    /// This predictor's own adapter; `None` uses the current [`Settings`], then `ChatAdapter`.
    pub adapter: Option<Arc<dyn Adapter>>,
    /// The name used in traces and spans (a program path such as `generate_answer.predict`).
    pub name: Option<String>,
    /// The LM settings a loaded state file asked for (DSPy's `lm` dict, minus endpoint keys),
    /// kept so they are written back on save. Cognate never builds an LM from it: attach one
    /// with [`Predictor::lm`]. See `docs/saved-state.md`.
    pub saved_lm: Option<serde_json::Value>,
    /// Set when the typed signature this predictor was made for has a field type with no DSPy
    /// equivalent: the type and the reason, returned as [`Error::UnsupportedType`] by every call.
    unsupported: Option<Arc<(String, String)>>,
}

impl std::fmt::Debug for Predictor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Predictor")
            .field("signature", &self.signature.name)
            .field("instructions", &self.signature.instructions)
            .field("demos", &self.demos.len())
            .field("config", &self.config)
            .field("lm", &self.lm.as_ref().map(|lm| lm.model_name().to_string()))
            .field("adapter", &self.adapter.as_ref().map(|a| a.name()))
            .field("saved_lm", &self.saved_lm)
            .finish()
    }
}

impl Predictor {
    /// A predictor for `signature` with no demos and default options.
    pub fn new(signature: SignatureDesc) -> Self {
        Predictor {
            signature,
            demos: Vec::new(),
            config: CallConfig::default(),
            lm: None,
            adapter: None,
            name: None,
            saved_lm: None,
            unsupported: None,
        }
    }

    /// A predictor for a typed signature whose descriptor could not be built (`error`, from
    /// `Signature::try_descriptor`): its signature is named `name` and has no fields, and every
    /// call returns the error as [`Error::UnsupportedType`].
    pub(crate) fn unsupported(name: &str, error: Error) -> Self {
        let (ty, reason) = match error {
            Error::UnsupportedType { ty, reason } => (ty, reason),
            other => (name.to_string(), other.to_string()),
        };
        Predictor { unsupported: Some(Arc::new((ty, reason))), ..Predictor::new(SignatureDesc::new(name)) }
    }

    /// `Ok` unless this predictor was made for a typed signature whose descriptor could not be
    /// built ([`Predictor::unsupported`]).
    pub(crate) fn check_supported(&self) -> Result<()> {
        match self.unsupported.as_deref() {
            None => Ok(()),
            Some((ty, reason)) => Err(Error::UnsupportedType { ty: ty.clone(), reason: reason.clone() }),
        }
    }

    /// The signature, with the current instructions.
    pub fn signature(&self) -> &SignatureDesc {
        &self.signature
    }

    /// The instructions (learnable).
    pub fn instructions(&self) -> &str {
        &self.signature.instructions
    }

    /// Replaces the instructions.
    pub fn set_instructions(&mut self, instructions: impl Into<String>) {
        self.signature.instructions = instructions.into();
    }

    /// Sets a field's prefix (`None`: derived from the name) and description (empty: none),
    /// as a loaded state does. Its name and type stay. Returns `false` if there is no such field.
    pub fn set_field_meta(&mut self, name: &str, prefix: Option<String>, desc: impl Into<String>) -> bool {
        let sig = &mut self.signature;
        match sig.inputs.iter_mut().chain(sig.outputs.iter_mut()).find(|f| f.name == name) {
            Some(field) => {
                field.prefix = prefix;
                field.desc = desc.into();
                true
            }
            None => false,
        }
    }

    /// The name spans and traces use: this predictor's path in the program being run by
    /// `Program::call`, else [`Predictor::name`], else the signature's name.
    fn trace_name(&self) -> String {
        crate::program::current_path(self).or_else(|| self.name.clone()).unwrap_or_else(|| self.signature.name.clone())
    }

    fn lm_for_call(&self, settings: &Settings) -> Result<SharedLm> {
        self.lm.clone().or_else(|| settings.lm.clone()).ok_or(Error::Lm(LmError::NotConfigured))
    }

    fn adapter_for_call(&self, settings: &Settings) -> Arc<dyn Adapter> {
        self.adapter.clone().or_else(|| settings.adapter.clone()).unwrap_or_else(|| Arc::new(ChatAdapter))
    }

    /// The messages this predictor would send for `inputs` with the current settings' adapter.
    pub fn format(&self, inputs: &Values) -> Vec<Message> {
        let adapter = self.adapter_for_call(&Settings::current());
        self.format_with(&*adapter, inputs)
    }

    fn format_with(&self, adapter: &dyn Adapter, inputs: &Values) -> Vec<Message> {
        let demos: Vec<&Values> = self.demos.iter().map(|d| &d.data).collect();
        adapter.format(&self.signature, &demos, inputs)
    }

    /// Calls the LM once and parses its reply.
    ///
    /// The LM and adapter come from this predictor, else from the current [`Settings`]; the
    /// adapter defaults to `ChatAdapter`, which retries once with `JSONAdapter` when its reply
    /// cannot be parsed (as DSPy does). `overrides` take precedence over [`Predictor::config`].
    ///
    /// Replies longer than 64 KiB are parsed on tokio's blocking pool (when called inside a
    /// tokio runtime), so a huge or pathological reply never stalls the other futures of the
    /// calling task, such as the other examples of an `Evaluate`.
    ///
    /// # Errors
    /// [`Error::Lm`] when no LM is configured or the call fails; [`Error::Parse`] when the
    /// reply (of any completion) cannot be parsed; [`Error::UnsupportedType`] when this is the
    /// predictor of a `Predict<S>` or `ChainOfThought<S>` whose signature `S` has a field type
    /// with no DSPy equivalent (no LM call is made). (A core error: only the LM call and its
    /// parse can fail here. `Module::forward` wraps it in the runtime's [`crate::Error`].)
    ///
    /// # Cancel safety
    /// Dropping the future abandons the LM call; the predictor is not changed. A parse already
    /// running on the blocking pool finishes there and its result is dropped.
    pub async fn call(&self, inputs: Values, overrides: Option<&CallConfig>) -> Result<Prediction> {
        self.check_supported()?;
        let settings = Settings::current();
        let lm = self.lm_for_call(&settings)?;
        let adapter = self.adapter_for_call(&settings);
        let config = match overrides {
            Some(o) => self.config.merged(o),
            None => self.config.clone(),
        };
        for field in &self.signature.inputs {
            if !inputs.contains_key(&field.name) {
                tracing::warn!(target: "cognate::program", signature = %self.signature.name, field = %field.name,
                    "input field missing from the call");
            }
        }

        let adapter = AdapterHandle::Shared(adapter);
        let prediction = match self.call_with_adapter(&lm, adapter.clone(), &inputs, &config).await {
            Err(Error::Parse(err)) => match adapter.fallback() {
                Some(fallback) => {
                    tracing::debug!(target: "cognate::lm", adapter = adapter.name(), fallback = fallback.name(),
                        error = %err, "reply did not parse; retrying with the fallback adapter");
                    if let Some(stats) = &settings.stats {
                        stats.record_adapter_fallback();
                    }
                    self.call_with_adapter(&lm, AdapterHandle::Static(fallback), &inputs, &config).await?
                }
                None => return Err(Error::Parse(err)),
            },
            other => other?,
        };

        if let Some(sink) = &settings.trace {
            sink.record(TraceEntry { predictor: self.trace_name(), inputs, outputs: prediction.data.clone() });
        }
        Ok(prediction)
    }

    async fn call_with_adapter(
        &self,
        lm: &SharedLm,
        adapter: AdapterHandle,
        inputs: &Values,
        config: &CallConfig,
    ) -> Result<Prediction> {
        let mut request = LmRequest::new(self.format_with(&*adapter, inputs));
        request.max_tokens = config.max_tokens;
        request.n = config.n;
        request.stop = config.stop.clone();
        request.seed = config.seed;
        request.temperature = match (config.n, config.temperature) {
            (Some(n), t) if n > 1 && t.is_none_or(|t| t <= 0.15) => Some(0.7),
            (_, t) => t,
        };
        request.response_format = adapter.response_format(&self.signature, lm.supports_json_schema());

        // The call's one span, with OpenTelemetry GenAI attribute names. The client records
        // the provider and HTTP status into it (and opens no span of its own), the retry,
        // cache and usage layers `cognate.retries`, `cognate.cache_hit` and `cognate.cost_usd`.
        let span = tracing::info_span!(
            target: "cognate::lm",
            "lm_call",
            gen_ai.operation.name = "chat",
            gen_ai.system = tracing::field::Empty,
            gen_ai.request.model = %lm.model_name(),
            gen_ai.response.model = tracing::field::Empty,
            gen_ai.usage.input_tokens = tracing::field::Empty,
            gen_ai.usage.output_tokens = tracing::field::Empty,
            gen_ai.response.finish_reasons = tracing::field::Empty,
            http.response.status_code = tracing::field::Empty,
            cognate.predictor = %self.trace_name(),
            cognate.adapter = adapter.name(),
            cognate.latency_ms = tracing::field::Empty,
            cognate.cache_hit = tracing::field::Empty,
            cognate.retries = tracing::field::Empty,
            cognate.cost_usd = tracing::field::Empty,
        );
        let started = Instant::now();
        let response = async {
            tracing::trace!(target: "cognate::lm", messages = ?request.messages, "request");
            let response = lm.complete_boxed(request).await;
            match &response {
                Ok(r) => tracing::trace!(target: "cognate::lm", choices = ?r.choices, "response"),
                Err(e) => tracing::debug!(target: "cognate::lm", error = %e, "lm call failed"),
            }
            response
        }
        .instrument(span.clone())
        .await;
        span.record("cognate.latency_ms", started.elapsed().as_millis() as u64);
        let response: LmResponse = response?;
        let reasons: Vec<&str> = response
            .choices
            .iter()
            .filter_map(|c| c.finish_reason.as_ref().map(cognate_core::FinishReason::as_str))
            .collect();
        span.record("gen_ai.response.model", response.model.as_str());
        span.record("gen_ai.usage.input_tokens", response.usage.prompt_tokens);
        span.record("gen_ai.usage.output_tokens", response.usage.completion_tokens);
        span.record("gen_ai.response.finish_reasons", tracing::field::debug(&reasons));

        if response.choices.is_empty() {
            return Err(Error::Lm(LmError::Decode("the response has no choices".into())));
        }
        let texts: Vec<String> = response.choices.into_iter().map(|choice| choice.text).collect();
        let mut completions = self.parse(adapter, texts).await?;
        let data = completions[0].clone();
        if completions.len() == 1 {
            completions.clear();
        }
        Ok(Prediction { data, completions })
    }
}

impl Predictor {
    /// Parses the completions: inline when they are small or there is no tokio runtime, else
    /// on the blocking pool, so the calling task keeps polling its other futures.
    async fn parse(&self, adapter: AdapterHandle, texts: Vec<String>) -> Result<Vec<Values>> {
        let size: usize = texts.iter().map(String::len).sum();
        // Small replies (nearly all) are parsed here, without looking up the runtime.
        let handle = (size > OFFLOAD_PARSE_BYTES).then(tokio::runtime::Handle::try_current).and_then(Result::ok);
        let Some(handle) = handle else {
            return parse_all(&*adapter, &self.signature, &texts);
        };
        let signature = self.signature.clone();
        match handle.spawn_blocking(move || parse_all(&*adapter, &signature, &texts)).await {
            Ok(parsed) => parsed,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => Err(Error::Lm(LmError::Other("the runtime shut down while parsing the reply".into()))),
        }
    }
}

/// The builder and accessor methods shared by the typed wrappers around a [`Predictor`]
/// (`Predict<S>`, `ChainOfThought<S>`): expanded inside their `impl` blocks, which have a
/// `predictor: Predictor` field and a signature parameter `S`.
macro_rules! predictor_wrapper_methods {
    () => {
        /// Uses this LM instead of the settings' one.
        #[must_use]
        pub fn with_lm(mut self, lm: cognate_core::SharedLm) -> Self {
            self.predictor.lm = Some(lm);
            self
        }

        /// Uses this adapter instead of the settings' one.
        #[must_use]
        pub fn with_adapter(mut self, adapter: std::sync::Arc<dyn cognate_adapters::Adapter>) -> Self {
            self.predictor.adapter = Some(adapter);
            self
        }

        /// Sets the options sent with every call.
        #[must_use]
        pub fn with_config(mut self, config: crate::predictor::CallConfig) -> Self {
            self.predictor.config = config;
            self
        }

        /// Replaces the instructions.
        #[must_use]
        pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
            self.predictor.set_instructions(instructions);
            self
        }

        /// Sets the few-shot demos (each holding input and output fields).
        #[must_use]
        pub fn with_demos(mut self, demos: Vec<cognate_core::Example>) -> Self {
            self.predictor.demos = demos;
            self
        }

        /// The untyped predictor (signature, instructions, demos, options).
        pub fn predictor(&self) -> &crate::predictor::Predictor {
            &self.predictor
        }

        /// The untyped predictor, mutably.
        pub fn predictor_mut(&mut self) -> &mut crate::predictor::Predictor {
            &mut self.predictor
        }

        /// The messages a call with `input` would send.
        ///
        /// # Errors
        /// [`cognate_core::Error::Conversion`] if the input does not serialize;
        /// [`cognate_core::Error::UnsupportedType`] if `S` has a field type with no DSPy
        /// equivalent.
        pub fn prompt(&self, input: &S::Input) -> cognate_core::Result<Vec<cognate_core::Message>> {
            self.predictor.check_supported()?;
            Ok(self.predictor.format(&S::input_to_values(input)?))
        }
    };
}

pub(crate) use predictor_wrapper_methods;

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::thread::ThreadId;

    use cognate_core::{Choice, LanguageModel, LmResponse, ParseError, Usage};

    use super::*;

    /// Replies with `text`.
    struct Fixed(String);

    impl LanguageModel for Fixed {
        async fn complete(&self, _: LmRequest) -> std::result::Result<LmResponse, LmError> {
            let choice = Choice { text: self.0.clone(), finish_reason: None };
            Ok(LmResponse { choices: vec![choice], usage: Usage::default(), model: "fixed".into(), cache_hit: false })
        }
        fn model_name(&self) -> &str {
            "fixed"
        }
    }

    /// ChatAdapter, recording the thread each parse runs on.
    #[derive(Debug, Default)]
    struct Recording(Mutex<Vec<ThreadId>>);

    impl Adapter for Recording {
        fn name(&self) -> &'static str {
            "ChatAdapter"
        }
        fn format(&self, signature: &SignatureDesc, demos: &[&Values], inputs: &Values) -> Vec<Message> {
            ChatAdapter.format(signature, demos, inputs)
        }
        fn parse(&self, signature: &SignatureDesc, completion: &str) -> std::result::Result<Values, Box<ParseError>> {
            self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(std::thread::current().id());
            ChatAdapter.parse(signature, completion)
        }
    }

    /// Calls a `question -> answer` predictor whose LM replies `answer` padded to `len` bytes;
    /// returns the answer and whether the parse ran on the calling thread.
    async fn call_with_reply_of(len: usize) -> (String, bool) {
        let reply = format!("[[ ## answer ## ]]\n{}\n\n[[ ## completed ## ]]", "a".repeat(len));
        let adapter = Arc::new(Recording::default());
        let mut predictor = Predictor::new(SignatureDesc::parse("question -> answer").unwrap());
        predictor.lm = Some(Arc::new(Fixed(reply)));
        predictor.adapter = Some(adapter.clone());
        let inputs = Values::from_iter([("question".to_string(), "q".into())]);
        let prediction = predictor.call(inputs, None).await.unwrap();
        let threads = adapter.0.lock().unwrap().clone();
        assert_eq!(threads.len(), 1);
        let answer = prediction.data["answer"].as_str().unwrap().to_string();
        (answer, threads[0] == std::thread::current().id())
    }

    #[tokio::test(flavor = "current_thread")]
    async fn large_replies_are_parsed_off_the_calling_thread() {
        let (answer, inline) = call_with_reply_of(100).await;
        assert_eq!((answer.len(), inline), (100, true));
        let (answer, inline) = call_with_reply_of(OFFLOAD_PARSE_BYTES + 1).await;
        assert_eq!((answer.len(), inline), (OFFLOAD_PARSE_BYTES + 1, false));
    }

    #[test]
    fn without_a_runtime_large_replies_are_parsed_inline() {
        // Nothing here waits (the LM answers at once), so one poll outside any runtime finishes.
        let mut call = std::pin::pin!(call_with_reply_of(OFFLOAD_PARSE_BYTES + 1));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let std::task::Poll::Ready((answer, inline)) = call.as_mut().poll(&mut cx) else {
            panic!("the call should complete without a runtime")
        };
        assert_eq!((answer.len(), inline), (OFFLOAD_PARSE_BYTES + 1, true));
    }
}
