//! The [`Program`] trait: what `#[program]` implements.

use std::future::Future;

use crate::Result;
use futures::StreamExt;
use tracing::Instrument;

use cognate_core::Signature;

use super::component::{Component, ComponentExt};
use super::paths::{self, Placement};
use crate::chain_of_thought::ChainOfThought;
use crate::module::Module;
use crate::predict::Predict;
use crate::predictor::Predictor;

/// A program: a struct of modules and variables (a [`Component`]) with a `forward` (a
/// [`Module`]), that optimizers can inspect, copy and tune.
///
/// `#[program]` implements it (and [`Component`]); you write the struct and
/// `impl Module for YourProgram`. The built-in modules [`Predict`], [`ChainOfThought`] and
/// [`Predictor`] are programs in their own right (as `dspy.Predict` is a module), so
/// `Evaluate` and every optimizer take them directly, with no wrapper. Learnable state is deep-copied by [`Clone`]: a clone has its
/// own instructions, demos, call options and variable values, and shares LMs and adapters
/// (they are `Arc`s), as DSPy's `deepcopy` of a program shares its LMs.
///
/// Run a program with [`Program::call`] rather than `forward`: it opens a
/// `cognate::program` span and names every LM call after its predictor's path.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Cognate program",
    label = "not a `#[program]`",
    note = "the built-in modules `Predict<S>`, `ChainOfThought<S>` and `Predictor` are programs already: pass one of them directly",
    note = "for your own program, put `#[program]` on a struct of your crate (fields: modules, variables, sub-programs, or `#[skip]` data), derive `Clone` and implement `cognate::Module` for it"
)]
pub trait Program: Component + Module + Clone + Send + Sync + 'static {
    /// The program's type name (the struct's name, without generic arguments), as DSPy
    /// names a module by its class.
    fn type_name(&self) -> &'static str;

    /// Sets every predictor's [`name`](crate::Predictor::name) to its path in this program
    /// (`generate_answer.predict`), so calls made through `forward` directly, outside
    /// [`Program::call`], are traced under their paths too.
    fn bind_paths(&mut self) {
        for (path, predictor) in self.named_predictors_mut() {
            predictor.name = Some(path);
        }
    }

    /// Runs `forward` inside an `info` span `program` on target `cognate::program`, with
    /// fields `program` (the type name) and `path` (where it sits in an enclosing program,
    /// when it is called from one). Every LM call made inside is named after its predictor's
    /// path in the outermost program being called (`sub.answer`), in its `lm_call` span and in
    /// trace entries. A predictor's [`name`](crate::Predictor::name) is used instead only when
    /// it extends that path (`sub.answer` where this call knows `answer`: the name was bound by
    /// an enclosing program that calls this one from a plain `forward`).
    ///
    /// # Errors
    /// Whatever `forward` returns.
    ///
    /// # Cancel safety
    /// Dropping the future drops `forward`'s; the program is not changed.
    fn call(&self, input: Self::Input) -> impl Future<Output = Result<Self::Output>> + Send {
        let type_name = self.type_name();
        let span = tracing::info_span!(
            target: "cognate::program",
            "program",
            program = type_name,
            path = tracing::field::Empty,
        );
        let root = match paths::placement(self) {
            Placement::Nested { path } => {
                if let Some(path) = &path {
                    span.record("path", path.as_str());
                }
                None
            }
            Placement::Root(map) => Some(map),
        };
        let fut = self.forward(input);
        async move {
            let result = match root {
                Some(map) => paths::scope(map, fut).await,
                None => fut.await,
            };
            if let Err(error) = &result {
                tracing::debug!(target: "cognate::program", program = type_name, %error, "program failed");
            }
            result
        }
        .instrument(span)
    }

    /// [`Program::call`] on many inputs with at most `concurrency` calls in flight, returning
    /// the results in input order (`concurrency` 0 is treated as 1). Each call has its own
    /// span, as `Module::batch` does for `forward`.
    ///
    /// # Cancel safety
    /// Dropping the future stops issuing new calls and abandons those in flight.
    fn call_batch(
        &self,
        inputs: Vec<Self::Input>,
        concurrency: usize,
    ) -> impl Future<Output = Vec<Result<Self::Output>>> + Send {
        futures::stream::iter(inputs.into_iter().map(|input| self.call(input))).buffered(concurrency.max(1)).collect()
    }
}

/// A bare [`Predict`] is a program of one predictor, at DSPy's path `self`.
impl<S: Signature> Program for Predict<S> {
    fn type_name(&self) -> &'static str {
        "Predict"
    }
}

/// A bare [`ChainOfThought`] is a program of one predictor, at DSPy's path `predict`.
impl<S: Signature> Program for ChainOfThought<S> {
    fn type_name(&self) -> &'static str {
        "ChainOfThought"
    }
}

/// An untyped [`Predictor`] is a program of one predictor, at DSPy's path `self` (it is
/// DSPy's `dspy.Predict`). Its inherent [`Predictor::call`] takes call options; the trait's
/// is `Program::call(&predictor, inputs)`.
impl Program for Predictor {
    fn type_name(&self) -> &'static str {
        "Predict"
    }
}
