//! [`Ensemble`]: one program out of many, whose outputs are reduced (by default DSPy's
//! `majority` vote) — DSPy's `dspy.Ensemble`.

use std::sync::Mutex;

use cognate_core::Prediction;
use cognate_runtime::Result;
use cognate_runtime::{Component, Module, Visitor, VisitorMut};
use serde::Serialize;

use crate::pyrandom::PyRandom;

/// Combines programs into an [`EnsembledProgram`] that runs them all (or a random `size` of
/// them) on the same input and reduces their outputs with a [`Reduce`]: [`Majority`] (DSPy's
/// `dspy.majority`), [`Outputs`] (all outputs, DSPy's `reduce_fn=None`), or a closure
/// ([`reduce_fn`]).
///
/// Sampling `size` programs uses a [`PyRandom`] seeded at compile time
/// ([`with_seed`](Self::with_seed), default 0). With
/// [`with_deterministic(true)`](Self::with_deterministic) the sample is drawn from a generator
/// seeded by a hash of the input instead, so the same input always meets the same programs
/// (DSPy leaves `deterministic=True` unimplemented).
///
/// ```
/// use cognate_optimize::{Ensemble, ensemble::Majority};
/// let ensemble = Ensemble::new(Majority::default()).with_size(3);
/// assert_eq!(ensemble.size(), Some(3));
/// ```
#[derive(Debug, Clone)]
pub struct Ensemble<R> {
    reduce: R,
    size: Option<usize>,
    deterministic: bool,
    seed: i64,
}

impl<R> Ensemble<R> {
    /// An ensemble reducing with `reduce`, using every program.
    pub fn new(reduce: R) -> Self {
        Ensemble { reduce, size: None, deterministic: false, seed: 0 }
    }

    /// Runs a random `size` of the programs per call (`None`: all; DSPy's `size`).
    #[must_use]
    pub fn with_size(mut self, size: impl Into<Option<usize>>) -> Self {
        self.size = size.into();
        self
    }

    /// Samples the programs from the input's hash instead of a running generator.
    #[must_use]
    pub fn with_deterministic(mut self, deterministic: bool) -> Self {
        self.deterministic = deterministic;
        self
    }

    /// Seeds the sampling generator (default 0).
    #[must_use]
    pub fn with_seed(mut self, seed: i64) -> Self {
        self.seed = seed;
        self
    }

    /// The sample size.
    pub fn size(&self) -> Option<usize> {
        self.size
    }

    /// The ensembled program.
    ///
    /// # Errors
    /// [`Error::Config`](crate::Error::Config) if `programs` is empty.
    pub fn compile<P>(self, programs: Vec<P>) -> crate::Result<EnsembledProgram<P, R>> {
        if programs.is_empty() {
            return Err(crate::Error::Config("an ensemble needs at least one program".into()));
        }
        Ok(EnsembledProgram {
            programs,
            reduce: self.reduce,
            size: self.size,
            deterministic: self.deterministic,
            rng: Mutex::new(PyRandom::new(self.seed)),
            seed: self.seed,
        })
    }
}

/// Reduces the outputs of an ensemble's programs.
pub trait Reduce<O>: Send + Sync {
    /// The ensemble's output.
    type Output: Send + 'static;

    /// Reduces `outputs` (in program order; never empty).
    ///
    /// # Errors
    /// When the outputs cannot be reduced.
    fn reduce(&self, outputs: Vec<O>) -> Result<Self::Output>;
}

/// Keeps every output (DSPy's `reduce_fn=None`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Outputs;

impl<O: Send + 'static> Reduce<O> for Outputs {
    type Output = Vec<O>;

    fn reduce(&self, outputs: Vec<O>) -> Result<Vec<O>> {
        Ok(outputs)
    }
}

/// DSPy's `dspy.majority`: the most common value of one output field (by default the last
/// field of the output), compared after DSPy's `normalize_text`; values that normalize to
/// nothing are ignored unless all do; ties go to the value seen first. Returns the first output
/// holding the winning value.
#[derive(Debug, Clone, Default)]
pub struct Majority {
    field: Option<String>,
}

impl Majority {
    /// Votes on `field` instead of the last output field.
    #[must_use]
    pub fn on(field: impl Into<String>) -> Self {
        Majority { field: Some(field.into()) }
    }
}

impl<O: Serialize + Send + 'static> Reduce<O> for Majority {
    type Output = O;

    fn reduce(&self, outputs: Vec<O>) -> Result<O> {
        let mut keys = Vec::with_capacity(outputs.len());
        for output in &outputs {
            let values = match (output as &dyn std::any::Any).downcast_ref::<Prediction>() {
                Some(prediction) => prediction.data.clone(),
                None => cognate_core::to_values(output, std::any::type_name::<O>())?,
            };
            let field = match &self.field {
                Some(field) => field.clone(),
                None => values.keys().next_back().cloned().unwrap_or_default(),
            };
            let text = match values.get(&field) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            let normalized = cognate_eval::metrics::normalize_text(&text);
            keys.push(if normalized.is_empty() { None } else { Some(normalized) });
        }
        let voting: Vec<Option<String>> = if keys.iter().any(Option::is_some) {
            keys.iter().filter(|k| k.is_some()).cloned().collect()
        } else {
            keys.clone()
        };
        let mut counts: Vec<(Option<String>, usize)> = Vec::new();
        for key in voting {
            match counts.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => *n += 1,
                None => counts.push((key, 1)),
            }
        }
        let mut winner = &counts[0];
        for entry in &counts[1..] {
            if entry.1 > winner.1 {
                winner = entry;
            }
        }
        let position = keys.iter().position(|k| *k == winner.0).unwrap_or(0);
        Ok(outputs.into_iter().nth(position).unwrap_or_else(|| unreachable!("position is in range")))
    }
}

/// A closure as a [`Reduce`] (see [`reduce_fn`]).
#[derive(Debug, Clone, Copy)]
pub struct ReduceFn<F>(F);

/// Wraps `f(outputs) -> Result<T>` as a [`Reduce`].
pub fn reduce_fn<O, T, F>(f: F) -> ReduceFn<F>
where
    F: Fn(Vec<O>) -> Result<T> + Send + Sync,
{
    ReduceFn(f)
}

impl<O, T: Send + 'static, F> Reduce<O> for ReduceFn<F>
where
    F: Fn(Vec<O>) -> Result<T> + Send + Sync,
{
    type Output = T;

    fn reduce(&self, outputs: Vec<O>) -> Result<T> {
        (self.0)(outputs)
    }
}

/// The program [`Ensemble::compile`] returns. Its predictors are its programs' under
/// `programs[i]`, as in DSPy.
#[derive(Debug)]
pub struct EnsembledProgram<P, R> {
    programs: Vec<P>,
    reduce: R,
    size: Option<usize>,
    deterministic: bool,
    rng: Mutex<PyRandom>,
    seed: i64,
}

impl<P: Clone, R: Clone> Clone for EnsembledProgram<P, R> {
    fn clone(&self) -> Self {
        EnsembledProgram {
            programs: self.programs.clone(),
            reduce: self.reduce.clone(),
            size: self.size,
            deterministic: self.deterministic,
            rng: Mutex::new(PyRandom::new(self.seed)),
            seed: self.seed,
        }
    }
}

impl<P, R> EnsembledProgram<P, R> {
    /// The programs.
    pub fn programs(&self) -> &[P] {
        &self.programs
    }

    /// The indices of the programs to run for an input hashing to `hash`.
    fn chosen(&self, hash: u64) -> Vec<usize> {
        let n = self.programs.len();
        match self.size {
            Some(size) if size > 0 => {
                let size = size.min(n);
                if self.deterministic {
                    PyRandom::new((hash >> 1) as i64).sample_indices(n, size)
                } else {
                    self.rng.lock().unwrap_or_else(std::sync::PoisonError::into_inner).sample_indices(n, size)
                }
            }
            _ => (0..n).collect(),
        }
    }
}

impl<P, R> Module for EnsembledProgram<P, R>
where
    P: Module,
    P::Input: Clone + Serialize,
    R: Reduce<P::Output>,
{
    type Input = P::Input;
    type Output = R::Output;

    async fn forward(&self, input: P::Input) -> Result<R::Output> {
        let hash = if self.deterministic { input_hash(&input) } else { 0 };
        let mut outputs = Vec::new();
        for index in self.chosen(hash) {
            outputs.push(self.programs[index].forward(input.clone()).await?);
        }
        self.reduce.reduce(outputs)
    }
}

impl<P: Component, R> Component for EnsembledProgram<P, R> {
    fn visit<'a>(&'a self, path: &str, visitor: &mut dyn Visitor<'a>) {
        self.programs.visit(&cognate_runtime::program::child_path(path, "programs"), visitor);
    }

    fn visit_mut<'a>(&'a mut self, path: &str, visitor: &mut dyn VisitorMut<'a>) {
        self.programs.visit_mut(&cognate_runtime::program::child_path(path, "programs"), visitor);
    }
}

fn input_hash<T: Serialize>(input: &T) -> u64 {
    let bytes = serde_json::to_vec(input).unwrap_or_default();
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}
