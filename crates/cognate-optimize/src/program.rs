//! Helpers shared by the optimizers: demo sets per predictor path, DSPy's `reset_copy`, building
//! a program's input from an [`Example`], and its output as a [`Prediction`].

use std::collections::BTreeMap;
use std::sync::Arc;

use cognate_core::{Example, Prediction, Values};
use cognate_runtime::ComponentExt;
use serde::de::DeserializeOwned;

use crate::report::OptimizationReport;

/// An optimizer's result: the optimized program and the report of how it was found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Optimized<P> {
    /// The optimized program.
    pub program: P,
    /// What was tried and what it cost.
    pub report: OptimizationReport,
}

impl<P> Optimized<P> {
    /// Pairs a program with its report.
    pub fn new(program: P, report: OptimizationReport) -> Self {
        Optimized { program, report }
    }
}

/// The demos of every predictor of a program, by DSPy path (each demo's fields as a map).
pub type DemoSets = BTreeMap<String, Vec<Values>>;

/// The demos of every predictor of `program`, by path.
pub fn demos_of<C: ComponentExt + ?Sized>(program: &C) -> DemoSets {
    program
        .named_predictors()
        .into_iter()
        .map(|(path, p)| (path, p.demos.iter().map(|d| d.data.clone()).collect()))
        .collect()
}

/// Sets the demos of every predictor named in `demos` (predictors not named keep theirs).
pub fn set_demos<C: ComponentExt + ?Sized>(program: &mut C, demos: &DemoSets) {
    for (path, predictor) in program.named_predictors_mut() {
        if let Some(set) = demos.get(&path) {
            predictor.demos = set.iter().cloned().map(Example::new).collect();
        }
    }
}

/// DSPy's `reset_copy`: a deep copy with every predictor's demos cleared. (DSPy also forgets
/// each predictor's own LM; Cognate keeps it, since it is configuration rather than learned.)
pub fn reset_copy<P: ComponentExt + Clone>(program: &P) -> P {
    let mut copy = program.clone();
    for (_, predictor) in copy.named_predictors_mut() {
        predictor.demos.clear();
    }
    copy
}

/// Builds a program's input from an example.
pub(crate) type ToInput<I> = Arc<dyn Fn(&Example) -> cognate_runtime::Result<I> + Send + Sync>;

/// The default [`ToInput`]: deserializes the example's inputs.
pub(crate) fn default_to_input<I: DeserializeOwned + 'static>() -> ToInput<I> {
    Arc::new(|example: &Example| Ok(cognate_core::from_values(&example.inputs(), std::any::type_name::<I>())?))
}

/// A metric borrowed, so one metric serves both bootstrapping and [`cognate_eval::Evaluate`].
pub(crate) struct MetricRef<'a, Me>(pub(crate) &'a Me);

impl<Me: cognate_eval::Metric> cognate_eval::Metric for MetricRef<'_, Me> {
    fn score(
        &self,
        example: &Example,
        prediction: &Prediction,
    ) -> impl std::future::Future<Output = cognate_runtime::Result<cognate_eval::Score>> + Send {
        self.0.score(example, prediction)
    }
}
