//! [`Evaluate`]: run a module over a dataset with bounded concurrency, score each prediction,
//! stream the records as they complete and total them.

mod export;
mod progress;
mod record;

use std::any::Any;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use cognate_core::{Example, Prediction};
use cognate_runtime::{Module, Settings};
use futures::stream::{BoxStream, Stream, StreamExt};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use record::{EvaluationResult, Failure, Record, Stage, Summary};

use crate::error::{Error, Result};
use crate::metrics::{Metric, Score};
use crate::usage::{UsageSnapshot, UsageTracker};
use progress::Progress;

/// Evaluates modules with a metric (DSPy's `dspy.Evaluate`).
///
/// * **Concurrency**: at most [`concurrency`](Self::with_concurrency) examples (default 16)
///   are in flight, as futures in the calling task (`buffer_unordered`), so the task-local
///   [`Settings`] apply and thousands of concurrent calls cost no threads.
/// * **Streaming**: [`stream`](Self::stream) yields each [`Record`] as it completes;
///   [`run`](Self::run) collects them into an [`EvaluationResult`] in dataset order.
/// * **Errors**: a failed example (input conversion, module, or metric) is scored
///   [`failure_score`](Self::with_failure_score) (default 0) and counted. When more than
///   [`max_errors`](Self::with_max_errors) examples fail, no new calls are issued, in-flight
///   ones are abandoned, and `run` returns [`Error::TooManyErrors`] with the partial results.
/// * **Usage**: the current settings' LM is wrapped in a [`CountingLm`](crate::CountingLm) for
///   the module's calls and another for the metric's, so the [`Summary`] counts calls and
///   tokens exactly.
/// * **Progress**: an indicatif bar when stderr is a terminal; `tracing` events on the
///   `cognate::evaluate` target (start and end at `info`, each example at `debug`).
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
    progress: bool,
}

impl<Me: Metric> Evaluate<Me> {
    /// An evaluation with `metric`, concurrency 16, no error budget, failure score 0 and a
    /// progress bar on terminals.
    pub fn new(metric: Me) -> Self {
        Evaluate { metric, concurrency: 16, max_errors: None, failure_score: 0.0, progress: true }
    }

    /// Sets how many examples are evaluated at once (0 is treated as 1).
    #[must_use]
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Stops when more than `max_errors` examples have failed (`None`: never stop).
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

    /// Whether to draw a progress bar when stderr is a terminal (default `true`).
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
    /// [`Error::TooManyErrors`] when the error budget is exceeded. Failures of single examples
    /// are not errors: they are recorded and scored with the failure score.
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
        F: Fn(&Example) -> cognate_core::Result<M::Input> + Send,
    {
        self.collect(self.stream_with(module, dataset, to_input)).await
    }

    /// The records of evaluating `module` on `dataset`, as they complete (not in dataset
    /// order; each carries its index). Inputs are built as in [`run`](Self::run). The stream
    /// ends after the last example, or right after the record that exceeds the error budget.
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
        self.stream_with(module, dataset, move |example: &Example| cognate_core::from_values(&example.inputs(), what))
    }

    /// Like [`stream`](Self::stream), building each input with `to_input`.
    pub fn stream_with<'a, M, F>(&'a self, module: &'a M, dataset: &'a [Example], to_input: F) -> EvaluationStream<'a>
    where
        M: Module,
        M::Output: Serialize,
        F: Fn(&Example) -> cognate_core::Result<M::Input> + Send + 'a,
    {
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
        let inner = futures::stream::iter(dataset.iter().enumerate())
            .map(move |(index, example)| {
                // The input is built here, synchronously, so the future owns it.
                let input = to_input(example);
                let (program_settings, metric_settings) = (program_settings.clone(), metric_settings.clone());
                async move {
                    let started = Instant::now();
                    let fail = |stage, error| Some(Failure { stage, error: Arc::new(error) });
                    let (prediction, error, score) = match input {
                        Err(e) => (None, fail(Stage::Input, e), None),
                        Ok(input) => {
                            match program_settings.scope(module.forward(input)).await.and_then(into_prediction) {
                                Err(e) => (None, fail(Stage::Module, e), None),
                                Ok(prediction) => match metric_settings.scope(metric.score(example, &prediction)).await
                                {
                                    Ok(score) => (Some(prediction), None, Some(score)),
                                    Err(e) => (Some(prediction), fail(Stage::Metric, e), None),
                                },
                            }
                        }
                    };
                    Record {
                        index,
                        example: example.clone(),
                        prediction,
                        error,
                        score: score.unwrap_or_else(|| Score::new(failure_score)),
                        elapsed: started.elapsed(),
                    }
                }
            })
            .buffer_unordered(self.concurrency)
            .boxed();
        EvaluationStream {
            inner: Some(inner),
            examples: dataset.len(),
            concurrency: self.concurrency,
            max_errors: self.max_errors,
            completed: 0,
            errors: 0,
            exceeded: false,
            usage,
            metric_usage,
            started: Instant::now(),
        }
    }

    async fn collect(&self, mut stream: EvaluationStream<'_>) -> Result<EvaluationResult> {
        let mut progress = Progress::start(stream.examples, stream.concurrency, self.progress);
        let mut slots: Vec<Option<Record>> = (0..stream.examples).map(|_| None).collect();
        while let Some(record) = stream.next().await {
            progress.record(&record);
            let index = record.index;
            slots[index] = Some(record);
        }
        progress.finish(stream.exceeded);
        let records: Vec<Record> = slots.into_iter().flatten().collect();
        let summary = Summary::from_records(
            stream.examples,
            &records,
            stream.usage(),
            stream.metric_usage(),
            stream.started.elapsed(),
        );
        let result = EvaluationResult { records, summary };
        match (stream.exceeded, stream.max_errors) {
            (true, Some(max_errors)) => {
                Err(Error::TooManyErrors { errors: stream.errors, max_errors, partial: Box::new(result) })
            }
            _ => Ok(result),
        }
    }
}

/// A module's output as a [`Prediction`]: a `Prediction` as is, anything else through serde
/// (it must serialize to an object).
fn into_prediction<O: Serialize + 'static>(output: O) -> cognate_core::Result<Prediction> {
    let output: Box<dyn Any> = Box::new(output);
    match output.downcast::<Prediction>() {
        Ok(prediction) => Ok(*prediction),
        Err(other) => {
            let other = other.downcast::<O>().unwrap_or_else(|_| unreachable!("the box holds an `O`"));
            Ok(Prediction::new(cognate_core::to_values(&*other, std::any::type_name::<O>())?))
        }
    }
}

/// The records of an evaluation as they complete, from [`Evaluate::stream`].
///
/// Besides the records it tells the running totals: errors so far, whether the error budget
/// was exceeded, and LM usage.
pub struct EvaluationStream<'a> {
    inner: Option<BoxStream<'a, Record>>,
    examples: usize,
    concurrency: usize,
    max_errors: Option<usize>,
    completed: usize,
    errors: usize,
    exceeded: bool,
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
        self.completed
    }

    /// Failed records yielded so far.
    pub fn errors(&self) -> usize {
        self.errors
    }

    /// Whether the stream stopped because more than `max_errors` examples failed.
    pub fn budget_exceeded(&self) -> bool {
        self.exceeded
    }

    /// The module's LM usage so far.
    pub fn usage(&self) -> UsageSnapshot {
        self.usage.snapshot()
    }

    /// The metric's LM usage so far.
    pub fn metric_usage(&self) -> UsageSnapshot {
        self.metric_usage.snapshot()
    }
}

impl std::fmt::Debug for EvaluationStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvaluationStream")
            .field("examples", &self.examples)
            .field("completed", &self.completed)
            .field("errors", &self.errors)
            .field("budget_exceeded", &self.exceeded)
            .finish_non_exhaustive()
    }
}

impl Stream for EvaluationStream<'_> {
    type Item = Record;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Record>> {
        let this = &mut *self;
        let Some(inner) = this.inner.as_mut() else { return Poll::Ready(None) };
        let record = match inner.poll_next_unpin(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(None) => {
                this.inner = None;
                return Poll::Ready(None);
            }
            Poll::Ready(Some(record)) => record,
        };
        this.completed += 1;
        if record.is_error() {
            this.errors += 1;
            if this.max_errors.is_some_and(|max| this.errors > max) {
                // Abandon the calls in flight; issue no more.
                this.exceeded = true;
                this.inner = None;
            }
        }
        Poll::Ready(Some(record))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            Some(_) => (0, Some(self.examples - self.completed)),
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
        let p = into_prediction(Out { answer: 4 }).unwrap();
        assert_eq!(p.get("answer"), Some(&json!(4)));
        // A Prediction passes through untouched, completions included.
        let mut original = Prediction::new(Values::from_iter([("a".to_string(), json!(1))]));
        original.completions = vec![original.data.clone(), Values::new()];
        assert_eq!(into_prediction(original.clone()).unwrap(), original);
        // Outputs that are not objects are conversion errors.
        assert!(into_prediction(3u8).is_err());
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
