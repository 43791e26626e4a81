//! [`ChainOfThought`]: ask for step-by-step reasoning before the outputs.

use std::marker::PhantomData;

use cognate_core::{FieldDesc, Result, Signature, SignatureDesc, TypeDesc};
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
    crate::predictor::predictor_wrapper_methods!();

    /// A chain-of-thought predictor for `S`.
    ///
    /// If `S`'s descriptor cannot be built (a field type with no DSPy equivalent, see
    /// [`Signature::try_descriptor`]), every call returns that [`Error::UnsupportedType`](cognate_core::Error::UnsupportedType);
    /// [`ChainOfThought::try_new`] reports it here instead.
    pub fn new() -> Self {
        let predictor = match S::try_descriptor() {
            Ok(base) => Predictor::new(with_reasoning(base)),
            Err(e) => Predictor::unsupported(std::any::type_name::<S>(), e),
        };
        ChainOfThought { predictor, _signature: PhantomData }
    }

    /// A chain-of-thought predictor for `S`.
    ///
    /// # Errors
    /// [`Error::UnsupportedType`](cognate_core::Error::UnsupportedType) if a field type of `S`
    /// has no DSPy equivalent.
    pub fn try_new() -> Result<Self> {
        Ok(ChainOfThought { predictor: Predictor::new(with_reasoning(S::try_descriptor()?)), _signature: PhantomData })
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

/// `base` with DSPy 3.4.1's `reasoning` output first: no description, the inferred prefix
/// (`Reasoning:`), and default instructions that keep naming only the base outputs.
fn with_reasoning(base: &SignatureDesc) -> SignatureDesc {
    base.clone()
        .with_instructions(base.effective_instructions())
        .prepend_output(FieldDesc::new("reasoning", TypeDesc::Str))
}

impl<S: Signature> Module for ChainOfThought<S> {
    type Input = S::Input;
    type Output = WithReasoning<S::Output>;

    async fn forward(&self, input: S::Input) -> crate::Result<WithReasoning<S::Output>> {
        let values = S::input_to_values(&input)?;
        let prediction = self.predictor.call(values, None).await?;
        Ok(cognate_core::from_values(&prediction.data, "ChainOfThought output")?)
    }
}
