//! [`BootstrapFewShot`]: demos bootstrapped from a teacher's successful traces, topped up with
//! labeled examples (DSPy's `dspy.BootstrapFewShot`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use cognate_core::{BudgetLimit, Example, Prediction, SharedLm, Values};
use cognate_eval::{DEFAULT_MAX_ERRORS, InfraPolicy, Metric, ProgressLog, UsageTracker};
use cognate_runtime::{ComponentExt, Program, Settings, traced};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::checkpoint::Checkpoint;
use crate::error::{Error, Result};
use crate::labeled::LabeledFewShot;
use crate::partial::PartialOptimization;
use crate::program::{Optimized, ToInput, default_to_input, demos_of, reset_copy};
use crate::pyrandom::PyRandom;
use crate::report::{OptimizationReport, Trial};
use cognate_lm::RolloutLm;

/// Bootstraps few-shot demos from a teacher's traces, as DSPy's `BootstrapFewShot` does.
///
/// `compile(student, trainset)`:
///
/// 1. **Student and teacher.** The student is copied with its demos cleared. The teacher is a
///    copy of the given teacher (default: of the student, demos kept); when
///    `max_labeled_demos > 0` and the teacher is not marked compiled
///    ([`with_compiled_teacher`](Self::with_compiled_teacher)), its demos are replaced by
///    [`LabeledFewShot`] with `k = max_labeled_demos`. Both must have the same predictor paths.
/// 2. **Bootstrap.** For each training example in order, stopping once
///    `max_bootstrapped_demos` examples succeeded, up to `max_rounds` attempts: the teacher
///    (without that example among its demos) runs through [`Program::call`] inside
///    [`traced`], under the [teacher settings](Self::with_teacher_settings); rounds after the
///    first use the LM at temperature 1.0 (DSPy's fresh `rollout_id`, to get a new sample).
///    The metric decides success: `score >= metric_threshold` when a non-zero threshold is
///    set, else a non-zero score. On success each trace entry whose predictor path belongs to
///    the student becomes a demo `{augmented: true, ..inputs, ..outputs}`; when one predictor
///    ran several times for the example, one of its entries is kept (the last, or with
///    probability ½ a random earlier one, as DSPy does). A failing run or metric counts as an
///    error; reaching `max_errors` errors stops the compile with [`Error::TooManyErrors`].
///    A run that failed for infrastructure reasons (the LM call failed; see
///    [`cognate_runtime::Error::is_infrastructure`]) is handled by the
///    [`InfraPolicy`](Self::with_infra_policy) instead: by default it is not an error of the
///    program (it does not use up `max_errors`, and is not checkpointed, so a resumed compile
///    retries it), and the compile stops with [`Error::Infrastructure`] once more than 5% of
///    the training examples hit one. With [`InfraPolicy::CountAsZero`] it counts as an
///    error, as in DSPy. A run whose LM call was refused by a spent
///    [`Budget`](cognate_lm::Budget) stops the bootstrap (it is not an error and is not
///    checkpointed): the student is trained on what was bootstrapped so far and the compile
///    returns [`Error::BudgetExceeded`] with it as the partial result's `best_demos`.
/// 3. **Train.** Examples that were not bootstrapped (tried and failed, or never tried) are
///    shuffled with `random.Random(0)`; each student predictor, in path order, gets its first
///    `max_bootstrapped_demos` bootstrapped demos followed by
///    `min(max_labeled_demos - bootstrapped, len)` of those examples, sampled with one
///    `random.Random(0)` shared by all predictors.
///
/// The random choices use a port of CPython's generator ([`PyRandom`]), so the demos are the
/// ones DSPy 3.4.1 picks for the same traces (see `tests/it/parity.rs`), except the seed of the
/// rare several-calls-per-predictor choice, which DSPy derives from a pickle hash.
///
/// Progress is logged as `info` events `bootstrap progress` on `cognate::optimize` after each
/// tenth of the training set and at least every 10 s (fields `done`, `total`, `bootstrapped`,
/// `wanted`, `errors`, `infra_errors`; see [`ProgressLog`]).
///
/// The report has one trial per bootstrap attempt (`bootstrap/<example>/<round>`, scored by
/// the metric), with its LM calls and tokens (through the settings' LM; a predictor's own LM
/// is not counted). With [`with_checkpoint`](Self::with_checkpoint) every attempt is recorded
/// and a resumed compile replays recorded attempts without calling the LM.
///
/// ```
/// use std::sync::Arc;
/// use cognate_core::{Example, Prediction};
/// use cognate_optimize::BootstrapFewShot;
///
/// let optimizer = BootstrapFewShot::new(|ex: &Example, pred: &Prediction| ex.get("answer") == pred.get("answer"))
///     .with_max_bootstrapped_demos(2)
///     .with_max_labeled_demos(4);
/// assert_eq!(optimizer.max_rounds(), 1);
/// ```
pub struct BootstrapFewShot<Me> {
    metric: Me,
    metric_threshold: Option<f64>,
    teacher_settings: Option<Settings>,
    max_bootstrapped_demos: usize,
    max_labeled_demos: usize,
    max_rounds: usize,
    max_errors: Option<usize>,
    infra_policy: InfraPolicy,
    compiled_teacher: bool,
    checkpoint_path: Option<PathBuf>,
    shared_checkpoint: Option<(Checkpoint, String)>,
}

impl<Me> std::fmt::Debug for BootstrapFewShot<Me> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BootstrapFewShot")
            .field("metric_threshold", &self.metric_threshold)
            .field("max_bootstrapped_demos", &self.max_bootstrapped_demos)
            .field("max_labeled_demos", &self.max_labeled_demos)
            .field("max_rounds", &self.max_rounds)
            .field("max_errors", &self.max_errors)
            .field("infra_policy", &self.infra_policy)
            .field("checkpoint", &self.checkpoint_path)
            .finish_non_exhaustive()
    }
}

/// What a checkpoint records for one bootstrap attempt.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct AttemptRecord {
    success: bool,
    score: Option<f64>,
    demos: BTreeMap<String, Vec<Values>>,
    error: Option<String>,
    lm_calls: u64,
    prompt_tokens: u64,
    completion_tokens: u64,
}

/// The outcome of the bootstrap stage, before training the student.
pub(crate) struct Bootstrapped {
    pub(crate) traces: BTreeMap<String, Vec<Example>>,
    pub(crate) unbootstrapped: Vec<Example>,
    /// Set when an LM budget stopped the stage: the limit, and the attempt it cut.
    pub(crate) stopped: Option<(BudgetLimit, String)>,
}

impl<Me: Metric> BootstrapFewShot<Me> {
    /// DSPy's defaults: no threshold, 4 bootstrapped and 16 labeled demos, 1 round, and
    /// `max_errors` [`DEFAULT_MAX_ERRORS`] (10, DSPy's `settings.max_errors`).
    pub fn new(metric: Me) -> Self {
        BootstrapFewShot {
            metric,
            metric_threshold: None,
            teacher_settings: None,
            max_bootstrapped_demos: 4,
            max_labeled_demos: 16,
            max_rounds: 1,
            max_errors: Some(DEFAULT_MAX_ERRORS),
            infra_policy: InfraPolicy::default(),
            compiled_teacher: false,
            checkpoint_path: None,
            shared_checkpoint: None,
        }
    }

    /// A run succeeds when the metric's score is at least `threshold` (DSPy: a threshold of
    /// 0 is the same as none, i.e. any non-zero score succeeds).
    #[must_use]
    pub fn with_metric_threshold(mut self, threshold: impl Into<Option<f64>>) -> Self {
        self.metric_threshold = threshold.into();
        self
    }

    /// Settings for the teacher's runs: its `lm` and `adapter`, when set, replace the current
    /// ones (DSPy's `teacher_settings`).
    #[must_use]
    pub fn with_teacher_settings(mut self, settings: Settings) -> Self {
        self.teacher_settings = Some(settings);
        self
    }

    /// The most bootstrapped demos per predictor (default 4); bootstrapping stops once this many
    /// examples succeeded.
    #[must_use]
    pub fn with_max_bootstrapped_demos(mut self, n: usize) -> Self {
        self.max_bootstrapped_demos = n;
        self
    }

    /// The most demos in total per predictor, labeled ones filling up after the bootstrapped
    /// (default 16); also the teacher's `LabeledFewShot` `k`. 0 keeps the teacher's demos.
    #[must_use]
    pub fn with_max_labeled_demos(mut self, n: usize) -> Self {
        self.max_labeled_demos = n;
        self
    }

    /// Attempts per training example (default 1); rounds after the first sample at
    /// temperature 1.0.
    #[must_use]
    pub fn with_max_rounds(mut self, n: usize) -> Self {
        self.max_rounds = n;
        self
    }

    /// Stops with [`Error::TooManyErrors`] when the failed runs reach `max_errors` (default
    /// [`DEFAULT_MAX_ERRORS`], DSPy's `settings.max_errors`: the 10th failure stops the
    /// compile; `None`: never stop). The same rule and default as
    /// [`Evaluate::with_max_errors`](cognate_eval::Evaluate::with_max_errors).
    #[must_use]
    pub fn with_max_errors(mut self, max_errors: impl Into<Option<usize>>) -> Self {
        self.max_errors = max_errors.into();
        self
    }

    /// Sets what a run that failed for infrastructure reasons does (default
    /// [`InfraPolicy::Fail`] above 5% of the training examples; see the type's docs).
    #[must_use]
    pub fn with_infra_policy(mut self, policy: InfraPolicy) -> Self {
        self.infra_policy = policy;
        self
    }

    /// Marks the teacher passed to [`compile_with_teacher`](Self::compile_with_teacher) as
    /// already compiled, so it keeps its demos (DSPy checks the teacher's `_compiled` flag).
    #[must_use]
    pub fn with_compiled_teacher(mut self, compiled: bool) -> Self {
        self.compiled_teacher = compiled;
        self
    }

    /// Records every bootstrap attempt in a [`Checkpoint`] at `path`; a compile that finds
    /// records there replays them instead of calling the LM.
    #[must_use]
    pub fn with_checkpoint(mut self, path: impl Into<PathBuf>) -> Self {
        self.checkpoint_path = Some(path.into());
        self
    }

    /// Uses an open checkpoint, with ids prefixed by `prefix` (random search shares one file).
    pub(crate) fn with_shared_checkpoint(mut self, checkpoint: Checkpoint, prefix: String) -> Self {
        self.shared_checkpoint = Some((checkpoint, prefix));
        self
    }

    /// The metric.
    pub fn metric(&self) -> &Me {
        &self.metric
    }

    /// The number of bootstrap rounds per example.
    pub fn max_rounds(&self) -> usize {
        self.max_rounds
    }

    /// Compiles `student` with itself as the teacher, building each input from the example's
    /// inputs.
    ///
    /// # Errors
    /// [`Error::TooManyErrors`] when `max_errors` runs failed; [`Error::Infrastructure`] when
    /// more runs hit infrastructure errors than the [`InfraPolicy`] allows;
    /// [`Error::BudgetExceeded`] when the LM budget runs out (with the student trained on the
    /// demos bootstrapped so far); checkpoint errors.
    ///
    /// # Cancel safety
    /// Dropping the future abandons the attempt in flight; attempts already recorded in the
    /// checkpoint are kept.
    pub async fn compile<P>(&self, student: &P, trainset: &[Example]) -> Result<Optimized<P>>
    where
        P: Program,
        P::Input: DeserializeOwned,
        P::Output: Serialize,
    {
        self.run(student, None, trainset, default_to_input::<P::Input>()).await
    }

    /// Compiles `student` with `teacher` (same structure) producing the traces.
    ///
    /// # Errors
    /// As [`compile`](Self::compile); [`Error::Config`] if the teacher's predictor paths differ.
    ///
    /// # Cancel safety
    /// As [`compile`](Self::compile).
    pub async fn compile_with_teacher<P>(&self, student: &P, teacher: &P, trainset: &[Example]) -> Result<Optimized<P>>
    where
        P: Program,
        P::Input: DeserializeOwned,
        P::Output: Serialize,
    {
        self.run(student, Some(teacher), trainset, default_to_input::<P::Input>()).await
    }

    /// The general form: an optional teacher, and `to_input` building the program's input
    /// from an example.
    ///
    /// # Errors
    /// As [`compile_with_teacher`](Self::compile_with_teacher); a failing `to_input` counts as
    /// a failed run.
    ///
    /// # Cancel safety
    /// As [`compile`](Self::compile).
    pub async fn compile_with<P, F>(
        &self,
        student: &P,
        teacher: Option<&P>,
        trainset: &[Example],
        to_input: F,
    ) -> Result<Optimized<P>>
    where
        P: Program,
        P::Output: Serialize,
        F: Fn(&Example) -> cognate_runtime::Result<P::Input> + Send + Sync + 'static,
    {
        self.run(student, teacher, trainset, Arc::new(to_input)).await
    }

    pub(crate) async fn run<P>(
        &self,
        student: &P,
        teacher: Option<&P>,
        trainset: &[Example],
        to_input: ToInput<P::Input>,
    ) -> Result<Optimized<P>>
    where
        P: Program,
        P::Output: Serialize,
    {
        let started = Instant::now();
        let mut report = OptimizationReport::new("BootstrapFewShot");
        let checkpoint = self.checkpoint()?;
        let mut program = reset_copy(student);
        let teacher = self.prepare_teacher(student, teacher, trainset);
        let student_paths: Vec<String> = program.named_predictors().into_iter().map(|(path, _)| path).collect();
        let teacher_paths: Vec<String> = teacher.named_predictors().into_iter().map(|(path, _)| path).collect();
        if student_paths != teacher_paths {
            return Err(Error::Config(format!(
                "student and teacher must have the same predictors: {student_paths:?} != {teacher_paths:?}"
            )));
        }
        let mut bootstrapped =
            self.bootstrap(&teacher, &student_paths, trainset, &to_input, checkpoint.as_ref(), &mut report).await?;
        let stopped = bootstrapped.stopped.take();
        self.train(&mut program, bootstrapped);
        report.wall_time = started.elapsed();
        if let Some((limit, stopped_at)) = stopped {
            let mut partial = PartialOptimization::new(report);
            partial.best_demos = Some(demos_of(&program));
            return Err(Error::BudgetExceeded {
                optimizer: "BootstrapFewShot",
                limit,
                stopped_at,
                partial: Box::new(partial),
            });
        }
        Ok(Optimized::new(program, report))
    }

    fn checkpoint(&self) -> Result<Option<(Checkpoint, String)>> {
        if let Some(shared) = &self.shared_checkpoint {
            return Ok(Some(shared.clone()));
        }
        match &self.checkpoint_path {
            Some(path) => Ok(Some((Checkpoint::open(path)?, String::new()))),
            None => Ok(None),
        }
    }

    fn prepare_teacher<P: Program>(&self, student: &P, teacher: Option<&P>, trainset: &[Example]) -> P {
        let compiled = teacher.is_some() && self.compiled_teacher;
        let teacher = teacher.unwrap_or(student).clone();
        if self.max_labeled_demos > 0 && !compiled {
            LabeledFewShot::new().with_k(self.max_labeled_demos).labeled(&teacher, trainset).program
        } else {
            teacher
        }
    }

    async fn bootstrap<P>(
        &self,
        teacher: &P,
        student_paths: &[String],
        trainset: &[Example],
        to_input: &ToInput<P::Input>,
        checkpoint: Option<&(Checkpoint, String)>,
        report: &mut OptimizationReport,
    ) -> Result<Bootstrapped>
    where
        P: Program,
        P::Output: Serialize,
    {
        let mut traces: BTreeMap<String, Vec<Example>> =
            student_paths.iter().map(|path| (path.clone(), Vec::new())).collect();
        let mut bootstrapped = BTreeSet::new();
        let mut errors = 0usize;
        let (mut infra_errors, mut first_infra) = (0usize, None::<cognate_runtime::Error>);
        let max_infra_errors = self.infra_policy.max_failures(trainset.len());
        let mut progress = ProgressLog::new(trainset.len());
        let mut stopped = None;
        'examples: for (index, example) in trainset.iter().enumerate() {
            if bootstrapped.len() >= self.max_bootstrapped_demos {
                break;
            }
            for round in 0..self.max_rounds {
                let id = format!("bootstrap/{index}/{round}");
                let key = checkpoint.map(|(_, prefix)| format!("{prefix}{id}"));
                let attempt_started = Instant::now();
                let recorded = match (checkpoint, &key) {
                    (Some((c, _)), Some(key)) => c.get_as::<AttemptRecord>(key)?,
                    _ => None,
                };
                let resumed = recorded.is_some();
                let record = match recorded {
                    Some(record) => record,
                    None => {
                        let (record, error) = self.attempt(teacher, student_paths, example, round, to_input).await;
                        if let Some(limit) = error.as_ref().and_then(cognate_runtime::Error::budget_limit) {
                            // Refused by the LM budget: not the program's failure, not
                            // checkpointed (a resumed compile retries it); stop here.
                            stopped = Some((limit, id));
                            break 'examples;
                        }
                        let error = match error {
                            Some(error) if error.is_infrastructure() && self.infra_policy.excludes() => {
                                // Not the program's failure: not an error, not checkpointed.
                                tracing::warn!(target: "cognate::optimize", example = index, round, %error,
                                    "bootstrap run hit an infrastructure error");
                                infra_errors += 1;
                                if max_infra_errors.is_some_and(|max| infra_errors > max) {
                                    return Err(Error::Infrastructure {
                                        infra_errors,
                                        runs: report.trials.len() + 1,
                                        examples: trainset.len(),
                                        max_fraction: self.infra_policy.max_fraction().unwrap_or_default(),
                                        first: first_infra.unwrap_or(error),
                                    });
                                }
                                first_infra.get_or_insert(error);
                                let config = serde_json::json!({"example": index, "round": round, "success": false,
                                    "error": record.error, "infrastructure": true});
                                report.push(run_trial(id, config, &record, attempt_started.elapsed()));
                                continue;
                            }
                            other => other,
                        };
                        if let (Some(error), Some(max_errors)) = (error, self.max_errors) {
                            if errors + 1 >= max_errors {
                                return Err(Error::TooManyErrors { errors: errors + 1, max_errors, last: error });
                            }
                        }
                        if let (Some((c, _)), Some(key)) = (checkpoint, &key) {
                            c.record(key, &record)?;
                        }
                        record
                    }
                };
                if let Some(error) = &record.error {
                    errors += 1;
                    tracing::warn!(target: "cognate::optimize", example = index, round, %error,
                        "bootstrap run failed");
                }
                let config = serde_json::json!({"example": index, "round": round, "success": record.success, "error": record.error});
                // A resumed run spent nothing in this process.
                let mut trial = if resumed {
                    Trial::new(id, config)
                } else {
                    run_trial(id, config, &record, attempt_started.elapsed())
                };
                trial.score = record.score;
                trial.resumed = resumed;
                report.push(trial);
                if record.success {
                    for (path, demos) in record.demos {
                        if let Some(list) = traces.get_mut(&path) {
                            list.extend(demos.into_iter().map(Example::new));
                        }
                    }
                    bootstrapped.insert(index);
                    break;
                }
            }
            if progress.is_due(index + 1) {
                let (done, total) = (index + 1, trainset.len());
                tracing::info!(
                    target: "cognate::optimize",
                    optimizer = "BootstrapFewShot", done, total, bootstrapped = bootstrapped.len(),
                    wanted = self.max_bootstrapped_demos, errors, infra_errors,
                    "bootstrap progress: {done}/{total} examples tried, {} of {} demos bootstrapped, {errors} errors, {infra_errors} infrastructure errors",
                    bootstrapped.len(), self.max_bootstrapped_demos
                );
            }
        }
        tracing::info!(target: "cognate::optimize", bootstrapped = bootstrapped.len(), attempts = report.trials.len(),
            "bootstrapped full traces");
        let mut unbootstrapped: Vec<Example> =
            trainset.iter().enumerate().filter(|(i, _)| !bootstrapped.contains(i)).map(|(_, e)| e.clone()).collect();
        PyRandom::new(0).shuffle(&mut unbootstrapped);
        Ok(Bootstrapped { traces, unbootstrapped, stopped })
    }

    /// Runs the teacher on one example; returns the record and, on failure, the error.
    async fn attempt<P>(
        &self,
        teacher: &P,
        student_paths: &[String],
        example: &Example,
        round: usize,
        to_input: &ToInput<P::Input>,
    ) -> (AttemptRecord, Option<cognate_runtime::Error>)
    where
        P: Program,
        P::Output: Serialize,
    {
        let tracker = UsageTracker::new();
        let mut settings = Settings::current();
        if let Some(teacher_settings) = &self.teacher_settings {
            if let Some(lm) = &teacher_settings.lm {
                settings.lm = Some(lm.clone());
            }
            if let Some(adapter) = &teacher_settings.adapter {
                settings.adapter = Some(adapter.clone());
            }
        }
        let metric_settings = Settings { lm: settings.lm.clone().map(|lm| tracker.wrap(lm)), ..settings.clone() };
        if round > 0 {
            settings.lm = settings.lm.map(|lm| Arc::new(RolloutLm::new(lm)) as SharedLm);
        }
        settings.lm = settings.lm.map(|lm| tracker.wrap(lm));

        let mut teacher = teacher.clone();
        for (_, predictor) in teacher.named_predictors_mut() {
            predictor.demos.retain(|demo| demo.data != example.data);
        }
        let outcome: cognate_runtime::Result<(f64, Vec<cognate_runtime::TraceEntry>)> = async {
            let input = to_input(example)?;
            let (output, trace) = settings.scope(traced(teacher.call(input))).await;
            let prediction = Prediction::from_output(output?)?;
            let score = metric_settings.scope(self.metric.score(example, &prediction)).await?;
            Ok((score.value, trace))
        }
        .await;
        let usage = tracker.snapshot();
        let mut record = AttemptRecord {
            success: false,
            score: None,
            demos: BTreeMap::new(),
            error: None,
            lm_calls: usage.calls,
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
        };
        match outcome {
            Err(error) => {
                record.error = Some(error.to_string());
                (record, Some(error))
            }
            Ok((score, trace)) => {
                record.score = Some(score);
                record.success = match self.metric_threshold {
                    Some(threshold) if threshold != 0.0 => score >= threshold,
                    _ => score != 0.0,
                };
                if record.success {
                    record.demos = demos_from_trace(student_paths, trace);
                }
                (record, None)
            }
        }
    }

    fn train<P: Program>(&self, program: &mut P, bootstrapped: Bootstrapped) {
        let Bootstrapped { traces, unbootstrapped, .. } = bootstrapped;
        let mut rng = PyRandom::new(0);
        for (path, predictor) in program.named_predictors_mut() {
            let augmented: Vec<Example> = traces
                .get(&path)
                .map(|t| t.iter().take(self.max_bootstrapped_demos).cloned().collect())
                .unwrap_or_default();
            let size = self.max_labeled_demos.saturating_sub(augmented.len()).min(unbootstrapped.len());
            let sampled = rng.sample(&unbootstrapped, size);
            predictor.demos = augmented.into_iter().chain(sampled).collect();
        }
    }
}

/// The demos a successful run yields, per student predictor path: each trace entry as
/// `{augmented: true, ..inputs, ..outputs}`; of several entries of one predictor, the last, or
/// with probability ½ a random earlier one.
fn demos_from_trace(
    student_paths: &[String],
    trace: Vec<cognate_runtime::TraceEntry>,
) -> BTreeMap<String, Vec<Values>> {
    let mut by_path: BTreeMap<String, Vec<Values>> = BTreeMap::new();
    for entry in trace {
        if !student_paths.contains(&entry.predictor) {
            continue;
        }
        let mut demo = Values::new();
        demo.insert("augmented".into(), true.into());
        demo.extend(entry.inputs);
        demo.extend(entry.outputs);
        by_path.entry(entry.predictor).or_default().push(demo);
    }
    for demos in by_path.values_mut() {
        if demos.len() > 1 {
            let mut rng = PyRandom::new(stable_hash(demos) as i64);
            let pick = if rng.random() < 0.5 {
                let earlier = &demos[..demos.len() - 1];
                rng.choice(earlier).cloned()
            } else {
                demos.last().cloned()
            };
            *demos = pick.into_iter().collect();
        }
    }
    by_path
}

/// FNV-1a over the demos' JSON: a seed that is the same on every run and platform.
fn stable_hash(demos: &[Values]) -> u64 {
    let bytes = serde_json::to_vec(demos).unwrap_or_default();
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// The trial of one bootstrap run made in this process, with its LM usage and wall time.
fn run_trial(id: String, config: serde_json::Value, record: &AttemptRecord, wall_time: std::time::Duration) -> Trial {
    let mut trial = Trial::new(id, config);
    trial.lm_calls = record.lm_calls;
    trial.prompt_tokens = record.prompt_tokens;
    trial.completion_tokens = record.completion_tokens;
    trial.wall_time = wall_time;
    trial
}
