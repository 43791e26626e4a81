//! What an evaluation produces: one [`Record`] per example, a [`Summary`] of totals, and the
//! [`EvaluationResult`] holding both.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use cognate_core::{Example, Prediction};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::metrics::Score;
use crate::usage::UsageSnapshot;

/// Where an example failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Stage {
    /// Building the module's input from the example.
    Input,
    /// Running the module (LM errors, unparsable replies, conversion of the output).
    Module,
    /// Scoring the prediction.
    Metric,
}

impl Stage {
    /// The stage's name: `input`, `module` or `metric`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Input => "input",
            Stage::Module => "module",
            Stage::Metric => "metric",
        }
    }
}

/// What kind of failure a [`Failure`] is, as the [`Summary`] breaks them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FailureKind {
    /// An LM reply could not be parsed into the signature's outputs, after the adapter's
    /// fallback if it has one (a program failure).
    Parse,
    /// An LM call hit a time limit (an infrastructure failure).
    Timeout,
    /// Another infrastructure failure: connection, `429`, `5xx`, ... (see
    /// [`cognate_core::Error::is_infrastructure`]).
    Infrastructure,
    /// Any other program failure: building the input, converting the output, the metric.
    Program,
}

impl FailureKind {
    /// The kind's name: `parse`, `timeout`, `infrastructure` or `program`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Parse => "parse",
            FailureKind::Timeout => "timeout",
            FailureKind::Infrastructure => "infrastructure",
            FailureKind::Program => "program",
        }
    }
}

/// Why an example has no score of its own.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Where it failed.
    pub stage: Stage,
    /// The error (shared, so records stay cheap to clone).
    pub error: Arc<cognate_runtime::Error>,
}

impl Failure {
    /// Whether the failure is an infrastructure error (the LM call failed; see
    /// [`cognate_runtime::Error::is_infrastructure`]) in the module or the metric. Building the
    /// input never fails for infrastructure reasons.
    pub fn is_infrastructure(&self) -> bool {
        self.stage != Stage::Input && self.error.is_infrastructure()
    }

    /// What kind of failure it is: a time-out or another infrastructure failure, an
    /// unparsable reply (the module's or an LM judge's), or another program failure.
    pub fn kind(&self) -> FailureKind {
        let timeout = matches!(self.error.as_lm_error(), Some(cognate_core::LmError::Timeout { .. }));
        match (self.is_infrastructure(), timeout) {
            (true, true) => FailureKind::Timeout,
            (true, false) => FailureKind::Infrastructure,
            (false, _) if self.error.as_parse_error().is_some() => FailureKind::Parse,
            (false, _) => FailureKind::Program,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}", self.stage.as_str(), self.error)
    }
}

/// The evaluation of one example.
#[derive(Debug, Clone)]
pub struct Record {
    /// The example's position in the dataset.
    pub index: usize,
    /// The example.
    pub example: Example,
    /// The module's outputs, when it succeeded (also when only the metric failed).
    pub prediction: Option<Prediction>,
    /// The failure, if any; the score is then the evaluation's `failure_score`.
    pub error: Option<Failure>,
    /// The metric's score, or the failure score (for an infrastructure failure left out of
    /// the totals by the [`InfraPolicy`](super::InfraPolicy), that score counts nowhere).
    pub score: Score,
    /// How long the module and metric took for this example.
    pub elapsed: Duration,
    /// The module's LM calls for this example that were retried with the adapter's fallback
    /// because the reply did not parse (ChatAdapter → JSONAdapter), whether or not the retry
    /// parsed.
    pub adapter_fallbacks: u64,
}

impl Record {
    /// Whether the example failed (for any reason).
    pub fn is_error(&self) -> bool {
        self.error.is_some()
    }

    /// Whether the example failed for infrastructure reasons (see
    /// [`Failure::is_infrastructure`]).
    pub fn is_infrastructure_error(&self) -> bool {
        self.error.as_ref().is_some_and(Failure::is_infrastructure)
    }

    /// The record as the JSON object written to JSON Lines exports:
    /// `{"index", "example", "prediction", "score", "feedback", "error", "elapsed_ms",
    /// "adapter_fallbacks"}`, where `error` is `null` or
    /// `{"stage", "kind", "message", "infrastructure"}`.
    pub fn to_json(&self) -> Value {
        json!({
            "index": self.index,
            "example": Value::Object(self.example.data.clone()),
            "prediction": self.prediction.as_ref().map(|p| Value::Object(p.data.clone())),
            "score": self.score.value,
            "feedback": self.score.feedback,
            "error": self.error.as_ref().map(|e| json!({"stage": e.stage.as_str(), "kind": e.kind().as_str(), "message": e.error.to_string(), "infrastructure": e.is_infrastructure()})),
            "elapsed_ms": self.elapsed.as_secs_f64() * 1000.0,
            "adapter_fallbacks": self.adapter_fallbacks,
        })
    }
}

/// The totals of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Examples in the dataset.
    pub examples: usize,
    /// Examples evaluated (fewer than `examples` when the error budget stopped the run).
    pub completed: usize,
    /// Evaluated examples that failed for program reasons (input, unparsable reply, output
    /// conversion, metric), scored with the failure score.
    pub errors: usize,
    /// Evaluated examples whose LM call (the module's or the metric's) failed for
    /// infrastructure reasons (see [`Failure::is_infrastructure`]). Left out of the score
    /// unless the policy is [`InfraPolicy::CountAsZero`](super::InfraPolicy::CountAsZero).
    #[serde(default)]
    pub infra_errors: usize,
    /// Of the `errors`, those whose LM reply could not be parsed, even by the adapter's
    /// fallback ([`FailureKind::Parse`]).
    #[serde(default)]
    pub parse_failures: usize,
    /// Of the `infra_errors`, those whose LM call timed out ([`FailureKind::Timeout`]).
    #[serde(default)]
    pub timeouts: usize,
    /// The module's LM calls retried with the adapter's fallback (ChatAdapter → JSONAdapter)
    /// because the reply did not parse, over all evaluated examples; a high count says the
    /// model does not follow the adapter's format.
    #[serde(default)]
    pub adapter_fallbacks: u64,
    /// Evaluated examples whose score is in the total: `completed`, minus the infrastructure
    /// failures when the policy leaves them out.
    #[serde(default)]
    pub scored: usize,
    /// The sum of the scores of the scored examples.
    pub total_score: f64,
    /// `total_score / scored` (0 when nothing was scored). DSPy reports this times 100.
    pub average_score: f64,
    /// LM calls made by the module (through the settings' LM), failed ones included.
    pub lm_calls: u64,
    /// Prompt tokens of the module's LM calls.
    pub prompt_tokens: u64,
    /// Completion tokens of the module's LM calls.
    pub completion_tokens: u64,
    /// The module's LM usage in full: calls (failed, cancelled, with tokens unknown), tokens
    /// (cached and reasoning ones too), dollars and latency (see
    /// [`UsageSnapshot`](cognate_lm::UsageSnapshot)).
    #[serde(default)]
    pub usage: UsageSnapshot,
    /// LM usage of the metric (for LM judges such as `SemanticF1`), counted apart.
    pub metric_usage: UsageSnapshot,
    /// Wall-clock time of the whole evaluation.
    #[serde(with = "duration_secs")]
    pub wall_time: Duration,
}

impl Summary {
    /// The average score as a percentage, as DSPy's `Evaluate` reports it.
    pub fn percent(&self) -> f64 {
        self.average_score * 100.0
    }

    pub(crate) fn from_totals(
        examples: usize,
        totals: &Totals,
        usage: UsageSnapshot,
        metric_usage: UsageSnapshot,
        wall_time: Duration,
    ) -> Self {
        Summary {
            examples,
            completed: totals.completed,
            errors: totals.errors,
            infra_errors: totals.infra_errors,
            parse_failures: totals.parse_failures,
            timeouts: totals.timeouts,
            adapter_fallbacks: totals.adapter_fallbacks,
            scored: totals.scored,
            total_score: totals.total_score,
            average_score: totals.average(),
            lm_calls: usage.calls,
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            usage,
            metric_usage,
            wall_time,
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "average score {:.3} ({:.1}%) over {} of {} examples, {} errors",
            self.average_score,
            self.percent(),
            self.scored,
            self.examples,
            self.errors,
        )?;
        if self.parse_failures > 0 {
            write!(f, " ({} unparsable replies)", self.parse_failures)?;
        }
        if self.infra_errors > 0 {
            let counted = self.scored + self.infra_errors > self.completed;
            let how = if counted { "scored as failures" } else { "not scored" };
            write!(f, ", {} infrastructure errors (", self.infra_errors)?;
            if self.timeouts > 0 {
                write!(f, "{} time-outs; ", self.timeouts)?;
            }
            write!(f, "{how})")?;
        }
        write!(f, "; {} LM calls", self.lm_calls)?;
        if self.adapter_fallbacks > 0 {
            write!(f, " ({} adapter fallbacks)", self.adapter_fallbacks)?;
        }
        write!(f, ", {} prompt + {} completion tokens", self.prompt_tokens, self.completion_tokens)?;
        match self.usage.cost() {
            Some(dollars) if dollars > 0.0 => write!(f, ", ${dollars:.4}")?,
            None if self.usage.cost_usd > 0.0 => write!(f, ", at least ${:.4}", self.usage.cost_usd)?,
            _ => {}
        }
        if self.metric_usage.calls > 0 {
            write!(
                f,
                " (metric: {} LM calls, {} tokens)",
                self.metric_usage.calls,
                self.metric_usage.prompt_tokens + self.metric_usage.completion_tokens
            )?;
        }
        write!(f, "; {:.2} s", self.wall_time.as_secs_f64())
    }
}

/// Running totals of an evaluation under an [`InfraPolicy`](super::InfraPolicy).
#[derive(Debug, Clone, Default)]
pub(crate) struct Totals {
    pub(crate) completed: usize,
    pub(crate) errors: usize,
    pub(crate) infra_errors: usize,
    pub(crate) parse_failures: usize,
    pub(crate) timeouts: usize,
    pub(crate) adapter_fallbacks: u64,
    pub(crate) scored: usize,
    pub(crate) total_score: f64,
}

impl Totals {
    /// Adds `record`; `exclude_infra` leaves infrastructure failures out of the score.
    pub(crate) fn add(&mut self, record: &Record, exclude_infra: bool) {
        self.completed += 1;
        self.adapter_fallbacks += record.adapter_fallbacks;
        match record.error.as_ref().map(Failure::kind) {
            Some(FailureKind::Parse) => self.parse_failures += 1,
            Some(FailureKind::Timeout) => self.timeouts += 1,
            _ => {}
        }
        let infra = record.is_infrastructure_error();
        if infra {
            self.infra_errors += 1;
        } else if record.is_error() {
            self.errors += 1;
        }
        if !(infra && exclude_infra) {
            self.scored += 1;
            self.total_score += record.score.value;
        }
    }

    pub(crate) fn average(&self) -> f64 {
        if self.scored == 0 { 0.0 } else { self.total_score / self.scored as f64 }
    }
}

mod duration_secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
    }
}

/// The result of [`Evaluate::run`](crate::Evaluate::run): records in dataset order and totals.
#[derive(Debug, Clone)]
pub struct EvaluationResult {
    /// One record per evaluated example, in dataset order.
    pub records: Vec<Record>,
    /// The totals.
    pub summary: Summary,
}

impl EvaluationResult {
    /// The average score (`summary.average_score`).
    pub fn score(&self) -> f64 {
        self.summary.average_score
    }

    /// The records of the examples that failed, in dataset order (each with its `index` and
    /// [`Failure`]).
    pub fn failures(&self) -> impl Iterator<Item = &Record> {
        self.records.iter().filter(|record| record.is_error())
    }

    /// The failed examples as a printable list, one line each: index, kind, stage and the
    /// error's first line (cut at 300 characters; the whole error is in the record).
    ///
    /// ```text
    /// 2 of 8 examples failed:
    ///   #3  parse           module failed: could not parse the LM reply: expected fields [answer], found []
    ///   #5  timeout         module failed: lm request timed out after 30s
    /// ```
    pub fn failure_report(&self) -> FailureReport<'_> {
        FailureReport(self)
    }
}

/// The failed examples of an [`EvaluationResult`], printed one per line by `Display` (see
/// [`EvaluationResult::failure_report`]).
#[derive(Debug, Clone, Copy)]
pub struct FailureReport<'a>(&'a EvaluationResult);

/// The most characters of an error shown on a [`FailureReport`] line.
const MAX_REPORTED_ERROR_CHARS: usize = 300;

impl fmt::Display for FailureReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed = self.0.failures().count();
        write!(f, "{failed} of {} examples failed", self.0.records.len())?;
        if failed == 0 {
            return Ok(());
        }
        f.write_str(":")?;
        for record in self.0.failures() {
            let Some(failure) = &record.error else { continue };
            let text = failure.to_string();
            let line = text.lines().next().unwrap_or_default();
            let mut shown: String = line.chars().take(MAX_REPORTED_ERROR_CHARS).collect();
            if shown.len() < text.len() {
                shown.push('…');
            }
            write!(f, "\n  #{:<4} {:<15} {shown}", record.index, failure.kind().as_str())?;
        }
        Ok(())
    }
}
