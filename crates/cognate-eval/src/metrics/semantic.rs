//! [`SemanticF1`]: an LM judges how much of the ground truth a response covers (recall) and
//! how much of the response the ground truth supports (precision).

use std::sync::OnceLock;

use cognate_core::{Example, FieldDesc, Prediction, Signature, SignatureDesc, TypeDesc};
use cognate_runtime::{ChainOfThought, Module, Result};
use serde::{Deserialize, Serialize};

use super::{Metric, Score, field_error, field_text};

// The two judge signatures, written with the core API (no proc macro in this crate). Their
// descriptors are what `#[signature]` would build from DSPy's classes: the same name,
// instructions, fields, descriptions and types, so the prompts stay byte-identical.

/// The three inputs both judges read.
fn judge_inputs(desc: SignatureDesc) -> SignatureDesc {
    desc.with_input(FieldDesc::new("question", TypeDesc::Str).with_desc("the question"))
        .with_input(FieldDesc::new("ground_truth", TypeDesc::Str).with_desc("the reference answer"))
        .with_input(FieldDesc::new("system_response", TypeDesc::Str).with_desc("the answer being judged"))
}

/// The two scores both judges produce, last.
fn judge_scores(desc: SignatureDesc) -> SignatureDesc {
    desc.with_output(
        FieldDesc::new("recall", TypeDesc::Float)
            .with_desc("fraction (out of 1.0) of ground truth covered by the system response"),
    )
    .with_output(
        FieldDesc::new("precision", TypeDesc::Float)
            .with_desc("fraction (out of 1.0) of system response covered by the ground truth"),
    )
}

/// DSPy's `SemanticRecallPrecision`: compare a system's response to the ground truth to
/// compute its recall and precision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SemanticRecallPrecision;

/// The inputs of both judge signatures ([`SemanticRecallPrecision`],
/// [`DecompositionalSemanticRecallPrecision`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SemanticRecallPrecisionInput {
    /// the question
    pub question: String,
    /// the reference answer
    pub ground_truth: String,
    /// the answer being judged
    pub system_response: String,
}

/// The outputs of [`SemanticRecallPrecision`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SemanticRecallPrecisionOutput {
    /// fraction (out of 1.0) of ground truth covered by the system response
    pub recall: f64,
    /// fraction (out of 1.0) of system response covered by the ground truth
    pub precision: f64,
}

impl Signature for SemanticRecallPrecision {
    type Input = SemanticRecallPrecisionInput;
    type Output = SemanticRecallPrecisionOutput;

    fn try_descriptor() -> cognate_core::Result<&'static SignatureDesc> {
        static DESCRIPTOR: OnceLock<SignatureDesc> = OnceLock::new();
        Ok(DESCRIPTOR.get_or_init(|| {
            let desc = SignatureDesc::new("SemanticRecallPrecision").with_instructions(
                "Compare a system's response to the ground truth to compute its recall and precision.\n\
                 If asked to reason, enumerate key ideas in each response, and whether they are present in the other response.",
            );
            judge_scores(judge_inputs(desc))
        }))
    }
}

/// DSPy's `DecompositionalSemanticRecallPrecision`: enumerate the key ideas of both
/// responses, discuss their overlap, then report recall and precision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DecompositionalSemanticRecallPrecision;

/// The outputs of [`DecompositionalSemanticRecallPrecision`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecompositionalSemanticRecallPrecisionOutput {
    /// enumeration of key ideas in the ground truth
    pub ground_truth_key_ideas: String,
    /// enumeration of key ideas in the system response
    pub system_response_key_ideas: String,
    /// discussion of the overlap between ground truth and system response
    pub discussion: String,
    /// fraction (out of 1.0) of ground truth covered by the system response
    pub recall: f64,
    /// fraction (out of 1.0) of system response covered by the ground truth
    pub precision: f64,
}

impl Signature for DecompositionalSemanticRecallPrecision {
    type Input = SemanticRecallPrecisionInput;
    type Output = DecompositionalSemanticRecallPrecisionOutput;

    fn try_descriptor() -> cognate_core::Result<&'static SignatureDesc> {
        static DESCRIPTOR: OnceLock<SignatureDesc> = OnceLock::new();
        Ok(DESCRIPTOR.get_or_init(|| {
            let desc = SignatureDesc::new("DecompositionalSemanticRecallPrecision").with_instructions(
                "Compare a system's response to the ground truth to compute recall and precision of key ideas.\n\
                 You will first enumerate key ideas in each response, discuss their overlap, and then report recall and precision.",
            );
            let desc = judge_inputs(desc)
                .with_output(
                    FieldDesc::new("ground_truth_key_ideas", TypeDesc::Str)
                        .with_desc("enumeration of key ideas in the ground truth"),
                )
                .with_output(
                    FieldDesc::new("system_response_key_ideas", TypeDesc::Str)
                        .with_desc("enumeration of key ideas in the system response"),
                )
                .with_output(
                    FieldDesc::new("discussion", TypeDesc::Str)
                        .with_desc("discussion of the overlap between ground truth and system response"),
                );
            judge_scores(desc)
        }))
    }
}

/// F1 of precision and recall, each clamped to `0..=1`; 0 when both are 0 (DSPy's
/// `auto_evaluation.f1_score`).
pub fn clamped_f1(precision: f64, recall: f64) -> f64 {
    let (p, r) = (precision.clamp(0.0, 1.0), recall.clamp(0.0, 1.0));
    if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
}

#[derive(Debug, Clone)]
enum Judge {
    Plain(ChainOfThought<SemanticRecallPrecision>),
    Decompositional(ChainOfThought<DecompositionalSemanticRecallPrecision>),
}

/// LM-judged semantic F1, like DSPy's `dspy.evaluate.SemanticF1`: a
/// [`ChainOfThought`] over [`SemanticRecallPrecision`] (or, decompositional,
/// [`DecompositionalSemanticRecallPrecision`]) asks the current settings' LM for recall and
/// precision of the prediction's response against the example's; the score is their F1.
///
/// It reads the example's `question` and `response` and the prediction's `response` (DSPy's
/// fields; change them with [`with_fields`](Self::with_fields)). The feedback carries the
/// judged recall and precision and the judge's reasoning. DSPy returns `score >= threshold`
/// when tracing for bootstrapping; here the score is always the F1 and
/// [`threshold`](Self::threshold) is available to optimizers that want a pass/fail.
#[derive(Debug, Clone)]
pub struct SemanticF1 {
    judge: Judge,
    threshold: f64,
    question_field: String,
    gold_field: String,
    pred_field: String,
}

impl Default for SemanticF1 {
    fn default() -> Self {
        Self::new()
    }
}

impl SemanticF1 {
    /// The plain judge, threshold 0.66.
    pub fn new() -> Self {
        SemanticF1 {
            judge: Judge::Plain(ChainOfThought::new()),
            threshold: 0.66,
            question_field: "question".into(),
            gold_field: "response".into(),
            pred_field: "response".into(),
        }
    }

    /// The decompositional judge (enumerates key ideas first).
    pub fn decompositional() -> Self {
        SemanticF1 { judge: Judge::Decompositional(ChainOfThought::new()), ..Self::new() }
    }

    /// Sets the pass threshold.
    #[must_use]
    pub fn with_threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }

    /// Reads the question from the example's `question` field, the ground truth from its
    /// `gold` field and the response from the prediction's `pred` field.
    #[must_use]
    pub fn with_fields(
        mut self,
        question: impl Into<String>,
        gold: impl Into<String>,
        pred: impl Into<String>,
    ) -> Self {
        self.question_field = question.into();
        self.gold_field = gold.into();
        self.pred_field = pred.into();
        self
    }

    /// The pass threshold (default 0.66).
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    async fn judge(&self, example: &Example, prediction: &Prediction) -> Result<Score> {
        let text = |v: Option<&serde_json::Value>, what: &str, field: &str| {
            v.map(field_text).ok_or_else(|| field_error(what, field, "missing"))
        };
        let question = text(example.get(&self.question_field), "example", &self.question_field)?;
        let ground_truth = text(example.get(&self.gold_field), "example", &self.gold_field)?;
        let system_response = text(prediction.get(&self.pred_field), "prediction", &self.pred_field)?;
        let (recall, precision, reasoning) = match &self.judge {
            Judge::Plain(module) => {
                let input = SemanticRecallPrecisionInput { question, ground_truth, system_response };
                let out = module.forward(input).await?;
                (out.recall, out.precision, out.reasoning)
            }
            Judge::Decompositional(module) => {
                let input = SemanticRecallPrecisionInput { question, ground_truth, system_response };
                let out = module.forward(input).await?;
                (out.recall, out.precision, out.reasoning)
            }
        };
        let f1 = clamped_f1(precision, recall);
        Ok(Score::new(f1).with_feedback(format!("recall {recall}, precision {precision}: {reasoning}")))
    }
}

impl Metric for SemanticF1 {
    fn score(&self, example: &Example, prediction: &Prediction) -> impl Future<Output = Result<Score>> + Send {
        self.judge(example, prediction)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use cognate_runtime::Settings;
    use cognate_testing::MockLm;

    use super::*;

    #[test]
    fn clamped_f1_cases() {
        assert_eq!(clamped_f1(0.0, 0.0), 0.0);
        assert_eq!(clamped_f1(1.0, 1.0), 1.0);
        assert_eq!(clamped_f1(1.5, 0.5), 2.0 * 0.5 / 1.5);
        assert_eq!(clamped_f1(-1.0, 0.5), 0.0);
    }

    #[test]
    fn signatures_match_dspy() {
        let sig = SemanticRecallPrecision::descriptor();
        assert_eq!(sig.input_names(), ["question", "ground_truth", "system_response"]);
        assert_eq!(sig.output_names(), ["recall", "precision"]);
        assert!(
            sig.instructions
                .starts_with("Compare a system's response to the ground truth to compute its recall and precision.")
        );
        let sig = DecompositionalSemanticRecallPrecision::descriptor();
        assert_eq!(
            sig.output_names(),
            ["ground_truth_key_ideas", "system_response_key_ideas", "discussion", "recall", "precision"]
        );
    }

    #[tokio::test]
    async fn judges_with_the_settings_lm() {
        let lm = MockLm::new([
            "[[ ## reasoning ## ]]\nHalf the ideas are covered.\n\n[[ ## recall ## ]]\n0.5\n\n[[ ## precision ## ]]\n1.0\n\n[[ ## completed ## ]]",
        ]);
        let example = Example::default()
            .with("question", "Why is the sky blue?")
            .with("response", "Rayleigh scattering of sunlight.");
        let prediction = Prediction::new(Example::default().with("response", "Scattering.").data);
        let score = Settings::default()
            .with_lm(Arc::new(lm.clone()))
            .scope(SemanticF1::new().score(&example, &prediction))
            .await
            .unwrap();
        assert!((score.value - 2.0 / 3.0).abs() < 1e-12, "{score:?}");
        assert_eq!(score.feedback.as_deref(), Some("recall 0.5, precision 1: Half the ideas are covered."));
        let prompt = &lm.requests()[0].messages;
        assert!(
            prompt[0]
                .content
                .contains("`recall` (float): fraction (out of 1.0) of ground truth covered by the system response"),
            "{}",
            prompt[0].content
        );
        assert!(prompt[1].content.contains("[[ ## system_response ## ]]\nScattering."), "{}", prompt[1].content);

        let missing = SemanticF1::new().score(&example, &Prediction::default()).await.unwrap_err();
        assert_eq!(missing.to_string(), "cannot convert prediction field `response`: missing");
        // No LM configured: the judge's error surfaces.
        let no_lm = Settings::default().scope(SemanticF1::decompositional().score(&example, &prediction)).await;
        assert!(no_lm.is_err());
    }
}
