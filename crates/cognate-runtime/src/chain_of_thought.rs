//! [`ChainOfThought`]: ask for step-by-step reasoning before the outputs.

use std::marker::PhantomData;
use std::sync::Arc;

use cognate_adapters::Adapter;
use cognate_core::{Example, FieldDesc, Message, Result, SharedLm, Signature, TypeDesc};
use serde::{Deserialize, Serialize};

use crate::module::Module;
use crate::predictor::{CallConfig, Predictor};

/// The output of [`ChainOfThought`]: the model's reasoning and the signature's outputs.
/// It dereferences to the outputs, so `result.answer` works.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WithReasoning<O> {
    /// The step-by-step reasoning the model wrote first.
    pub reasoning: String,
    /// The signature's outputs.
    #[serde(flatten)]
    pub output: O,
}

impl<O> std::ops::Deref for WithReasoning<O> {
    type Target = O;
    fn deref(&self) -> &O {
        &self.output
    }
}

/// Like [`Predict`](crate::Predict), with a `reasoning: str` output prepended to the
/// signature, exactly as DSPy 3.4.1's `ChainOfThought` does (no description, prefix
/// `Reasoning:`; a signature without instructions keeps DSPy's default sentence over its own
/// fields, which does not mention `reasoning`).
pub struct ChainOfThought<S: Signature> {
    predictor: Predictor,
    _signature: PhantomData<fn() -> S>,
}

impl<S: Signature> Clone for ChainOfThought<S> {
    fn clone(&self) -> Self {
        ChainOfThought { predictor: self.predictor.clone(), _signature: PhantomData }
    }
}

impl<S: Signature> std::fmt::Debug for ChainOfThought<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ChainOfThought").field(&self.predictor).finish()
    }
}

impl<S: Signature> Default for ChainOfThought<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Signature> ChainOfThought<S> {
    /// A chain-of-thought predictor for `S`.
    pub fn new() -> Self {
        let base = S::descriptor();
        // As in DSPy 3.4.1: the field has no description and the inferred prefix
        // (`Reasoning:`), and default instructions keep naming only the base outputs.
        let extended = base
            .clone()
            .with_instructions(base.effective_instructions())
            .prepend_output(FieldDesc::new("reasoning", TypeDesc::Str));
        ChainOfThought { predictor: Predictor::new(extended), _signature: PhantomData }
    }

    /// Uses this LM instead of the settings' one.
    #[must_use]
    pub fn with_lm(mut self, lm: SharedLm) -> Self {
        self.predictor.lm = Some(lm);
        self
    }

    /// Uses this adapter instead of the settings' one.
    #[must_use]
    pub fn with_adapter(mut self, adapter: Arc<dyn Adapter>) -> Self {
        self.predictor.adapter = Some(adapter);
        self
    }

    /// Sets the options sent with every call.
    #[must_use]
    pub fn with_config(mut self, config: CallConfig) -> Self {
        self.predictor.config = config;
        self
    }

    /// Replaces the instructions.
    #[must_use]
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.predictor.set_instructions(instructions);
        self
    }

    /// Sets the few-shot demos (each may carry a `reasoning` field).
    #[must_use]
    pub fn with_demos(mut self, demos: Vec<Example>) -> Self {
        self.predictor.demos = demos;
        self
    }

    /// The untyped predictor over the extended signature.
    pub fn predictor(&self) -> &Predictor {
        &self.predictor
    }

    /// The untyped predictor, mutably.
    pub fn predictor_mut(&mut self) -> &mut Predictor {
        &mut self.predictor
    }

    /// The messages a call with `input` would send.
    ///
    /// # Errors
    /// [`cognate_core::Error::Conversion`] if the input does not serialize.
    pub fn prompt(&self, input: &S::Input) -> Result<Vec<Message>> {
        Ok(self.predictor.format(&S::input_to_values(input)?))
    }

    /// Calls the LM with per-call option overrides.
    ///
    /// # Errors
    /// As [`Predictor::call`], plus a conversion error if the outputs do not fit.
    pub async fn call_with(&self, input: S::Input, overrides: &CallConfig) -> Result<WithReasoning<S::Output>> {
        let values = S::input_to_values(&input)?;
        let prediction = self.predictor.call(values, Some(overrides)).await?;
        cognate_core::from_values(&prediction.data, "ChainOfThought output")
    }
}

impl<S: Signature> Module for ChainOfThought<S> {
    type Input = S::Input;
    type Output = WithReasoning<S::Output>;

    async fn forward(&self, input: S::Input) -> Result<WithReasoning<S::Output>> {
        let values = S::input_to_values(&input)?;
        let prediction = self.predictor.call(values, None).await?;
        cognate_core::from_values(&prediction.data, "ChainOfThought output")
    }
}
