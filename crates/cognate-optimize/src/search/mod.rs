//! [`VariableSearch`]: tunes any program's [`SearchSpace`] — declared variables, module
//! choices, and every predictor's instructions, demo sets, adapter, temperature and LM — by
//! evaluating configurations on a training set with random search, grid search or TPE.
//!
//! The search itself is an ask-and-tell [`Study`] that knows nothing about programs; use it
//! directly to optimize anything scored by a closure.
//!
//! ```
//! use std::sync::Arc;
//! use cognate_core::{Example, SignatureDesc};
//! use cognate_optimize::search::{Sampler, VariableSearch};
//! use cognate_runtime::{Predictor, SearchSpace, Settings};
//! use cognate_testing::MockLm;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> cognate_optimize::Result<()> {
//! let mut program = Predictor::new(SignatureDesc::parse("question -> answer").unwrap());
//! program.set_instructions("Answer in French.");
//! // The LM answers well only when told to answer in English.
//! let lm = MockLm::from_fn(|request| {
//!     let english = request.messages[0].content.contains("English");
//!     Ok(format!("[[ ## answer ## ]]\n{}\n\n[[ ## completed ## ]]", if english { "Paris" } else { "?" }))
//! });
//! // A predictor at the root is called `self`, as in DSPy.
//! let mut space = SearchSpace::of(&program).only(["self.instructions"]);
//! space.add_instruction_candidate("self.instructions", "Answer in English.")?;
//! let trainset = vec![Example::default().with("question", "Capital of France?").with("answer", "Paris").with_inputs(["question"])];
//! let metric = |e: &Example, p: &cognate_core::Prediction| e.get("answer") == p.get("answer");
//! let search = VariableSearch::new(metric).with_sampler(Sampler::grid());
//! let optimized = Settings::default()
//!     .with_lm(Arc::new(lm))
//!     .scope(search.compile_space(&program, space, &trainset))
//!     .await?;
//! assert_eq!(optimized.program.instructions(), "Answer in English.");
//! assert_eq!(optimized.report.trials.len(), 2);
//! assert_eq!(optimized.report.best_trial().unwrap().score, Some(100.0));
//! # Ok(()) }
//! ```

mod params;
mod study;
pub mod tpe;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use cognate_core::Example;
use cognate_eval::{Evaluate, InfraPolicy, Metric};
use cognate_runtime::variable::{Configuration, SearchSpace};
use cognate_runtime::{Component, Module};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use study::{Sampler, Study};
pub use tpe::Tpe;

use crate::partial::{PartialOptimization, budget_limit_of};
use crate::{Checkpoint, Error, OptimizationReport, Optimized, Result, Trial};

/// Searches a program's variables for the configuration scoring best on a training set.
///
/// Each trial applies a configuration to a clone of the program and runs
/// [`Evaluate`] with the metric on the training set; the trial's score is the average score
/// as a percentage (DSPy's scale), maximized. A configuration proposed again (common with
/// few categorical variables) reuses its earlier score without calling the LM. An LM outage
/// never scores a trial as bad: under the default [`InfraPolicy`] examples that hit
/// infrastructure errors are left out of the trial's score, and the search fails with
/// [`Error::Eval`]([`cognate_eval::Error::Infrastructure`]) when more than 5% of a trial's
/// examples hit one (see [`with_infra_policy`](Self::with_infra_policy)).
///
/// When an LM [`Budget`](cognate_lm::Budget) runs out, the search stops with
/// [`Error::BudgetExceeded`] at the trial it cut (`trial/<n>`), with the finished trials and
/// the best configuration and score so far; with a checkpoint, the same search with a larger
/// budget resumes after the last finished trial and proposes what an uninterrupted run would.
///
/// Defaults: [`Sampler::tpe`] (Optuna's defaults), 30 trials (the whole grid for
/// [`Sampler::Grid`]), seed 0, evaluation concurrency 16, no checkpoint.
#[derive(Debug)]
pub struct VariableSearch<Me> {
    evaluate: Evaluate<Me>,
    sampler: Sampler,
    n_trials: Option<usize>,
    seed: u64,
    max_rejections: usize,
    checkpoint: Option<PathBuf>,
}

/// What a [`Checkpoint`] holds for a finished trial (key `trial/<n>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct TrialRecord {
    config: Configuration,
    score: f64,
    lm_calls: u64,
    prompt_tokens: u64,
    completion_tokens: u64,
    wall_time: f64,
}

impl<Me: Metric> VariableSearch<Me> {
    /// A search maximizing `metric`, with the defaults above.
    pub fn new(metric: Me) -> Self {
        VariableSearch {
            evaluate: Evaluate::new(metric).with_progress(false),
            sampler: Sampler::default(),
            n_trials: None,
            seed: 0,
            max_rejections: 1000,
            checkpoint: None,
        }
    }

    /// Sets the sampler.
    #[must_use]
    pub fn with_sampler(mut self, sampler: Sampler) -> Self {
        self.sampler = sampler;
        self
    }

    /// Sets the number of trials (for a grid: the most points evaluated).
    #[must_use]
    pub fn with_trials(mut self, n_trials: usize) -> Self {
        self.n_trials = Some(n_trials);
        self
    }

    /// Sets the seed of the sampler.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets how many examples are evaluated at once within a trial (default 16).
    #[must_use]
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.evaluate = self.evaluate.with_concurrency(concurrency);
        self
    }

    /// Stops a trial's evaluation (and the search, with an error) when its failed examples
    /// reach `max_errors` (default [`DEFAULT_MAX_ERRORS`](cognate_eval::DEFAULT_MAX_ERRORS),
    /// 10; `None`: never), as [`Evaluate::with_max_errors`](cognate_eval::Evaluate::with_max_errors).
    #[must_use]
    pub fn with_max_errors(mut self, max_errors: impl Into<Option<usize>>) -> Self {
        self.evaluate = self.evaluate.with_max_errors(max_errors);
        self
    }

    /// Sets what examples that hit infrastructure errors do in each trial's evaluation
    /// (default [`InfraPolicy::Fail`] above 5%).
    #[must_use]
    pub fn with_infra_policy(mut self, policy: InfraPolicy) -> Self {
        self.evaluate = self.evaluate.with_infra_policy(policy);
        self
    }

    /// Sets how many proposals breaking a constraint are rejected per trial (default 1000).
    #[must_use]
    pub fn with_max_rejections(mut self, max_rejections: usize) -> Self {
        self.max_rejections = max_rejections;
        self
    }

    /// Records each finished trial (configuration, score, cost) in a JSON Lines
    /// [`Checkpoint`] at `path`. A run with the same program, space, sampler, seed and data
    /// resumes from it: finished trials are replayed into the sampler without being evaluated
    /// again, so the run proposes exactly what an uninterrupted one would.
    #[must_use]
    pub fn with_checkpoint(mut self, path: impl Into<PathBuf>) -> Self {
        self.checkpoint = Some(path.into());
        self
    }

    /// Searches `program`'s whole [`SearchSpace`] (see [`compile_space`](Self::compile_space)).
    ///
    /// # Errors
    /// As [`compile_space`](Self::compile_space).
    pub async fn compile<P>(&self, program: &P, trainset: &[Example]) -> Result<Optimized<P>>
    where
        P: Module + Component + Clone,
        P::Input: DeserializeOwned,
        P::Output: Serialize,
    {
        self.compile_space(program, SearchSpace::of(program), trainset).await
    }

    /// Searches `space` (built from `program`, possibly narrowed with
    /// [`SearchSpace::only`]/[`exclude`](SearchSpace::exclude) or given more candidates) and
    /// returns a clone of `program` with the best configuration applied, plus the report.
    /// With no trial run (zero trials, or a grid whose every point breaks a constraint),
    /// returns an unchanged clone.
    ///
    /// # Errors
    /// [`Error::Config`] for an empty training set; [`Error::Program`] when the sampler finds
    /// no configuration satisfying the constraints or a configuration cannot be applied;
    /// [`Error::Eval`] when an evaluation reaches its error budget or fails for infrastructure
    /// reasons; [`Error::BudgetExceeded`] when the LM budget runs out; checkpoint errors.
    ///
    /// # Cancel safety
    /// Dropping the future abandons the trial in flight; finished trials are in the
    /// checkpoint, if any.
    pub async fn compile_space<P>(&self, program: &P, space: SearchSpace, trainset: &[Example]) -> Result<Optimized<P>>
    where
        P: Module + Component + Clone,
        P::Input: DeserializeOwned,
        P::Output: Serialize,
    {
        let what = std::any::type_name::<P::Input>();
        self.compile_space_with(program, space, trainset, move |e: &Example| {
            Ok(cognate_core::from_values(&e.inputs(), what)?)
        })
        .await
    }

    /// Like [`compile_space`](Self::compile_space), building each program input from an
    /// example with `to_input`.
    ///
    /// # Errors
    /// As [`compile_space`](Self::compile_space).
    ///
    /// # Cancel safety
    /// As [`compile_space`](Self::compile_space).
    pub async fn compile_space_with<P, F>(
        &self,
        program: &P,
        space: SearchSpace,
        trainset: &[Example],
        to_input: F,
    ) -> Result<Optimized<P>>
    where
        P: Module + Component + Clone,
        P::Output: Serialize,
        F: Fn(&Example) -> cognate_runtime::Result<P::Input> + Send + Sync,
    {
        if trainset.is_empty() {
            return Err(Error::Config("variable search needs a non-empty training set".into()));
        }
        let started = Instant::now();
        let checkpoint = self.checkpoint.as_ref().map(Checkpoint::open).transpose()?;
        let mut study = Study::new(space, self.sampler, self.seed).with_max_rejections(self.max_rejections);
        let n_trials = match (self.n_trials, self.sampler) {
            (Some(n), _) => n,
            (None, Sampler::Grid { .. }) => usize::try_from(study.grid_size()).unwrap_or(usize::MAX),
            (None, _) => 30,
        };
        let mut report = OptimizationReport::new("VariableSearch");
        for index in 0..n_trials {
            let Some(config) = study.ask()? else { break };
            let id = format!("trial/{index}");
            let (trial, score) = match checkpoint.as_ref().map(|c| c.get_as::<TrialRecord>(&id)).transpose()?.flatten()
            {
                Some(record) => {
                    if record.config != config {
                        return Err(Error::CheckpointMismatch {
                            id,
                            message: format!(
                                "recorded configuration {} differs from the proposed {config}: \
                                 the checkpoint was written by another search",
                                record.config
                            ),
                        });
                    }
                    (record.to_trial(&id, true), record.score)
                }
                None => {
                    let record = match self.run_trial(program, &study, config.clone(), trainset, &to_input).await {
                        Ok(record) => record,
                        Err(error) => return Err(budget_stop(error, &id, report, &study, started)),
                    };
                    if let Some(checkpoint) = &checkpoint {
                        checkpoint.record(&id, &record)?;
                    }
                    (record.to_trial(&id, false), record.score)
                }
            };
            let (resumed, trial_config) = (trial.resumed, trial.config.to_string());
            report.push(trial);
            study.tell(config, score);
            let best = study.best().map_or(score, |(_, best)| best);
            tracing::info!(
                target: "cognate::optimize",
                optimizer = "VariableSearch", trial = index, done = index + 1, total = n_trials, score, best, resumed,
                config = %trial_config, "trial finished: {}/{n_trials} trials, score {score:.3}, best {best:.3}", index + 1
            );
        }
        report.best = report.best_by_score();
        let mut best = program.clone();
        if let Some((config, _)) = study.best() {
            study.space().apply(config, &mut best)?;
        }
        report.wall_time = started.elapsed();
        Ok(Optimized::new(best, report))
    }

    /// Evaluates `config` (or reuses the score of an identical earlier trial).
    async fn run_trial<P, F>(
        &self,
        program: &P,
        study: &Study,
        config: Configuration,
        trainset: &[Example],
        to_input: &F,
    ) -> Result<TrialRecord>
    where
        P: Module + Component + Clone,
        P::Output: Serialize,
        F: Fn(&Example) -> cognate_runtime::Result<P::Input> + Send + Sync,
    {
        if let Some((_, score)) = study.history().iter().find(|(done, _)| *done == config) {
            return Ok(TrialRecord {
                config,
                score: *score,
                lm_calls: 0,
                prompt_tokens: 0,
                completion_tokens: 0,
                wall_time: 0.0,
            });
        }
        let started = Instant::now();
        let mut candidate = program.clone();
        study.space().apply(&config, &mut candidate)?;
        let result = self.evaluate.run_with(&candidate, trainset, to_input).await?;
        let s = &result.summary;
        Ok(TrialRecord {
            config,
            score: s.percent(),
            lm_calls: s.lm_calls + s.metric_usage.calls,
            prompt_tokens: s.prompt_tokens + s.metric_usage.prompt_tokens,
            completion_tokens: s.completion_tokens + s.metric_usage.completion_tokens,
            wall_time: started.elapsed().as_secs_f64(),
        })
    }
}

impl TrialRecord {
    fn to_trial(&self, id: &str, resumed: bool) -> Trial {
        let mut trial = Trial::new(id, serde_json::Value::Object(self.config.as_map().clone())).with_score(self.score);
        if !resumed {
            trial.lm_calls = self.lm_calls;
            trial.prompt_tokens = self.prompt_tokens;
            trial.completion_tokens = self.completion_tokens;
            trial.wall_time = Duration::try_from_secs_f64(self.wall_time).unwrap_or_default();
        }
        trial.resumed = resumed;
        trial
    }
}

/// `error` as the search's [`Error::BudgetExceeded`] when an LM budget caused it (cutting
/// trial `id`), with the finished trials and the best configuration so far; other errors
/// unchanged.
fn budget_stop(error: Error, id: &str, mut report: OptimizationReport, study: &Study, started: Instant) -> Error {
    let Some((limit, _)) = budget_limit_of(&error) else { return error };
    report.best = report.best_by_score();
    report.wall_time = started.elapsed();
    let mut partial = PartialOptimization::new(report);
    if let Some((config, score)) = study.best() {
        partial.best_score = Some(score);
        partial.best_config = Some(config.clone());
    }
    Error::BudgetExceeded { optimizer: "VariableSearch", limit, stopped_at: id.to_owned(), partial: Box::new(partial) }
}
