//! The [`Module`] trait: anything that maps typed inputs to typed outputs through LM calls.

use std::future::Future;

use crate::Result;
use futures::StreamExt;

/// A module: `Predict`, `ChainOfThought`, or a whole program.
///
/// `forward` is ordinary async Rust; a program's `forward` may call other modules in loops,
/// branches or `tokio::join!`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Cognate module",
    note = "modules are `Predict<S>`, `ChainOfThought<S>`, `Predictor`, and types of your crate that implement `cognate::Module` (such as a `#[program]` struct)",
    note = "if `{Self}` is your `#[program]` struct, write its `forward`: `impl cognate::Module for {Self} {{ type Input = ...; type Output = ...; async fn forward(&self, input: Self::Input) -> cognate::Result<Self::Output> {{ ... }} }}`"
)]
pub trait Module: Send + Sync {
    /// What the module takes.
    type Input: Send + 'static;
    /// What the module returns.
    type Output: Send + 'static;

    /// Runs the module once.
    ///
    /// # Errors
    /// LM failures, unparsable replies and conversion failures (a [`crate::Error::Core`]),
    /// and whatever else the module reports as an [`Error`](crate::Error).
    ///
    /// # Cancel safety
    /// Dropping the future abandons the call; no state of the module changes.
    fn forward(&self, input: Self::Input) -> impl Future<Output = Result<Self::Output>> + Send;

    /// Runs the module on many inputs with at most `concurrency` calls in flight, returning
    /// the results in input order. `concurrency` 0 is treated as 1.
    ///
    /// # Cancel safety
    /// Dropping the future stops issuing new calls and abandons those in flight.
    fn batch(
        &self,
        inputs: Vec<Self::Input>,
        concurrency: usize,
    ) -> impl Future<Output = Vec<Result<Self::Output>>> + Send
    where
        Self: Sized,
    {
        async move {
            futures::stream::iter(inputs.into_iter().map(|input| self.forward(input)))
                .buffered(concurrency.max(1))
                .collect()
                .await
        }
    }
}
