//! [`BootstrapFewShotWithRandomSearch`]: many bootstrapped candidate programs, each evaluated on
//! a validation set, the best kept (DSPy's `dspy.BootstrapFewShotWithRandomSearch`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use cognate_core::Example;
use cognate_eval::{DEFAULT_MAX_ERRORS, Evaluate, InfraPolicy, Metric};
use cognate_runtime::{Program, Settings};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::bootstrap::BootstrapFewShot;
use crate::checkpoint::Checkpoint;
use crate::error::{Error, Result};
use crate::labeled::LabeledFewShot;
use crate::partial::{PartialOptimization, budget_limit_of};
use crate::program::{DemoSets, MetricRef, Optimized, ToInput, default_to_input, demos_of, reset_copy, set_demos};
use crate::pyrandom::PyRandom;
use crate::report::{OptimizationReport, Trial};

/// Random search over bootstrapped demo sets, with DSPy's candidate scheme.
///
/// For `seed` in `-3..num_candidate_programs` (optionally [restricted](Self::with_restrict)):
///
/// | seed | candidate |
/// |---|---|
/// | -3 | zero-shot: the student with its demos cleared |
/// | -2 | labeled only: [`LabeledFewShot`] with `k = max_labeled_demos` |
/// | -1 | [`BootstrapFewShot`] on the training set in order, `max_bootstrapped_demos` |
/// | ≥ 0 | [`BootstrapFewShot`] on the training set shuffled with `random.Random(seed)`, with `max_bootstrapped_demos = random.Random(seed).randint(1, max_bootstrapped_demos)` |
///
/// Each candidate is scored with [`Evaluate`] on the validation set (the training set when
/// none is given), as DSPy's percentage rounded to 2 decimals; the first candidate with the
/// highest score wins. Examples whose LM call failed for infrastructure reasons are never
/// scored as wrong answers: the [`InfraPolicy`](Self::with_infra_policy) (default: fail the
/// search when more than 5% of a candidate's examples, or of the bootstrap's training
/// examples, hit one; otherwise leave them out of the score) applies to every bootstrap and
/// evaluation. With [`stop_at_score`](Self::with_stop_at_score) the search stops at the
/// first candidate reaching it.
///
/// The report has one trial per candidate (`candidate/<seed>`, config: seed, kind and demo
/// counts), with its score, LM calls (bootstrapping and evaluation), tokens and wall time;
/// `best` points at the winner. With [`with_checkpoint`](Self::with_checkpoint) each finished
/// candidate (score, per-example scores, demos) and each bootstrap attempt is recorded, and a
/// resumed search rebuilds finished candidates from their recorded demos without calling the LM.
///
/// When an LM [`Budget`](cognate_lm::Budget) runs out, in a bootstrap or an evaluation, the
/// search stops with [`Error::BudgetExceeded`]: `stopped_at` names the candidate cut
/// (`candidate/<seed>`, or `candidate/<seed>/bootstrap/<example>/<round>` when its bootstrap
/// was), and the partial result holds the finished candidates and the best so far (its score
/// and demos). With a checkpoint, the same search with a larger budget resumes after the last
/// finished candidate and bootstrap attempt.
pub struct BootstrapFewShotWithRandomSearch<Me> {
    metric: Me,
    metric_threshold: Option<f64>,
    teacher_settings: Option<Settings>,
    max_bootstrapped_demos: usize,
    max_labeled_demos: usize,
    max_rounds: usize,
    num_candidate_programs: usize,
    num_threads: usize,
    max_errors: Option<usize>,
    infra_policy: InfraPolicy,
    stop_at_score: Option<f64>,
    restrict: Option<Vec<i64>>,
    labeled_sample: bool,
    checkpoint_path: Option<PathBuf>,
}

impl<Me> std::fmt::Debug for BootstrapFewShotWithRandomSearch<Me> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BootstrapFewShotWithRandomSearch")
            .field("num_candidate_programs", &self.num_candidate_programs)
            .field("max_bootstrapped_demos", &self.max_bootstrapped_demos)
            .field("max_labeled_demos", &self.max_labeled_demos)
            .field("max_rounds", &self.max_rounds)
            .field("num_threads", &self.num_threads)
            .field("stop_at_score", &self.stop_at_score)
            .field("checkpoint", &self.checkpoint_path)
            .finish_non_exhaustive()
    }
}

/// What a checkpoint records for a finished candidate.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CandidateRecord {
    score: f64,
    subscores: Vec<f64>,
    demos: DemoSets,
    lm_calls: u64,
    prompt_tokens: u64,
    completion_tokens: u64,
}

impl<Me: Metric> BootstrapFewShotWithRandomSearch<Me> {
    /// DSPy's defaults: 16 candidate programs, 4 bootstrapped and 16 labeled demos, 1 round,
    /// 8 evaluation threads (DSPy's `settings.num_threads`), `max_errors`
    /// [`DEFAULT_MAX_ERRORS`] (10, DSPy's `settings.max_errors`), no threshold, no early stop.
    pub fn new(metric: Me) -> Self {
        BootstrapFewShotWithRandomSearch {
            metric,
            metric_threshold: None,
            teacher_settings: None,
            max_bootstrapped_demos: 4,
            max_labeled_demos: 16,
            max_rounds: 1,
            num_candidate_programs: 16,
            num_threads: 8,
            max_errors: Some(DEFAULT_MAX_ERRORS),
            infra_policy: InfraPolicy::default(),
            stop_at_score: None,
            restrict: None,
            labeled_sample: true,
            checkpoint_path: None,
        }
    }

    /// Candidates with seeds `0..n` after the three fixed ones (default 16).
    #[must_use]
    pub fn with_num_candidate_programs(mut self, n: usize) -> Self {
        self.num_candidate_programs = n;
        self
    }

    /// Examples evaluated at once (default 8).
    #[must_use]
    pub fn with_num_threads(mut self, n: usize) -> Self {
        self.num_threads = n.max(1);
        self
    }

    /// See [`BootstrapFewShot::with_max_bootstrapped_demos`]; also the upper bound of the
    /// seeded candidates' random sizes (default 4).
    #[must_use]
    pub fn with_max_bootstrapped_demos(mut self, n: usize) -> Self {
        self.max_bootstrapped_demos = n;
        self
    }

    /// See [`BootstrapFewShot::with_max_labeled_demos`] (default 16).
    #[must_use]
    pub fn with_max_labeled_demos(mut self, n: usize) -> Self {
        self.max_labeled_demos = n;
        self
    }

    /// See [`BootstrapFewShot::with_max_rounds`] (default 1).
    #[must_use]
    pub fn with_max_rounds(mut self, n: usize) -> Self {
        self.max_rounds = n;
        self
    }

    /// See [`BootstrapFewShot::with_metric_threshold`].
    #[must_use]
    pub fn with_metric_threshold(mut self, threshold: impl Into<Option<f64>>) -> Self {
        self.metric_threshold = threshold.into();
        self
    }

    /// See [`BootstrapFewShot::with_teacher_settings`].
    #[must_use]
    pub fn with_teacher_settings(mut self, settings: Settings) -> Self {
        self.teacher_settings = Some(settings);
        self
    }

    /// The error budget of each bootstrap and evaluation: each stops when its failures reach
    /// `max_errors` (default [`DEFAULT_MAX_ERRORS`]; `None`: never; see
    /// [`BootstrapFewShot::with_max_errors`]).
    #[must_use]
    pub fn with_max_errors(mut self, max_errors: impl Into<Option<usize>>) -> Self {
        self.max_errors = max_errors.into();
        self
    }

    /// Sets what examples that hit infrastructure errors do, in bootstraps and evaluations
    /// (default [`InfraPolicy::Fail`] above 5%).
    #[must_use]
    pub fn with_infra_policy(mut self, policy: InfraPolicy) -> Self {
        self.infra_policy = policy;
        self
    }

    /// Stops at the first candidate scoring at least `score` (a percentage).
    #[must_use]
    pub fn with_stop_at_score(mut self, score: impl Into<Option<f64>>) -> Self {
        self.stop_at_score = score.into();
        self
    }

    /// Only builds the candidates with these seeds (DSPy's `restrict`).
    #[must_use]
    pub fn with_restrict(mut self, seeds: impl IntoIterator<Item = i64>) -> Self {
        self.restrict = Some(seeds.into_iter().collect());
        self
    }

    /// Whether the labeled-only candidate samples its demos (default `true`).
    #[must_use]
    pub fn with_labeled_sample(mut self, sample: bool) -> Self {
        self.labeled_sample = sample;
        self
    }

    /// Records candidates and bootstrap attempts in a [`Checkpoint`] at `path`, and resumes from it.
    #[must_use]
    pub fn with_checkpoint(mut self, path: impl Into<PathBuf>) -> Self {
        self.checkpoint_path = Some(path.into());
        self
    }

    /// Searches, with `student` as its own teacher; `valset` defaults to `trainset`.
    ///
    /// # Errors
    /// [`Error::Config`] when `restrict` matches no seed or `max_bootstrapped_demos` is 0 with
    /// seeded candidates; a bootstrap's [`Error::TooManyErrors`] or [`Error::Infrastructure`];
    /// an evaluation's [`Error::Eval`] (including
    /// [`cognate_eval::Error::Infrastructure`]); [`Error::BudgetExceeded`] when the LM budget
    /// runs out; checkpoint errors.
    ///
    /// # Cancel safety
    /// Dropping the future abandons the candidate in flight; finished candidates and bootstrap
    /// attempts already recorded in the checkpoint are kept.
    pub async fn compile<P>(
        &self,
        student: &P,
        trainset: &[Example],
        valset: Option<&[Example]>,
    ) -> Result<Optimized<P>>
    where
        P: Program,
        P::Input: DeserializeOwned,
        P::Output: Serialize,
    {
        self.run(student, None, trainset, valset, default_to_input::<P::Input>()).await
    }

    /// The general form: an optional teacher and `to_input` building inputs from examples.
    ///
    /// # Errors
    /// As [`compile`](Self::compile).
    ///
    /// # Cancel safety
    /// As [`compile`](Self::compile).
    pub async fn compile_with<P, F>(
        &self,
        student: &P,
        teacher: Option<&P>,
        trainset: &[Example],
        valset: Option<&[Example]>,
        to_input: F,
    ) -> Result<Optimized<P>>
    where
        P: Program,
        P::Output: Serialize,
        F: Fn(&Example) -> cognate_runtime::Result<P::Input> + Send + Sync + 'static,
    {
        self.run(student, teacher, trainset, valset, Arc::new(to_input)).await
    }

    /// The candidate seeds, in order.
    fn seeds(&self) -> Result<Vec<i64>> {
        let all: Vec<i64> = (-3..self.num_candidate_programs as i64).collect();
        let seeds: Vec<i64> = match &self.restrict {
            Some(restrict) => all.into_iter().filter(|s| restrict.contains(s)).collect(),
            None => all,
        };
        if seeds.is_empty() {
            return Err(Error::Config(format!(
                "restrict {:?} matches no candidate seed in -3..{}",
                self.restrict.as_deref().unwrap_or_default(),
                self.num_candidate_programs
            )));
        }
        if self.max_bootstrapped_demos == 0 && seeds.iter().any(|s| *s >= 0) {
            return Err(Error::Config("seeded candidates need max_bootstrapped_demos >= 1".into()));
        }
        Ok(seeds)
    }

    async fn run<P>(
        &self,
        student: &P,
        teacher: Option<&P>,
        trainset: &[Example],
        valset: Option<&[Example]>,
        to_input: ToInput<P::Input>,
    ) -> Result<Optimized<P>>
    where
        P: Program,
        P::Output: Serialize,
    {
        let started = Instant::now();
        let seeds = self.seeds()?;
        let valset = match valset {
            Some(v) if !v.is_empty() => v,
            _ => trainset,
        };
        let checkpoint = self.checkpoint_path.as_ref().map(Checkpoint::open).transpose()?;
        let mut report = OptimizationReport::new("BootstrapFewShotWithRandomSearch");
        let mut best: Option<(f64, P)> = None;
        let total = seeds.len();
        for (done, seed) in (1..).zip(seeds) {
            let candidate_started = Instant::now();
            let id = format!("candidate/{seed}");
            let recorded = match &checkpoint {
                Some(c) => c.get_as::<CandidateRecord>(&id)?,
                None => None,
            };
            let resumed = recorded.is_some();
            let (program, record, size) = match recorded {
                Some(record) => {
                    let mut program = reset_copy(student);
                    set_demos(&mut program, &record.demos);
                    (program, record, None)
                }
                None => {
                    let built = self.build(seed, student, teacher, trainset, &to_input, checkpoint.as_ref()).await;
                    let (program, boot_usage, size) = match built {
                        Ok(built) => built,
                        Err(error) => return Err(budget_stop(error, &id, &mut report, best.as_ref(), started)),
                    };
                    let evaluate = Evaluate::new(MetricRef(&self.metric))
                        .with_concurrency(self.num_threads)
                        .with_max_errors(self.max_errors)
                        .with_infra_policy(self.infra_policy)
                        .with_progress(false);
                    let to_input = to_input.clone();
                    let result = match evaluate.run_with(&program, valset, move |example| to_input(example)).await {
                        Ok(result) => result,
                        Err(error) => {
                            return Err(budget_stop(error.into(), &id, &mut report, best.as_ref(), started));
                        }
                    };
                    let summary = &result.summary;
                    let record = CandidateRecord {
                        score: (summary.average_score * 100.0 * 100.0).round() / 100.0,
                        subscores: result.records.iter().map(|r| r.score.value).collect(),
                        demos: demos_of(&program),
                        lm_calls: boot_usage.0 + summary.lm_calls,
                        prompt_tokens: boot_usage.1 + summary.prompt_tokens,
                        completion_tokens: boot_usage.2 + summary.completion_tokens,
                    };
                    if let Some(c) = &checkpoint {
                        c.record(&id, &record)?;
                    }
                    (program, record, size)
                }
            };
            let kind = match seed {
                -3 => "zero-shot",
                -2 => "labeled",
                -1 => "bootstrap",
                _ => "bootstrap-shuffled",
            };
            let demo_counts: serde_json::Map<String, serde_json::Value> =
                record.demos.iter().map(|(path, demos)| (path.clone(), demos.len().into())).collect();
            let mut config = serde_json::json!({"seed": seed, "kind": kind, "demos": demo_counts});
            if let Some(size) = size {
                config["max_bootstrapped_demos"] = size.into();
            }
            let mut trial = Trial::new(id, config).with_score(record.score);
            trial.resumed = resumed;
            if !resumed {
                trial.lm_calls = record.lm_calls;
                trial.prompt_tokens = record.prompt_tokens;
                trial.completion_tokens = record.completion_tokens;
                trial.wall_time = candidate_started.elapsed();
            }
            let index = report.push(trial);
            if best.as_ref().is_none_or(|(score, _)| record.score > *score) {
                best = Some((record.score, program));
                report.best = Some(index);
            }
            let best_score = best.as_ref().map_or(record.score, |(score, _)| *score);
            tracing::info!(
                target: "cognate::optimize",
                optimizer = "BootstrapFewShotWithRandomSearch", seed, done, total, score = record.score,
                best = best_score, resumed,
                "candidate evaluated: {done}/{total} candidates, score {:.2}, best {best_score:.2}", record.score
            );
            if self.stop_at_score.is_some_and(|stop| record.score >= stop) {
                tracing::info!(target: "cognate::optimize", seed, score = record.score, "stopping early: stop_at_score reached");
                break;
            }
        }
        report.wall_time = started.elapsed();
        let (_, program) = best.ok_or_else(|| Error::Config("no candidate was built".into()))?;
        Ok(Optimized::new(program, report))
    }

    /// Builds the candidate for `seed`; returns it, the bootstrap's usage (calls, prompt and
    /// completion tokens) and the seeded size, if any.
    async fn build<P>(
        &self,
        seed: i64,
        student: &P,
        teacher: Option<&P>,
        trainset: &[Example],
        to_input: &ToInput<P::Input>,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<(P, (u64, u64, u64), Option<usize>)>
    where
        P: Program,
        P::Output: Serialize,
    {
        match seed {
            -3 => Ok((reset_copy(student), (0, 0, 0), None)),
            -2 => {
                let labeled = LabeledFewShot::new().with_k(self.max_labeled_demos).with_sample(self.labeled_sample);
                Ok((labeled.labeled(student, trainset).program, (0, 0, 0), None))
            }
            _ => {
                let mut trainset = trainset.to_vec();
                let mut size = self.max_bootstrapped_demos;
                let mut seeded = None;
                if seed >= 0 {
                    PyRandom::new(seed).shuffle(&mut trainset);
                    size = PyRandom::new(seed).randint(1, self.max_bootstrapped_demos as i64) as usize;
                    seeded = Some(size);
                }
                let mut optimizer = BootstrapFewShot::new(MetricRef(&self.metric))
                    .with_metric_threshold(self.metric_threshold)
                    .with_max_bootstrapped_demos(size)
                    .with_max_labeled_demos(self.max_labeled_demos)
                    .with_max_rounds(self.max_rounds)
                    .with_max_errors(self.max_errors)
                    .with_infra_policy(self.infra_policy);
                if let Some(settings) = &self.teacher_settings {
                    optimizer = optimizer.with_teacher_settings(settings.clone());
                }
                if let Some(checkpoint) = checkpoint {
                    optimizer = optimizer.with_shared_checkpoint(checkpoint.clone(), format!("candidate/{seed}/"));
                }
                let compiled = optimizer.run(student, teacher, &trainset, to_input.clone()).await?;
                let r = &compiled.report;
                Ok((compiled.program, (r.lm_calls, r.prompt_tokens, r.completion_tokens), seeded))
            }
        }
    }
}

/// `error` as the search's [`Error::BudgetExceeded`] when an LM budget caused it (cutting
/// candidate `id`), with the finished candidates and the best so far; other errors unchanged.
fn budget_stop<P: cognate_runtime::ComponentExt>(
    error: Error,
    id: &str,
    report: &mut OptimizationReport,
    best: Option<&(f64, P)>,
    started: Instant,
) -> Error {
    let Some((limit, inner)) = budget_limit_of(&error) else { return error };
    let stopped_at = match inner {
        Some(inner) => format!("{id}/{inner}"),
        None => id.to_owned(),
    };
    report.wall_time = started.elapsed();
    let mut partial = PartialOptimization::new(std::mem::take(report));
    if let Some((score, program)) = best {
        partial.best_score = Some(*score);
        partial.best_demos = Some(demos_of(program));
    }
    Error::BudgetExceeded {
        optimizer: "BootstrapFewShotWithRandomSearch",
        limit,
        stopped_at,
        partial: Box::new(partial),
    }
}
