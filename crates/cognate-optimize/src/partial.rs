//! [`PartialOptimization`]: what an optimizer has when an LM budget stops it
//! ([`Error::BudgetExceeded`](crate::Error::BudgetExceeded)).
//!
//! An optimizer stopped by a spent [`Budget`](cognate_lm::Budget) returns the trials it
//! finished and the best it found so far, so the money spent is not lost: use the best
//! program as it is, or resume the run from its [`Checkpoint`](crate::Checkpoint) with a larger
//! budget (finished work is replayed without calling the LM).

use cognate_core::BudgetLimit;
use cognate_runtime::{Component, ComponentExt, Configuration, SearchSpace};

use crate::program::{DemoSets, reset_copy, set_demos};
use crate::report::OptimizationReport;

/// What an optimizer stopped by an LM budget has: its report so far and its best program so
/// far (as demos, or as a configuration of the search space).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PartialOptimization {
    /// The trials finished before the stop, with their scores and LM usage; `best` points at
    /// the best scored one, if any. (The trial cut by the stop is not in it.)
    pub report: OptimizationReport,
    /// The best score so far (DSPy's percentage), when a trial was scored.
    pub best_score: Option<f64>,
    /// The demos of the best program so far, by predictor path: the best candidate's for
    /// `BootstrapFewShotWithRandomSearch`, the student trained on the demos bootstrapped so far
    /// for `BootstrapFewShot`. [`program`](Self::program) applies them.
    pub best_demos: Option<DemoSets>,
    /// The best configuration so far, for `VariableSearch`; apply it with
    /// [`apply_config`](Self::apply_config) (or [`SearchSpace::apply`]).
    pub best_config: Option<Configuration>,
}

impl PartialOptimization {
    /// A partial result with `report` and nothing best yet.
    pub(crate) fn new(report: OptimizationReport) -> Self {
        PartialOptimization { report, best_score: None, best_demos: None, best_config: None }
    }

    /// The best program so far built from `student`: a copy with its demos cleared and the
    /// best demos set, when the optimizer found demos.
    pub fn program<P: ComponentExt + Clone>(&self, student: &P) -> Option<P> {
        let demos = self.best_demos.as_ref()?;
        let mut program = reset_copy(student);
        set_demos(&mut program, demos);
        Some(program)
    }

    /// Applies the best configuration so far to `program` (built from the same program as
    /// `space`); `Ok(false)` when there is none.
    ///
    /// # Errors
    /// As [`SearchSpace::apply`]: a configuration that does not fit the program.
    pub fn apply_config<P: Component + ?Sized>(
        &self,
        space: &SearchSpace,
        program: &mut P,
    ) -> cognate_runtime::Result<bool> {
        match &self.best_config {
            Some(config) => space.apply(config, program).map(|()| true),
            None => Ok(false),
        }
    }
}

/// The tail of [`Error::BudgetExceeded`](crate::Error::BudgetExceeded)'s message: how much was
/// finished and the best score.
pub(crate) fn describe(partial: &PartialOptimization) -> String {
    let trials = partial.report.trials.len();
    match partial.best_score {
        Some(score) => format!("{trials} trials finished, best score {score:.2}"),
        None => format!("{trials} trials finished"),
    }
}

/// The budget limit that stopped an evaluation or a program run, if one did.
pub(crate) fn budget_limit_of(error: &crate::Error) -> Option<(BudgetLimit, Option<&str>)> {
    match error {
        crate::Error::BudgetExceeded { limit, stopped_at, .. } => Some((*limit, Some(stopped_at))),
        crate::Error::Eval(eval) => eval.budget_limit().map(|limit| (limit, None)),
        crate::Error::Program(program) => program.budget_limit().map(|limit| (limit, None)),
        _ => None,
    }
}
