//! Answer metrics: [`ExactMatch`], [`AnswerF1`] and [`PassageMatch`].

use cognate_core::{Example, Prediction};
use cognate_runtime::Result;
use serde_json::Value;

use super::text::{exact_match_score, f1_score, has_answer};
use super::{Metric, Score, field_error, field_text};

/// The gold answers of an example: a string, or a list of acceptable strings.
fn gold_answers(example: &Example, field: &str) -> Result<Vec<String>> {
    match example.get(field) {
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| field_error("example", field, "expected a list of strings"))
            })
            .collect(),
        Some(Value::Array(_)) => Err(field_error("example", field, "the list of answers is empty")),
        Some(other) => {
            Err(field_error("example", field, &format!("expected a string or a list of strings, got {other}")))
        }
        None => Err(field_error("example", field, "missing")),
    }
}

fn predicted(prediction: &Prediction, field: &str) -> Result<String> {
    prediction.get(field).map(field_text).ok_or_else(|| field_error("prediction", field, "missing"))
}

fn describe_gold(gold: &[String]) -> String {
    match gold {
        [one] => format!("{one:?}"),
        many => format!("one of {many:?}"),
    }
}

/// Exact match after [`normalize_text`](super::normalize_text), against a string or any of a
/// list of acceptable answers (DSPy's `answer_exact_match`). With
/// [`with_frac`](Self::with_frac) below 1, the best token F1 must reach the fraction instead.
///
/// The gold field must be a string or a list of strings; the predicted field is compared as
/// text (non-strings as their JSON text). Scores 1 or 0, with feedback when 0.
#[derive(Debug, Clone)]
pub struct ExactMatch {
    gold_field: String,
    pred_field: String,
    frac: f64,
}

impl Default for ExactMatch {
    fn default() -> Self {
        Self::new()
    }
}

impl ExactMatch {
    /// Compares the example's `answer` with the prediction's `answer`.
    pub fn new() -> Self {
        ExactMatch { gold_field: "answer".into(), pred_field: "answer".into(), frac: 1.0 }
    }

    /// Compares the example's `gold` field with the prediction's `pred` field.
    #[must_use]
    pub fn with_fields(mut self, gold: impl Into<String>, pred: impl Into<String>) -> Self {
        self.gold_field = gold.into();
        self.pred_field = pred.into();
        self
    }

    /// Passes when the best token F1 is at least `frac` (exact match when `frac >= 1`).
    #[must_use]
    pub fn with_frac(mut self, frac: f64) -> Self {
        self.frac = frac;
        self
    }

    fn judge(&self, example: &Example, prediction: &Prediction) -> Result<Score> {
        let gold = gold_answers(example, &self.gold_field)?;
        let answer = predicted(prediction, &self.pred_field)?;
        let pass = if self.frac >= 1.0 {
            gold.iter().any(|g| exact_match_score(&answer, g))
        } else {
            gold.iter().map(|g| f1_score(&answer, g)).fold(0.0, f64::max) >= self.frac
        };
        let score = Score::from(pass);
        Ok(if pass { score } else { score.with_feedback(format!("expected {}, got {answer:?}", describe_gold(&gold))) })
    }
}

impl Metric for ExactMatch {
    fn score(&self, example: &Example, prediction: &Prediction) -> impl Future<Output = Result<Score>> + Send {
        std::future::ready(self.judge(example, prediction))
    }
}

/// The best token F1 of the predicted answer against the gold answer(s) (DSPy's `F1`).
#[derive(Debug, Clone)]
pub struct AnswerF1 {
    gold_field: String,
    pred_field: String,
}

impl Default for AnswerF1 {
    fn default() -> Self {
        Self::new()
    }
}

impl AnswerF1 {
    /// Compares the example's `answer` with the prediction's `answer`.
    pub fn new() -> Self {
        AnswerF1 { gold_field: "answer".into(), pred_field: "answer".into() }
    }

    /// Compares the example's `gold` field with the prediction's `pred` field.
    #[must_use]
    pub fn with_fields(mut self, gold: impl Into<String>, pred: impl Into<String>) -> Self {
        self.gold_field = gold.into();
        self.pred_field = pred.into();
        self
    }

    fn judge(&self, example: &Example, prediction: &Prediction) -> Result<Score> {
        let gold = gold_answers(example, &self.gold_field)?;
        let answer = predicted(prediction, &self.pred_field)?;
        let best = gold.iter().map(|g| f1_score(&answer, g)).fold(0.0, f64::max);
        let score = Score::new(best);
        Ok(if best < 1.0 {
            score.with_feedback(format!("token F1 {best:.2}: expected {}, got {answer:?}", describe_gold(&gold)))
        } else {
            score
        })
    }
}

impl Metric for AnswerF1 {
    fn score(&self, example: &Example, prediction: &Prediction) -> impl Future<Output = Result<Score>> + Send {
        std::future::ready(self.judge(example, prediction))
    }
}

/// Whether any retrieved passage contains a gold answer (DSPy's `answer_passage_match`).
///
/// The prediction's context field is a list of passages (strings) or a single string.
#[derive(Debug, Clone)]
pub struct PassageMatch {
    gold_field: String,
    context_field: String,
}

impl Default for PassageMatch {
    fn default() -> Self {
        Self::new()
    }
}

impl PassageMatch {
    /// Looks for the example's `answer` in the prediction's `context`.
    pub fn new() -> Self {
        PassageMatch { gold_field: "answer".into(), context_field: "context".into() }
    }

    /// Looks for the example's `gold` field in the prediction's `context` field.
    #[must_use]
    pub fn with_fields(mut self, gold: impl Into<String>, context: impl Into<String>) -> Self {
        self.gold_field = gold.into();
        self.context_field = context.into();
        self
    }

    fn judge(&self, example: &Example, prediction: &Prediction) -> Result<Score> {
        let gold = gold_answers(example, &self.gold_field)?;
        let gold: Vec<&str> = gold.iter().map(String::as_str).collect();
        let passages: Vec<String> = match prediction.get(&self.context_field) {
            Some(Value::Array(items)) => items.iter().map(field_text).collect(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(other) => {
                return Err(field_error(
                    "prediction",
                    &self.context_field,
                    &format!("expected a list of passages, got {other}"),
                ));
            }
            None => return Err(field_error("prediction", &self.context_field, "missing")),
        };
        let pass = passages.iter().any(|p| has_answer(p, &gold));
        let score = Score::from(pass);
        Ok(if pass {
            score
        } else {
            score.with_feedback(format!("none of the {} passages contains {gold:?}", passages.len()))
        })
    }
}

impl Metric for PassageMatch {
    fn score(&self, example: &Example, prediction: &Prediction) -> impl Future<Output = Result<Score>> + Send {
        std::future::ready(self.judge(example, prediction))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ex(answer: Value) -> Example {
        Example::default().with("answer", answer)
    }

    fn pred(field: &str, value: Value) -> Prediction {
        Prediction::new(Example::default().with(field, value).data)
    }

    fn check(
        metric: &dyn Fn(&Example, &Prediction) -> Result<Score>,
        gold: Value,
        field: &str,
        got: Value,
        expected: Result<(f64, Option<&str>), &str>,
    ) {
        let result = metric(&ex(gold.clone()), &pred(field, got.clone()));
        let result = result.map(|s| (s.value, s.feedback)).map_err(|e| e.to_string());
        let expected = expected.map(|(v, f)| (v, f.map(str::to_string))).map_err(str::to_string);
        assert_eq!(result, expected, "gold {gold}, predicted {got}");
    }

    #[test]
    fn exact_match_cases() {
        let em = ExactMatch::new();
        let m = |e: &Example, p: &Prediction| em.judge(e, p);
        check(&m, json!("Paris"), "answer", json!("the paris!"), Ok((1.0, None)));
        check(&m, json!(["Eiffel Tower", "Louvre"]), "answer", json!("The Eiffel Tower"), Ok((1.0, None)));
        check(
            &m,
            json!("Paris"),
            "answer",
            json!("Paris, France"),
            Ok((0.0, Some("expected \"Paris\", got \"Paris, France\""))),
        );
        check(
            &m,
            json!(["a b", "c"]),
            "answer",
            json!("d"),
            Ok((0.0, Some("expected one of [\"a b\", \"c\"], got \"d\""))),
        );
        check(&m, json!("42"), "answer", json!(42), Ok((1.0, None)));
        check(
            &m,
            json!(42),
            "answer",
            json!("42"),
            Err("cannot convert example field `answer`: expected a string or a list of strings, got 42"),
        );
        check(&m, json!("x"), "other", json!("x"), Err("cannot convert prediction field `answer`: missing"));
        let half = ExactMatch::new().with_frac(0.5);
        let m = |e: &Example, p: &Prediction| half.judge(e, p);
        check(&m, json!(["Eiffel Tower", "Louvre"]), "answer", json!("The Eiffel Tower"), Ok((1.0, None)));
        check(&m, json!("Eiffel Tower"), "answer", json!("Eiffel Tower in Paris"), Ok((1.0, None)));
        check(
            &m,
            json!("Eiffel Tower"),
            "answer",
            json!("the tower of pisa and rome"),
            Ok((0.0, Some("expected \"Eiffel Tower\", got \"the tower of pisa and rome\""))),
        );
    }

    #[test]
    fn f1_and_passage_cases() {
        let f1 = AnswerF1::new();
        let m = |e: &Example, p: &Prediction| f1.judge(e, p);
        check(&m, json!(["Paris", "x"]), "answer", json!("Paris"), Ok((1.0, None)));
        check(
            &m,
            json!("Paris France"),
            "answer",
            json!("Paris, Texas"),
            Ok((0.5, Some("token F1 0.50: expected \"Paris France\", got \"Paris, Texas\""))),
        );
        let pm = PassageMatch::new();
        let m = |e: &Example, p: &Prediction| pm.judge(e, p);
        check(&m, json!("Eiffel Tower"), "context", json!(["The Eiffel Tower is in Paris.", "..."]), Ok((1.0, None)));
        check(
            &m,
            json!(["Louvre"]),
            "context",
            json!("One passage about the Eiffel Tower."),
            Ok((0.0, Some("none of the 1 passages contains [\"Louvre\"]"))),
        );
        check(
            &m,
            json!("x"),
            "context",
            json!(3),
            Err("cannot convert prediction field `context`: expected a list of passages, got 3"),
        );
    }
}
