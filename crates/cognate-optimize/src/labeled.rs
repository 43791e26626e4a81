//! [`LabeledFewShot`]: demos sampled from the labeled training set (DSPy's
//! `dspy.LabeledFewShot`).

use std::time::Instant;

use cognate_core::Example;
use cognate_runtime::ComponentExt;

use crate::error::Result;
use crate::program::{Optimized, reset_copy};
use crate::pyrandom::PyRandom;
use crate::report::{OptimizationReport, Trial};

/// Gives every predictor `k` demos taken from the training set, as DSPy's `LabeledFewShot`
/// does: a copy of the student with its demos cleared, then for each predictor in path order
/// `random.Random(0).sample(trainset, min(k, len(trainset)))`, one generator shared by all
/// predictors (so a second predictor gets a different sample). With `sample = false` every
/// predictor gets the first `k` examples. An empty training set leaves the demos empty.
///
/// Makes no LM calls. The report has one trial describing the demos given. Its `compile` is
/// `async` and returns a `Result`, like every optimizer's, so optimizers are interchangeable
/// in generic code; it never waits and never fails today.
///
/// ```
/// use cognate_core::{Example, SignatureDesc};
/// use cognate_optimize::LabeledFewShot;
/// use cognate_runtime::Predictor;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> cognate_optimize::Result<()> {
/// let trainset: Vec<Example> = (0..10).map(|i| Example::default().with("question", format!("q{i}")).with("answer", i)).collect();
/// let student = Predictor::new(SignatureDesc::parse("question -> answer").unwrap());
/// let compiled = LabeledFewShot::new().with_k(3).compile(&student, &trainset).await?.program;
/// // Python: random.Random(0).sample(range(10), 3) == [6, 9, 0]
/// let picked: Vec<_> = compiled.demos.iter().map(|d| d.get("answer").unwrap().clone()).collect();
/// assert_eq!(picked, [6, 9, 0]);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabeledFewShot {
    k: usize,
    sample: bool,
}

impl Default for LabeledFewShot {
    fn default() -> Self {
        LabeledFewShot { k: 16, sample: true }
    }
}

impl LabeledFewShot {
    /// `k` = 16 demos per predictor, sampled (DSPy's defaults).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets how many demos each predictor gets (DSPy's `k`, default 16).
    #[must_use]
    pub fn with_k(mut self, k: usize) -> Self {
        self.k = k;
        self
    }

    /// Whether to sample (`true`, the default) or take the first `k` examples.
    #[must_use]
    pub fn with_sample(mut self, sample: bool) -> Self {
        self.sample = sample;
        self
    }

    /// The number of demos per predictor.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Returns a copy of `student` whose predictors hold demos from `trainset`.
    ///
    /// # Errors
    /// None today; the `Result` keeps the shape of every optimizer's `compile`.
    ///
    /// # Cancel safety
    /// The future completes on its first poll; `student` is never changed.
    pub async fn compile<P: ComponentExt + Clone>(&self, student: &P, trainset: &[Example]) -> Result<Optimized<P>> {
        Ok(self.labeled(student, trainset))
    }

    /// What [`compile`](Self::compile) returns, without the `async` (for the optimizers that
    /// start from labeled demos).
    pub(crate) fn labeled<P: ComponentExt + Clone>(&self, student: &P, trainset: &[Example]) -> Optimized<P> {
        let started = Instant::now();
        let mut program = reset_copy(student);
        self.assign(&mut program, trainset);
        let mut report = OptimizationReport::new("LabeledFewShot");
        let per_predictor = if trainset.is_empty() { 0 } else { self.k.min(trainset.len()) };
        let mut trial = Trial::new(
            "labeled",
            serde_json::json!({"k": self.k, "sample": self.sample, "demos_per_predictor": per_predictor}),
        );
        trial.wall_time = started.elapsed();
        report.push(trial);
        report.best = Some(0);
        report.wall_time = started.elapsed();
        Optimized::new(program, report)
    }

    /// Replaces every predictor's demos with a sample of `trainset`; an empty training set
    /// changes nothing (DSPy returns the reset copy as it is).
    pub(crate) fn assign<P: ComponentExt + ?Sized>(&self, program: &mut P, trainset: &[Example]) {
        if trainset.is_empty() {
            return;
        }
        let count = self.k.min(trainset.len());
        let mut rng = PyRandom::new(0);
        for (_, predictor) in program.named_predictors_mut() {
            predictor.demos = if self.sample { rng.sample(trainset, count) } else { trainset[..count].to_vec() };
        }
    }
}
