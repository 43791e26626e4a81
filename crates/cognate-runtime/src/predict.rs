//! [`Predict`]: call a typed signature.

use std::marker::PhantomData;

use cognate_core::{Example, Result, Signature, Values};

use crate::module::Module;
use crate::predictor::{CallConfig, Predictor};

/// The basic module: formats a signature's inputs into a prompt, calls the LM and parses
/// the typed outputs.
///
/// Its instructions and demos are learnable state (optimizers set them); its LM, adapter
/// and call options can be set per module, else they come from the current
/// [`Settings`](crate::Settings).
pub struct Predict<S: Signature> {
    predictor: Predictor,
    _signature: PhantomData<fn() -> S>,
}

impl<S: Signature> Clone for Predict<S> {
    fn clone(&self) -> Self {
        Predict { predictor: self.predictor.clone(), _signature: PhantomData }
    }
}

impl<S: Signature> std::fmt::Debug for Predict<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Predict").field(&self.predictor).finish()
    }
}

impl<S: Signature> Default for Predict<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Signature> Predict<S> {
    crate::predictor::predictor_wrapper_methods!();

    /// A predictor for `S` with no demos.
    ///
    /// If `S`'s descriptor cannot be built (a field type with no DSPy equivalent, see
    /// [`Signature::try_descriptor`]), every call returns that [`Error::UnsupportedType`](cognate_core::Error::UnsupportedType);
    /// [`Predict::try_new`] reports it here instead.
    pub fn new() -> Self {
        let predictor = match S::try_descriptor() {
            Ok(desc) => Predictor::new(desc.clone()),
            Err(e) => Predictor::unsupported(std::any::type_name::<S>(), e),
        };
        Predict { predictor, _signature: PhantomData }
    }

    /// A predictor for `S` with no demos.
    ///
    /// # Errors
    /// [`Error::UnsupportedType`](cognate_core::Error::UnsupportedType) if a field type of `S`
    /// has no DSPy equivalent.
    pub fn try_new() -> Result<Self> {
        Ok(Predict { predictor: Predictor::new(S::try_descriptor()?.clone()), _signature: PhantomData })
    }

    /// A demo from typed inputs and outputs.
    ///
    /// # Errors
    /// [`cognate_core::Error::Conversion`] if either does not serialize to an object;
    /// [`cognate_core::Error::UnsupportedType`] if a field type of `S` has no DSPy equivalent.
    pub fn demo(input: &S::Input, output: &S::Output) -> Result<Example> {
        let inputs = S::try_descriptor()?.input_names();
        let mut data = S::input_to_values(input)?;
        data.extend(cognate_core::to_values(output, std::any::type_name::<S::Output>())?);
        Ok(Example::new(data).with_inputs(inputs))
    }

    /// Calls the LM with per-call option overrides.
    ///
    /// # Errors
    /// As [`Predictor::call`], plus a conversion error if the parsed outputs do not fit `S::Output`.
    pub async fn call_with(&self, input: S::Input, overrides: &CallConfig) -> Result<S::Output> {
        let values = S::input_to_values(&input)?;
        let prediction = self.predictor.call(values, Some(overrides)).await?;
        S::output_from_values(&prediction.data)
    }

    /// Calls with untyped inputs and returns the untyped prediction (every completion when `n > 1`).
    ///
    /// # Errors
    /// As [`Predictor::call`].
    pub async fn call_values(&self, inputs: Values) -> Result<cognate_core::Prediction> {
        self.predictor.call(inputs, None).await
    }
}

impl<S: Signature> Module for Predict<S> {
    type Input = S::Input;
    type Output = S::Output;

    async fn forward(&self, input: S::Input) -> crate::Result<S::Output> {
        let values = S::input_to_values(&input)?;
        let prediction = self.predictor.call(values, None).await?;
        Ok(S::output_from_values(&prediction.data)?)
    }
}

/// An untyped predictor is a module over dynamic values (for runtime string signatures).
impl Module for Predictor {
    type Input = Values;
    type Output = cognate_core::Prediction;

    async fn forward(&self, input: Values) -> crate::Result<cognate_core::Prediction> {
        Ok(self.call(input, None).await?)
    }
}
