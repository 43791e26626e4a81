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

/// Why an example has no score of its own.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Where it failed.
    pub stage: Stage,
    /// The error (shared, so records stay cheap to clone).
    pub error: Arc<cognate_core::Error>,
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
    /// The metric's score, or the failure score.
    pub score: Score,
    /// How long the module and metric took for this example.
    pub elapsed: Duration,
}

impl Record {
    /// Whether the example failed.
    pub fn is_error(&self) -> bool {
        self.error.is_some()
    }

    /// The record as the JSON object written to JSON Lines exports:
    /// `{"index", "example", "prediction", "score", "feedback", "error", "elapsed_ms"}`, where
    /// `error` is `null` or `{"stage", "message"}`.
    pub fn to_json(&self) -> Value {
        json!({
            "index": self.index,
            "example": Value::Object(self.example.data.clone()),
            "prediction": self.prediction.as_ref().map(|p| Value::Object(p.data.clone())),
            "score": self.score.value,
            "feedback": self.score.feedback,
            "error": self.error.as_ref().map(|e| json!({"stage": e.stage.as_str(), "message": e.error.to_string()})),
            "elapsed_ms": self.elapsed.as_secs_f64() * 1000.0,
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
    /// Evaluated examples that failed (scored with the failure score).
    pub errors: usize,
    /// The sum of the scores of evaluated examples.
    pub total_score: f64,
    /// `total_score / completed` (0 when nothing was evaluated). DSPy reports this times 100.
    pub average_score: f64,
    /// LM calls made by the module (through the settings' LM), failed ones included.
    pub lm_calls: u64,
    /// Prompt tokens of the module's LM calls.
    pub prompt_tokens: u64,
    /// Completion tokens of the module's LM calls.
    pub completion_tokens: u64,
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

    pub(crate) fn from_records(
        examples: usize,
        records: &[Record],
        usage: UsageSnapshot,
        metric_usage: UsageSnapshot,
        wall_time: Duration,
    ) -> Self {
        let total_score: f64 = records.iter().map(|r| r.score.value).sum();
        let completed = records.len();
        Summary {
            examples,
            completed,
            errors: records.iter().filter(|r| r.is_error()).count(),
            total_score,
            average_score: if completed == 0 { 0.0 } else { total_score / completed as f64 },
            lm_calls: usage.calls,
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            metric_usage,
            wall_time,
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "average score {:.3} ({:.1}%) over {} of {} examples, {} errors; {} LM calls, {} prompt + {} completion tokens",
            self.average_score,
            self.percent(),
            self.completed,
            self.examples,
            self.errors,
            self.lm_calls,
            self.prompt_tokens,
            self.completion_tokens
        )?;
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
}
