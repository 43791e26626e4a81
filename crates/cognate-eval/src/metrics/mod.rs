//! Metrics: how good a prediction is for an example, as a [`Score`] with optional textual
//! feedback (reflective optimizers read the feedback).
//!
//! | metric | what it checks | DSPy equivalent |
//! |---|---|---|
//! | [`ExactMatch`] | normalized answer equals the gold answer (or one of a list); optional F1 threshold | `dspy.evaluate.answer_exact_match` |
//! | [`AnswerF1`] | best token F1 against the gold answer(s) | `dspy.evaluate.metrics.F1` |
//! | [`PassageMatch`] | some retrieved passage contains a gold answer | `dspy.evaluate.answer_passage_match` |
//! | [`NumericMatch`] | the final number of the answer equals the gold number | `dspy.datasets.gsm8k.gsm8k_metric` |
//! | [`SemanticF1`] | an LM judges recall and precision of the response; F1 of both | `dspy.evaluate.SemanticF1` |
//!
//! Any closure `Fn(&Example, &Prediction) -> R` is a metric when `R` is a number, a `bool`, a
//! [`Score`] or a `Result` of one; [`metric_fn`] turns an async closure into one.
//!
//! ```
//! use cognate_core::{Example, Prediction};
//! use cognate_eval::metrics::{ExactMatch, Metric};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let example = Example::default().with("question", "Capital of France?").with("answer", "Paris");
//! let prediction = Prediction::new(Example::default().with("answer", "paris.").data);
//! let score = ExactMatch::new().score(&example, &prediction).await.unwrap();
//! assert_eq!(score.value, 1.0);
//!
//! let length = |_: &Example, p: &Prediction| p.get("answer").and_then(|a| a.as_str()).map_or(0.0, |a| a.len() as f64);
//! assert_eq!(length.score(&example, &prediction).await.unwrap().value, 6.0);
//! # }
//! ```

mod answer;
mod numeric;
mod semantic;
mod text;

use std::future::Future;

use cognate_core::{Example, Prediction};
use cognate_runtime::Result;
use serde::{Deserialize, Serialize};

pub use answer::{AnswerF1, ExactMatch, PassageMatch};
pub use numeric::{NumericMatch, extract_number, parse_integer_answer};
pub use semantic::{DecompositionalSemanticRecallPrecision, SemanticF1, SemanticRecallPrecision, clamped_f1};
pub use text::{exact_match_score, f1_score, has_answer, hotpot_f1_score, normalize_text, precision_score};

/// A metric's verdict on one prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The score; most metrics use `0.0..=1.0`.
    pub value: f64,
    /// Why, in words, for reflective optimizers and reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

impl Score {
    /// A score without feedback.
    pub fn new(value: f64) -> Self {
        Score { value, feedback: None }
    }

    /// Adds feedback.
    #[must_use]
    pub fn with_feedback(mut self, feedback: impl Into<String>) -> Self {
        self.feedback = Some(feedback.into());
        self
    }
}

impl From<f64> for Score {
    fn from(value: f64) -> Self {
        Score::new(value)
    }
}

impl From<bool> for Score {
    fn from(pass: bool) -> Self {
        Score::new(if pass { 1.0 } else { 0.0 })
    }
}

/// What a metric closure may return: a number, a `bool` (1 or 0), a [`Score`], or a
/// [`Result`] (the runtime's, as modules return) of one of those.
pub trait IntoScore {
    /// The score.
    ///
    /// # Errors
    /// When `self` is an error.
    fn into_score(self) -> Result<Score>;
}

impl IntoScore for Score {
    fn into_score(self) -> Result<Score> {
        Ok(self)
    }
}

impl IntoScore for f64 {
    fn into_score(self) -> Result<Score> {
        Ok(Score::new(self))
    }
}

impl IntoScore for f32 {
    fn into_score(self) -> Result<Score> {
        Ok(Score::new(f64::from(self)))
    }
}

impl IntoScore for bool {
    fn into_score(self) -> Result<Score> {
        Ok(Score::from(self))
    }
}

impl<T: IntoScore> IntoScore for Result<T> {
    fn into_score(self) -> Result<Score> {
        self.and_then(IntoScore::into_score)
    }
}

/// Scores predictions.
///
/// A metric that calls an LM (like [`SemanticF1`]) uses the current
/// [`Settings`](cognate_runtime::Settings); [`Evaluate`](crate::Evaluate) runs metrics in
/// the scope it was called from, so their LM calls are not counted as the program's.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a metric",
    note = "metrics are closures `Fn(&Example, &Prediction) -> f64 | bool | Score`, `metric_fn(async closure)`, or types implementing `cognate_eval::Metric`"
)]
pub trait Metric: Send + Sync {
    /// Scores `prediction` for `example`.
    ///
    /// # Errors
    /// When the example or prediction lacks what the metric needs, or an LM judge fails.
    /// [`Evaluate`](crate::Evaluate) counts the example as failed.
    fn score(&self, example: &Example, prediction: &Prediction) -> impl Future<Output = Result<Score>> + Send;
}

impl<F, R> Metric for F
where
    F: Fn(&Example, &Prediction) -> R + Send + Sync,
    R: IntoScore,
{
    fn score(&self, example: &Example, prediction: &Prediction) -> impl Future<Output = Result<Score>> + Send {
        std::future::ready(self(example, prediction).into_score())
    }
}

/// A metric from an async closure. The closure gets owned copies of the example and the
/// prediction, so its future may hold them across awaits.
///
/// ```
/// use cognate_core::{Example, Prediction};
/// use cognate_eval::metrics::{Metric, Score, metric_fn};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let metric = metric_fn(|example: Example, prediction: Prediction| async move {
///     Ok(Score::from(example.get("answer") == prediction.get("answer")))
/// });
/// let ex = Example::default().with("answer", 4);
/// assert_eq!(metric.score(&ex, &Prediction::new(ex.data.clone())).await.unwrap().value, 1.0);
/// # }
/// ```
pub fn metric_fn<F, Fut>(f: F) -> AsyncFnMetric<F>
where
    F: Fn(Example, Prediction) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Score>> + Send,
{
    AsyncFnMetric { f }
}

/// The metric made by [`metric_fn`].
#[derive(Debug, Clone)]
pub struct AsyncFnMetric<F> {
    f: F,
}

impl<F, Fut> Metric for AsyncFnMetric<F>
where
    F: Fn(Example, Prediction) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Score>> + Send,
{
    fn score(&self, example: &Example, prediction: &Prediction) -> impl Future<Output = Result<Score>> + Send {
        (self.f)(example.clone(), prediction.clone())
    }
}

/// The text of a field for comparisons: strings as they are, other values as JSON text.
pub(crate) fn field_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A metric's error for a missing or mistyped field.
pub(crate) fn field_error(what: &str, field: &str, problem: &str) -> cognate_runtime::Error {
    cognate_runtime::Error::Core(cognate_core::Error::Conversion {
        what: format!("{what} field `{field}`"),
        source: <serde_json::Error as serde::de::Error>::custom(problem),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn closures_return_numbers_bools_scores_and_results() {
        let ex = Example::default().with("answer", "x");
        let pred = Prediction::default();
        assert_eq!((|_: &Example, _: &Prediction| 0.5).score(&ex, &pred).await.unwrap(), Score::new(0.5));
        assert_eq!((|_: &Example, _: &Prediction| 0.25f32).score(&ex, &pred).await.unwrap(), Score::new(0.25));
        assert_eq!((|_: &Example, _: &Prediction| true).score(&ex, &pred).await.unwrap(), Score::new(1.0));
        let with_feedback = |_: &Example, _: &Prediction| Score::new(0.0).with_feedback("wrong");
        assert_eq!(with_feedback.score(&ex, &pred).await.unwrap().feedback.as_deref(), Some("wrong"));
        let failing =
            |_: &Example, _: &Prediction| -> Result<f64> { Err(field_error("prediction", "answer", "missing")) };
        let err = failing.score(&ex, &pred).await.unwrap_err();
        assert_eq!(err.to_string(), "cannot convert prediction field `answer`: missing");
    }
}
