//! [`NumericMatch`]: compare the final numbers of GSM8K-style answers.

use cognate_core::{Example, Prediction};
use cognate_runtime::Result;

use super::{Metric, Score, field_error, field_text};

/// DSPy's `parse_integer_answer` from `dspy/datasets/gsm8k.py`, reimplemented exactly: on
/// the first line (when `only_first_line`), take the last whitespace-separated token that
/// contains a digit, cut it at the first `.`, keep only its digits and read them as an
/// integer; 0 when there is none.
///
/// Consequences kept for compatibility: signs are dropped (`-5` gives 5), decimals are cut
/// (`3.99` gives 3), and an answer without digits equals an answer of 0. Differences: only
/// ASCII digits count (Python's `isdigit` accepts other scripts), and more than 38 digits
/// give 0 where Python would keep the big integer.
///
/// ```
/// use cognate_eval::metrics::parse_integer_answer;
/// assert_eq!(parse_integer_answer("The answer is $1,000.50.", true), 1000);
/// assert_eq!(parse_integer_answer("no idea", true), 0);
/// ```
pub fn parse_integer_answer(answer: &str, only_first_line: bool) -> u128 {
    let text = if only_first_line { answer.trim().split('\n').next().unwrap_or_default() } else { answer };
    // Python's `str.split()` separators: Unicode whitespace and the ASCII separators 0x1C-0x1F.
    let separator = |c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c);
    let Some(token) = text.split(separator).rfind(|t| t.chars().any(|c| c.is_ascii_digit())) else {
        return 0;
    };
    let head = token.split('.').next().unwrap_or_default();
    let digits: String = head.chars().filter(char::is_ascii_digit).collect();
    digits.parse().unwrap_or(0)
}

/// The final number of an answer, as [`NumericMatch`] reads it: the text after the last
/// `####` if there is one (GSM8K's solution format), else the first non-empty line (when
/// `only_first_line`) or the whole text; in it, the last number, with its sign and decimals,
/// ignoring `$` and thousands separators (`-$1,234.50` is -1234.5). `None` when there is no
/// number.
///
/// ```
/// use cognate_eval::metrics::extract_number;
/// assert_eq!(extract_number("Janet sells 9 eggs.\n#### 18", true), Some(18.0));
/// assert_eq!(extract_number("It costs $1,000.", true), Some(1000.0));
/// assert_eq!(extract_number("-42.0", true), Some(-42.0));
/// assert_eq!(extract_number("none", true), None);
/// ```
pub fn extract_number(text: &str, only_first_line: bool) -> Option<f64> {
    let text = match text.rfind("####") {
        Some(i) => &text[i + 4..],
        None if only_first_line => text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default(),
        None => text,
    };
    last_number(text)
}

fn last_number(text: &str) -> Option<f64> {
    let chars: Vec<char> = text.chars().collect();
    let mut last = None;
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let negative = {
            let mut j = i;
            while j > 0 && chars[j - 1] == '$' {
                j -= 1;
            }
            j > 0 && chars[j - 1] == '-' && (j == 1 || !chars[j - 2].is_alphanumeric())
        };
        let mut digits = String::new();
        while i < chars.len() {
            let c = chars[i];
            if c.is_ascii_digit() {
                digits.push(c);
            } else if c == ',' && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                // A thousands separator: skip it.
            } else if c == '.' && !digits.contains('.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                digits.push('.');
            } else {
                break;
            }
            i += 1;
        }
        let value: f64 = digits.parse().ok()?;
        last = Some(if negative { -value } else { value });
    }
    last
}

/// Whether the final number of the prediction equals the gold one: GSM8K's accuracy.
///
/// Both answers are read with [`extract_number`] and compared numerically (relative
/// tolerance 1e-9), so `18`, `18.0`, `$18` and `#### 18` all match. Differences from DSPy's
/// `gsm8k_metric` (which compares [`parse_integer_answer`]s): signs and decimals count
/// (`-5` is not `5`, `3.5` is not `3`), `####` is understood, and a missing number is a miss
/// with feedback rather than a 0. [`dspy_compatible`](Self::dspy_compatible) switches to
/// DSPy's exact behaviour.
#[derive(Debug, Clone)]
pub struct NumericMatch {
    gold_field: String,
    pred_field: String,
    only_first_line: bool,
    dspy: bool,
}

impl Default for NumericMatch {
    fn default() -> Self {
        Self::new()
    }
}

impl NumericMatch {
    /// Compares the example's `answer` with the prediction's `answer`, reading the first line.
    pub fn new() -> Self {
        NumericMatch { gold_field: "answer".into(), pred_field: "answer".into(), only_first_line: true, dspy: false }
    }

    /// Compares the example's `gold` field with the prediction's `pred` field.
    #[must_use]
    pub fn with_fields(mut self, gold: impl Into<String>, pred: impl Into<String>) -> Self {
        self.gold_field = gold.into();
        self.pred_field = pred.into();
        self
    }

    /// Whether to read only the first non-empty line of answers without `####` (default
    /// `true`, as DSPy).
    #[must_use]
    pub fn only_first_line(mut self, only_first_line: bool) -> Self {
        self.only_first_line = only_first_line;
        self
    }

    /// Compares DSPy's [`parse_integer_answer`]s instead.
    #[must_use]
    pub fn dspy_compatible(mut self, dspy: bool) -> Self {
        self.dspy = dspy;
        self
    }

    fn judge(&self, example: &Example, prediction: &Prediction) -> Result<Score> {
        let gold = example
            .get(&self.gold_field)
            .map(field_text)
            .ok_or_else(|| field_error("example", &self.gold_field, "missing"))?;
        let answer = prediction
            .get(&self.pred_field)
            .map(field_text)
            .ok_or_else(|| field_error("prediction", &self.pred_field, "missing"))?;
        if self.dspy {
            let (g, p) = (
                parse_integer_answer(&gold, self.only_first_line),
                parse_integer_answer(&answer, self.only_first_line),
            );
            let score = Score::from(g == p);
            return Ok(if g == p {
                score
            } else {
                score.with_feedback(format!("expected {g}, got {p} (from {answer:?})"))
            });
        }
        let Some(g) = extract_number(&gold, self.only_first_line) else {
            return Err(field_error("example", &self.gold_field, &format!("no number in {gold:?}")));
        };
        Ok(match extract_number(&answer, self.only_first_line) {
            Some(p) if (p - g).abs() <= 1e-9 * g.abs().max(p.abs()).max(1.0) => Score::new(1.0),
            Some(p) => Score::new(0.0).with_feedback(format!("expected {g}, got {p} (from {answer:?})")),
            None => Score::new(0.0).with_feedback(format!("expected {g}, but the answer has no number: {answer:?}")),
        })
    }
}

impl Metric for NumericMatch {
    fn score(&self, example: &Example, prediction: &Prediction) -> impl Future<Output = Result<Score>> + Send {
        std::future::ready(self.judge(example, prediction))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn check_extract(text: &str, expected: Option<f64>) {
        assert_eq!(extract_number(text, true), expected, "input: {text:?}");
    }

    #[test]
    fn extracts_final_numbers() {
        check_extract("18", Some(18.0));
        check_extract("#### 18", Some(18.0));
        check_extract("She makes 9 * 2 = $18 every day.\n#### 18", Some(18.0));
        check_extract("$1,234,567.50", Some(1_234_567.5));
        check_extract("18.0", Some(18.0));
        check_extract("The answer is 18.", Some(18.0));
        check_extract("-5 degrees", Some(-5.0));
        check_extract("-$5", Some(-5.0));
        check_extract("3-5", Some(5.0));
        check_extract("x-5", Some(5.0));
        check_extract("1, 2, 3", Some(3.0));
        check_extract("42\nbecause 6 * 7", Some(42.0));
        check_extract("\n\n  7 apples\n8", Some(7.0));
        check_extract("no number", None);
        check_extract("", None);
        assert_eq!(extract_number("42\nbecause 6 * 7", false), Some(7.0));
    }

    fn check_dspy(text: &str, expected: u128) {
        assert_eq!(parse_integer_answer(text, true), expected, "input: {text:?}");
    }

    #[test]
    fn parses_integers_like_dspy() {
        check_dspy("18", 18);
        check_dspy("$1,000.50 dollars", 1000);
        check_dspy("-5", 5);
        check_dspy("3.99", 3);
        check_dspy(".5", 0);
        check_dspy("answer: 12\n#### 13", 12);
        check_dspy("no digits", 0);
        check_dspy("  \n 7 then 8", 8);
        assert_eq!(parse_integer_answer("a\n#### 13", false), 13);
    }

    fn check(metric: &NumericMatch, gold: Value, got: Value, expected: (f64, Option<&str>)) {
        let example = Example::default().with("answer", gold.clone());
        let prediction = Prediction::new(Example::default().with("answer", got.clone()).data);
        let score = metric.judge(&example, &prediction).unwrap();
        assert_eq!((score.value, score.feedback.as_deref()), expected, "gold {gold}, predicted {got}");
    }

    #[test]
    fn numeric_match_cases() {
        let m = NumericMatch::new();
        check(&m, json!("18"), json!("18.0"), (1.0, None));
        check(&m, json!("Janet sells...\n#### 1,800"), json!("$1800"), (1.0, None));
        check(&m, json!(18), json!("18"), (1.0, None));
        check(&m, json!("5"), json!("-5"), (0.0, Some("expected 5, got -5 (from \"-5\")")));
        check(&m, json!("0"), json!("unsure"), (0.0, Some("expected 0, but the answer has no number: \"unsure\"")));
        let d = NumericMatch::new().dspy_compatible(true);
        check(&d, json!("5"), json!("-5"), (1.0, None));
        check(&d, json!("0"), json!("unsure"), (1.0, None));
        check(&d, json!("3"), json!("4"), (0.0, Some("expected 3, got 4 (from \"4\")")));
        let err = m.judge(&Example::default().with("answer", "none"), &Prediction::default()).unwrap_err();
        assert_eq!(err.to_string(), "cannot convert prediction field `answer`: missing");
    }
}
