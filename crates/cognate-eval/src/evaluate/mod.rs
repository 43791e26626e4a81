//! [`Evaluate`]: run a module over a dataset with bounded concurrency, score each prediction,
//! stream the records as they complete and total them.

mod export;
mod policy;
mod progress;
mod record;

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use cognate_core::{BudgetLimit, Example, Prediction};
use cognate_runtime::{CallStats, Module, Settings};
use futures::stream::{BoxStream, Stream, StreamExt};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use policy::InfraPolicy;
pub use progress::ProgressLog;
use record::Totals;
pub use record::{EvaluationResult, Failure, FailureKind, FailureReport, Record, Stage, Summary};

use crate::error::{Error, Result};
use crate::metrics::{Metric, Score};
use cognate_lm::{UsageSnapshot, UsageTracker};
use progress::Progress;

/// The error budget of [`Evaluate`] and of every optimizer unless set otherwise: a run stops
/// at its 10th failure, as DSPy's do (`dspy.settings.max_errors`).
pub const DEFAULT_MAX_ERRORS: usize = 10;

/// Evaluates modules with a metric (DSPy's `dspy.Evaluate`).
///
/// * **Concurrency**: at most [`concurrency`](Self::with_concurrency) examples (default 16)
///   are in flight, as futures in the calling task (`buffer_unordered`), so the task-local
///   [`Settings`] apply and thousands of concurrent calls cost no threads. (`Predictor`
///   parses large replies on tokio's blocking pool, so one huge reply does not stall the
///   other examples.)
/// * **Streaming**: [`stream`](Self::stream) yields each [`Record`] as it completes, keeping
///   only running totals, so memory stays flat however long the dataset
///   ([`stream_iter`](Self::stream_iter) also takes examples generated lazily);
///   [`run`](Self::run) collects them into an [`EvaluationResult`] in dataset order.
/// * **Errors**: an example that fails for program reasons (input conversion, unparsable
///   reply, output conversion, metric) is scored [`failure_score`](Self::with_failure_score)
///   (default 0) and counted. When the failures reach [`max_errors`](Self::with_max_errors)
///   (default [`DEFAULT_MAX_ERRORS`], 10, as DSPy's `settings.max_errors`), no new calls are
///   issued, in-flight ones are abandoned, and `run` returns [`Error::TooManyErrors`] with the
///   partial results.
/// * **Failures, listed**: the [`Summary`] breaks failures out into unparsable replies,
///   time-outs and other infrastructure errors, and counts the module's adapter fallbacks
///   (ChatAdapter → JSONAdapter retries); [`EvaluationResult::failure_report`] lists the
///   failed examples with their index, [`FailureKind`] and error.
/// * **Infrastructure errors**: an example whose LM call failed (time-out, connection, 429,
///   5xx, ...; see [`cognate_runtime::Error::is_infrastructure`]) is handled by the
///   [`InfraPolicy`] (default: left out of the score, and the run fails with
///   [`Error::Infrastructure`] as soon as more than 5% of the examples hit one).
///   [`Summary`] counts both kinds apart.
/// * **LM budgets**: when a call is refused because an LM [`Budget`](cognate_lm::Budget) is
///   spent ([`LmError::BudgetExceeded`](cognate_core::LmError::BudgetExceeded)), whatever the
///   policy, no more examples are started, those running finish, and `run` returns
///   [`Error::BudgetExceeded`] with the examples evaluated. An example whose call was refused
///   was not evaluated: it is neither scored nor counted as an error.
/// * **Usage**: the current settings' LM is wrapped in a [`CountingLm`](crate::CountingLm) for
///   the module's calls and another for the metric's, so the [`Summary`] counts calls and
///   tokens exactly.
/// * **Progress**: an indicatif bar when stderr is a terminal; otherwise `info` lines
///   `evaluation progress` (fields `done`, `total`, `average`, `errors`, `infra_errors`) on the
///   `cognate::evaluate` target after each tenth of the examples and at least every 10 s
///   ([`ProgressLog`]), so a run in CI or a service shows how far it got once the application
///   installs a `tracing` subscriber (the library never does). Start and end are logged at
///   `info` too, each example at `debug`. [`with_progress(false)`](Self::with_progress) turns
///   the bar and the lines off.
///
/// ```
/// use std::sync::Arc;
/// use cognate_core::Example;
/// use cognate_eval::{Evaluate, metrics::NumericMatch};
/// use cognate_runtime::{Predictor, Settings};
/// use cognate_testing::MockLm;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), cognate_eval::Error> {
/// let data: Vec<Example> = (1..=4)
///     .map(|i| Example::default().with("question", format!("{i} + {i}?")).with("answer", (2 * i).to_string()).with_inputs(["question"]))
///     .collect();
/// let program = Predictor::new(cognate_core::SignatureDesc::parse("question -> answer").unwrap());
/// let lm = MockLm::from_fn(|_| Ok("[[ ## answer ## ]]\n4\n\n[[ ## completed ## ]]".into()));
/// let evaluate = Evaluate::new(NumericMatch::new()).with_concurrency(2).with_progress(false);
/// let result = Settings::default().with_lm(Arc::new(lm)).scope(evaluate.run(&program, &data)).await?;
/// assert_eq!(result.summary.average_score, 0.25);
/// assert_eq!(result.records[1].score.value, 1.0);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Evaluate<Me> {
    metric: Me,
    concurrency: usize,
    max_errors: Option<usize>,
    failure_score: f64,
    infra_policy: InfraPolicy,
    progress: bool,
}

impl<Me: Metric> Evaluate<Me> {
    /// An evaluation with `metric`, concurrency 16, an error budget of
    /// [`DEFAULT_MAX_ERRORS`], failure score 0, the default [`InfraPolicy`] and progress shown
    /// (a bar on terminals, else periodic `tracing` lines).
    pub fn new(metric: Me) -> Self {
        Evaluate {
            metric,
            concurrency: 16,
            max_errors: Some(DEFAULT_MAX_ERRORS),
            failure_score: 0.0,
            infra_policy: InfraPolicy::default(),
            progress: true,
        }
    }

    /// Sets how many examples are evaluated at once (0 is treated as 1).
    #[must_use]
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Stops when `max_errors` examples have failed for program reasons (default
    /// [`DEFAULT_MAX_ERRORS`]; `None`: never stop), as DSPy's `max_errors` does: with 10, the
    /// 10th failure stops the run. Infrastructure failures count only under
    /// [`InfraPolicy::CountAsZero`].
    #[must_use]
    pub fn with_max_errors(mut self, max_errors: impl Into<Option<usize>>) -> Self {
        self.max_errors = max_errors.into();
        self
    }

    /// Sets the score of failed examples (default 0).
    #[must_use]
    pub fn with_failure_score(mut self, failure_score: f64) -> Self {
        self.failure_score = failure_score;
        self
    }

    /// Sets what happens to examples that hit infrastructure errors (default
    /// [`InfraPolicy::Fail`] above 5% of the examples).
    #[must_use]
    pub fn with_infra_policy(mut self, policy: InfraPolicy) -> Self {
        self.infra_policy = policy;
        self
    }

    /// The infrastructure policy.
    pub fn infra_policy(&self) -> InfraPolicy {
        self.infra_policy
    }

    /// Whether to show progress (default `true`): a bar when stderr is a terminal, else
    /// periodic `info` lines through `tracing` (see the type's docs).
    #[must_use]
    pub fn with_progress(mut self, progress: bool) -> Self {
        self.progress = progress;
        self
    }

    /// The metric.
    pub fn metric(&self) -> &Me {
        &self.metric
    }

    /// Evaluates `module` on `dataset`, building each input by deserializing the example's
    /// [`inputs`](Example::inputs) (so typed signature inputs and dynamic `Values` both work).
    ///
    /// # Errors
    /// [`Error::TooManyErrors`] when the error budget is exceeded; [`Error::Infrastructure`]
    /// when the [`InfraPolicy`] fails the run; [`Error::BudgetExceeded`] when the LM budget
    /// runs out. Failures of single examples are not errors:
    /// they are recorded and scored (or, for infrastructure failures, left out) as described
    /// above.
    ///
    /// # Cancel safety
    /// Dropping the future stops issuing calls and abandons those in flight.
    pub async fn run<M>(&self, module: &M, dataset: &[Example]) -> Result<EvaluationResult>
    where
        M: Module,
        M::Input: DeserializeOwned,
        M::Output: Serialize,
    {
        self.collect(self.stream(module, dataset)).await
    }

    /// Like [`run`](Self::run), building each input with `to_input`.
    ///
    /// # Errors
    /// As [`run`](Self::run); an error from `to_input` fails that example (stage `input`).
    ///
    /// # Cancel safety
    /// As [`run`](Self::run).
    pub async fn run_with<M, F>(&self, module: &M, dataset: &[Example], to_input: F) -> Result<EvaluationResult>
    where
        M: Module,
        M::Output: Serialize,
        F: Fn(&Example) -> cognate_runtime::Result<M::Input> + Send,
    {
        self.collect(self.stream_with(module, dataset, to_input)).await
    }

    /// The records of evaluating `module` on `dataset`, as they complete (not in dataset
    /// order; each carries its index). Inputs are built as in [`run`](Self::run). The stream
    /// ends after the last example, or right after the record that exceeds the error budget
    /// or the [`InfraPolicy`]'s limit. The stream keeps no records: its
    /// [`summary`](EvaluationStream::summary) is built from running totals.
    ///
    /// # Cancel safety
    /// Dropping the stream stops issuing calls and abandons those in flight.
    pub fn stream<'a, M>(&'a self, module: &'a M, dataset: &'a [Example]) -> EvaluationStream<'a>
    where
        M: Module,
        M::Input: DeserializeOwned,
        M::Output: Serialize,
    {
        let what = std::any::type_name::<M::Input>();
        self.stream_with(module, dataset, move |example: &Example| {
            Ok(cognate_core::from_values(&example.inputs(), what)?)
        })
    }

    /// Like [`stream`](Self::stream), building each input with `to_input`.
    pub fn stream_with<'a, M, F>(&'a self, module: &'a M, dataset: &'a [Example], to_input: F) -> EvaluationStream<'a>
    where
        M: Module,
        M::Output: Serialize,
        F: Fn(&Example) -> cognate_runtime::Result<M::Input> + Send + 'a,
    {
        self.stream_iter(module, dataset.iter().cloned(), to_input)
    }

    /// Like [`stream_with`](Self::stream_with), over examples taken from an iterator as
    /// examples are started, so a generated or streamed dataset never has to be held in
    /// memory whole. At most `concurrency` examples are alive at a time, besides those the
    /// consumer keeps.
    pub fn stream_iter<'a, M, I, F>(&'a self, module: &'a M, examples: I, to_input: F) -> EvaluationStream<'a>
    where
        M: Module,
        M::Output: Serialize,
        I: IntoIterator<Item = Example>,
        I::IntoIter: ExactSizeIterator + Send + 'a,
        F: Fn(&Example) -> cognate_runtime::Result<M::Input> + Send + 'a,
    {
        let examples = examples.into_iter();
        let total = examples.len();
        let settings = Settings::current();
        let usage = UsageTracker::new();
        let metric_usage = UsageTracker::new();
        let counted = |tracker: &UsageTracker| {
            let mut s = settings.clone();
            s.lm = s.lm.map(|lm| tracker.wrap(lm));
            s
        };
        let (program_settings, metric_settings) = (counted(&usage), counted(&metric_usage));
        let metric = &self.metric;
        let failure_score = self.failure_score;
        // Set when the LM budget runs out: no example is started after it.
        let stop_starting = Arc::new(AtomicBool::new(false));
        let starting = Arc::clone(&stop_starting);
        let inner = futures::stream::iter(examples.enumerate())
            .take_while(move |_| std::future::ready(!starting.load(Ordering::Relaxed)))
            .map(move |(index, example)| {
                // The input is built here, synchronously, so the future owns it.
                let input = to_input(&example);
                // Each example counts its own adapter fallbacks.
                let stats = CallStats::default();
                let program_settings = program_settings.clone().with_stats(stats.clone());
                let metric_settings = metric_settings.clone();
                async move {
                    let started = Instant::now();
                    let fail = |stage, error| Some(Failure { stage, error: Arc::new(error) });
                    let (prediction, error, score) = match input {
                        Err(e) => (None, fail(Stage::Input, e), None),
                        Ok(input) => {
                            match program_settings
                                .scope(module.forward(input))
                                .await
                                .and_then(|output| Ok(Prediction::from_output(output)?))
                            {
                                Err(e) => (None, fail(Stage::Module, e), None),
                                Ok(prediction) => {
                                    match metric_settings.scope(metric.score(&example, &prediction)).await {
                                        Ok(score) => (Some(prediction), None, Some(score)),
                                        Err(e) => (Some(prediction), fail(Stage::Metric, e), None),
                                    }
                                }
                            }
                        }
                    };
                    Record {
                        index,
                        example,
                        prediction,
                        error,
                        score: score.unwrap_or_else(|| Score::new(failure_score)),
                        elapsed: started.elapsed(),
                        adapter_fallbacks: stats.adapter_fallbacks(),
                    }
                }
            })
            .buffer_unordered(self.concurrency)
            .boxed();
        EvaluationStream {
            inner: Some(inner),
            examples: total,
            concurrency: self.concurrency,
            max_errors: self.max_errors,
            infra_policy: self.infra_policy,
            max_infra_errors: self.infra_policy.max_failures(total),
            totals: Totals::default(),
            budget_errors: 0,
            stop: None,
            stop_starting,
            first_infra: None,
            usage,
            metric_usage,
            started: Instant::now(),
        }
    }

    async fn collect(&self, stream: EvaluationStream<'_>) -> Result<EvaluationResult> {
        self.collect_showing(stream, Progress::stderr_is_terminal()).await
    }

    /// [`collect`](Self::collect), drawing a bar when `terminal` (else logging progress lines).
    async fn collect_showing(&self, mut stream: EvaluationStream<'_>, terminal: bool) -> Result<EvaluationResult> {
        let mut progress = Progress::start(stream.examples, stream.concurrency, self.progress, terminal);
        let mut slots: Vec<Option<Record>> = (0..stream.examples).map(|_| None).collect();
        while let Some(record) = stream.next().await {
            progress.record(&record, &stream.totals);
            let index = record.index;
            if let Some(slot) = slots.get_mut(index) {
                *slot = Some(record);
            }
        }
        progress.finish(&stream.totals, stream.stop.is_some());
        let records: Vec<Record> = slots.into_iter().flatten().collect();
        let summary = stream.summary();
        let partial = Box::new(EvaluationResult { records, summary });
        match stream.stop {
            None => Ok(*partial),
            Some(Stop::LmBudget(limit)) => Err(Error::BudgetExceeded {
                limit,
                completed: stream.totals.completed,
                examples: stream.examples,
                partial,
            }),
            Some(Stop::TooManyErrors) => Err(Error::TooManyErrors {
                errors: stream.budget_errors,
                max_errors: stream.max_errors.unwrap_or_default(),
                partial,
            }),
            Some(Stop::Infrastructure) => Err(Error::Infrastructure {
                infra_errors: stream.totals.infra_errors,
                examples: stream.examples,
                completed: stream.totals.completed,
                max_fraction: stream.infra_policy.max_fraction().unwrap_or_default(),
                first: stream.first_infra.clone().unwrap_or_else(|| unreachable!("stopped on an infrastructure error")),
                partial,
            }),
        }
    }
}

/// Why an [`EvaluationStream`] stopped early.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stop {
    /// `max_errors` failures.
    TooManyErrors,
    /// More infrastructure failures than the policy allows.
    Infrastructure,
    /// The LM budget refused a call.
    LmBudget(BudgetLimit),
}

/// The records of an evaluation as they complete, from [`Evaluate::stream`].
///
/// Besides the records it tells the running totals: errors so far, whether the evaluation
/// stopped early, LM usage, and a [`Summary`] of what was yielded. It keeps no records.
pub struct EvaluationStream<'a> {
    inner: Option<BoxStream<'a, Record>>,
    examples: usize,
    concurrency: usize,
    max_errors: Option<usize>,
    infra_policy: InfraPolicy,
    max_infra_errors: Option<usize>,
    totals: Totals,
    /// Failures counted against `max_errors`: program failures, and infrastructure ones
    /// under `CountAsZero`.
    budget_errors: usize,
    stop: Option<Stop>,
    /// Shared with the source of examples: once set, no example is started.
    stop_starting: Arc<AtomicBool>,
    first_infra: Option<Arc<cognate_runtime::Error>>,
    usage: UsageTracker,
    metric_usage: UsageTracker,
    started: Instant,
}

impl EvaluationStream<'_> {
    /// Examples in the dataset.
    pub fn examples(&self) -> usize {
        self.examples
    }

    /// Records yielded so far.
    pub fn completed(&self) -> usize {
        self.totals.completed
    }

    /// Records yielded so far that failed for program reasons.
    pub fn errors(&self) -> usize {
        self.totals.errors
    }

    /// Records yielded so far that failed for infrastructure reasons.
    pub fn infra_errors(&self) -> usize {
        self.totals.infra_errors
    }

    /// Whether the stream stopped because the failures reached `max_errors` (the error
    /// budget; for the LM's spending budget see [`lm_budget_exceeded`](Self::lm_budget_exceeded)).
    pub fn budget_exceeded(&self) -> bool {
        self.stop == Some(Stop::TooManyErrors)
    }

    /// Whether the stream stopped because more examples hit infrastructure errors than the
    /// [`InfraPolicy`] allows ([`first_infra_error`](Self::first_infra_error) says what).
    pub fn infra_exceeded(&self) -> bool {
        self.stop == Some(Stop::Infrastructure)
    }

    /// The LM budget's limit that ran out, when a call was refused by it: the stream then
    /// starts no more examples, yields those running as they finish, and skips the examples
    /// whose call was refused (they were not evaluated).
    pub fn lm_budget_exceeded(&self) -> Option<BudgetLimit> {
        match self.stop {
            Some(Stop::LmBudget(limit)) => Some(limit),
            _ => None,
        }
    }

    /// The first infrastructure error seen, if any.
    pub fn first_infra_error(&self) -> Option<&cognate_runtime::Error> {
        self.first_infra.as_deref()
    }

    /// The module's LM usage so far.
    pub fn usage(&self) -> UsageSnapshot {
        self.usage.snapshot()
    }

    /// The metric's LM usage so far.
    pub fn metric_usage(&self) -> UsageSnapshot {
        self.metric_usage.snapshot()
    }

    /// The totals of the records yielded so far (scores, errors, usage, wall time), under the
    /// evaluation's [`InfraPolicy`]; after the last record, the evaluation's summary.
    pub fn summary(&self) -> Summary {
        Summary::from_totals(self.examples, &self.totals, self.usage(), self.metric_usage(), self.started.elapsed())
    }
}

impl std::fmt::Debug for EvaluationStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvaluationStream")
            .field("examples", &self.examples)
            .field("completed", &self.totals.completed)
            .field("errors", &self.totals.errors)
            .field("infra_errors", &self.totals.infra_errors)
            .field("stop", &self.stop)
            .finish_non_exhaustive()
    }
}

impl Stream for EvaluationStream<'_> {
    type Item = Record;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Record>> {
        let this = &mut *self;
        loop {
            let Some(inner) = this.inner.as_mut() else { return Poll::Ready(None) };
            let record = match inner.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    this.inner = None;
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(record)) => record,
            };
            if let Some(limit) = record.error.as_ref().and_then(|failure| failure.error.budget_limit()) {
                // Not evaluated: the LM budget refused a call. Start no more examples, and let
                // those running finish (their calls are paid for).
                this.stop_starting.store(true, Ordering::Relaxed);
                if this.stop.is_none() {
                    this.stop = Some(Stop::LmBudget(limit));
                }
                continue;
            }
            this.totals.add(&record, this.infra_policy.excludes());
            if let Some(failure) = &record.error {
                let infra = failure.is_infrastructure();
                if infra && this.first_infra.is_none() {
                    this.first_infra = Some(failure.error.clone());
                }
                if !infra || !this.infra_policy.excludes() {
                    this.budget_errors += 1;
                }
                // Abandon the calls in flight and issue no more once a limit is passed.
                if this.stop.is_none() && this.max_infra_errors.is_some_and(|max| this.totals.infra_errors > max) {
                    this.stop = Some(Stop::Infrastructure);
                    this.inner = None;
                } else if this.stop.is_none() && this.max_errors.is_some_and(|max| this.budget_errors >= max) {
                    this.stop = Some(Stop::TooManyErrors);
                    this.inner = None;
                }
            }
            return Poll::Ready(Some(record));
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            Some(_) => (0, Some(self.examples - self.totals.completed)),
            None => (0, Some(0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use cognate_core::{SignatureDesc, Values};
    use cognate_runtime::Predictor;
    use serde_json::json;

    use super::*;
    use crate::metrics::ExactMatch;

    #[test]
    fn outputs_become_predictions() {
        #[derive(Serialize)]
        struct Out {
            answer: u32,
        }
        let p = Prediction::from_output(Out { answer: 4 }).unwrap();
        assert_eq!(p.get("answer"), Some(&json!(4)));
        // A Prediction passes through untouched, completions included.
        let mut original = Prediction::new(Values::from_iter([("a".to_string(), json!(1))]));
        original.completions = vec![original.data.clone(), Values::new()];
        assert_eq!(Prediction::from_output(original.clone()).unwrap(), original);
        // Outputs that are not objects are conversion errors.
        assert!(Prediction::from_output(3u8).is_err());
    }

    /// Without a terminal, progress goes to `tracing`: an `info` line after each tenth.
    #[tokio::test(flavor = "current_thread")]
    async fn without_a_terminal_progress_is_logged_every_tenth() {
        let log = cognate_testing::EventLog::default();
        let _guard = log.install();
        let data: Vec<Example> = (0..20)
            .map(|i| {
                Example::default()
                    .with("question", format!("q{i}"))
                    .with("answer", i.to_string())
                    .with_inputs(["question"])
            })
            .collect();
        let lm = cognate_testing::MockLm::from_fn(|_| Ok("[[ ## answer ## ]]\n1\n\n[[ ## completed ## ]]".into()));
        let settings = Settings::default().with_lm(std::sync::Arc::new(lm));
        let program = Predictor::new(SignatureDesc::parse("question -> answer").unwrap());
        let evaluate = Evaluate::new(ExactMatch::new()).with_concurrency(3);
        // The stream captures the settings when it is made: make it inside the scope.
        let run = settings
            .clone()
            .scope(async { evaluate.collect_showing(evaluate.stream(&program, &data), false).await })
            .await
            .unwrap();
        assert_eq!(run.summary.completed, 20);

        let lines = log.events_with("cognate::evaluate", "evaluation progress");
        let done: Vec<usize> = lines.iter().map(|e| e.field("done").unwrap().parse().unwrap()).collect();
        for step in (2..=20).step_by(2) {
            assert!(done.contains(&step), "no line at {step}: {done:?}");
        }
        assert!(done.windows(2).all(|w| w[0] < w[1]), "{done:?}");
        let last = lines.last().unwrap();
        assert_eq!(last.level, tracing::Level::INFO);
        assert_eq!(
            (last.field("total"), last.field("errors"), last.field("average")),
            (Some("20"), Some("0"), Some("0.05"))
        );
        assert!(last.message().contains("20/20 examples, average 0.050"), "{}", last.message());
        assert_eq!(log.events_with("cognate::evaluate", "evaluation finished").len(), 1);

        // `with_progress(false)` turns the lines off (start and finish are still logged).
        let quiet = Evaluate::new(ExactMatch::new()).with_progress(false);
        let log = cognate_testing::EventLog::default();
        let _guard = log.install();
        settings.scope(async { quiet.collect_showing(quiet.stream(&program, &data), false).await }).await.unwrap();
        assert!(log.events_with("cognate::evaluate", "evaluation progress").is_empty());
        assert_eq!(log.events_with("cognate::evaluate", "evaluation finished").len(), 1);
    }

    #[test]
    fn progress_lines_are_due_every_tenth_of_the_work() {
        let due = |total: usize| {
            let mut log = ProgressLog::new(total);
            (1..=total).filter(|&done| log.is_due(done)).collect::<Vec<_>>()
        };
        // Nothing here takes 10 s, so only the tenths are due.
        assert_eq!(due(100), [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
        assert_eq!(due(25), [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]);
        assert_eq!(due(3), [1, 2, 3]);
        // Items finished in bursts: one line per burst that crosses a tenth.
        let mut log = ProgressLog::new(100);
        assert!(!log.is_due(5));
        assert!(log.is_due(37));
        assert!(!log.is_due(39));
        assert!(log.is_due(40));
    }

    #[test]
    fn run_and_stream_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        let program = Predictor::new(SignatureDesc::parse("question -> answer").unwrap());
        let evaluate = Evaluate::new(ExactMatch::new());
        let data = vec![Example::default()];
        assert_send(&evaluate.run(&program, &data));
        assert_send(&evaluate.stream(&program, &data));
    }
}
