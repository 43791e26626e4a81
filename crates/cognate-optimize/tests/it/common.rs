//! Programs, data and scripted LMs shared by the tests.

use std::sync::Arc;

use cognate::core::{Example, Prediction, SharedLm, Values};
use cognate::prelude::*;
use cognate_testing::MockLm;
use serde_json::Value;

/// Answer the question.
#[signature]
pub(crate) struct QA {
    #[input]
    pub(crate) question: String,
    #[output]
    pub(crate) answer: String,
}

/// Draft an answer.
#[signature]
pub(crate) struct Draft {
    #[input]
    pub(crate) question: String,
    #[output]
    pub(crate) draft: String,
}

/// Answer the question given a draft.
#[signature]
pub(crate) struct Answer {
    #[input]
    pub(crate) question: String,
    #[input]
    pub(crate) draft: String,
    #[output]
    pub(crate) answer: String,
}

/// One predictor (DSPy: a module with `self.predict = dspy.Predict("question -> answer")`).
#[program]
#[derive(Clone, Debug)]
pub(crate) struct Simple {
    pub(crate) predict: Predict<QA>,
}

impl Simple {
    pub(crate) fn new() -> Self {
        Simple { predict: Predict::new() }
    }
}

impl Module for Simple {
    type Input = QAInput;
    type Output = QAOutput;

    async fn forward(&self, input: QAInput) -> cognate::Result<QAOutput> {
        self.predict.forward(input).await
    }
}

/// Two predictors: a draft, then the answer.
#[program]
#[derive(Clone, Debug)]
pub(crate) struct Two {
    pub(crate) draft: Predict<Draft>,
    pub(crate) answer: Predict<Answer>,
}

impl Two {
    pub(crate) fn new() -> Self {
        Two { draft: Predict::new(), answer: Predict::new() }
    }
}

impl Module for Two {
    type Input = DraftInput;
    type Output = AnswerOutput;

    async fn forward(&self, input: DraftInput) -> cognate::Result<AnswerOutput> {
        let draft = self.draft.forward(DraftInput { question: input.question.clone() }).await?.draft;
        self.answer.forward(AnswerInput { question: input.question, draft }).await
    }
}

/// The parity dataset: `What is {i+1} + {2i+3}?`.
pub(crate) fn trainset(n: usize) -> Vec<Example> {
    (0..n)
        .map(|i| {
            let (a, b) = (i + 1, 2 * i + 3);
            Example::default()
                .with("question", format!("What is {a} + {b}?"))
                .with("answer", (a + b).to_string())
                .with_inputs(["question"])
        })
        .collect()
}

/// A ChatAdapter reply with the given fields.
pub(crate) fn reply(fields: &[(&str, &str)]) -> String {
    let mut text = String::new();
    for (name, value) in fields {
        text.push_str(&format!("[[ ## {name} ## ]]\n{value}\n\n"));
    }
    text.push_str("[[ ## completed ## ]]");
    text
}

/// A ChatAdapter reply from a JSON object of field values.
pub(crate) fn reply_from(values: &serde_json::Map<String, Value>) -> String {
    let owned: Vec<(String, String)> =
        values.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string))).collect();
    let borrowed: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    reply(&borrowed)
}

/// The question of the last user message (the input being asked).
pub(crate) fn asked_question(request: &cognate::core::LmRequest) -> String {
    let last = &request.messages.last().expect("a message").content;
    let start = last.find("[[ ## question ## ]]\n").expect("a question field") + "[[ ## question ## ]]\n".len();
    last[start..].lines().next().unwrap_or_default().to_string()
}

/// The true answer to one of [`trainset`]'s questions (`What is a + b?`).
pub(crate) fn solve(question: &str) -> String {
    let body = question.trim_start_matches("What is ").trim_end_matches('?');
    let mut parts = body.split(" + ").map(|p| p.trim().parse::<u64>().unwrap_or(0));
    (parts.next().unwrap_or(0) + parts.next().unwrap_or(0)).to_string()
}

/// An LM answering every question correctly (both signatures), counting calls.
pub(crate) fn oracle() -> Arc<MockLm> {
    Arc::new(MockLm::from_fn(|request| {
        let question = asked_question(request);
        let system = &request.messages[0].content;
        if system.contains("Your output fields are:\n1. `draft`") {
            Ok(reply(&[("draft", &format!("draft: {question}"))]))
        } else {
            Ok(reply(&[("answer", &solve(&question))]))
        }
    }))
}

/// Settings with `lm`.
pub(crate) fn with_lm(lm: Arc<MockLm>) -> Settings {
    Settings::default().with_lm(lm as SharedLm)
}

/// Exact match on `answer`.
pub(crate) fn exact(example: &Example, prediction: &Prediction) -> bool {
    example.get("answer") == prediction.get("answer")
}

/// The demos of each predictor, as JSON.
pub(crate) fn demos_json<P: ComponentExt>(program: &P) -> serde_json::Map<String, Value> {
    program
        .named_predictors()
        .into_iter()
        .map(|(path, p)| (path, Value::Array(p.demos.iter().map(|d| Value::Object(d.data.clone())).collect())))
        .collect()
}

/// Only the `question`s of each predictor's demos, with an `*` for augmented ones.
pub(crate) fn demo_questions<P: ComponentExt>(program: &P) -> Vec<(String, Vec<String>)> {
    program
        .named_predictors()
        .into_iter()
        .map(|(path, p)| {
            let qs = p
                .demos
                .iter()
                .map(|d| {
                    let q = d.get("question").and_then(Value::as_str).unwrap_or_default().to_string();
                    if d.get("augmented") == Some(&Value::Bool(true)) { format!("*{q}") } else { q }
                })
                .collect();
            (path, qs)
        })
        .collect()
}

#[allow(dead_code)]
pub(crate) fn values(pairs: &[(&str, &str)]) -> Values {
    pairs.iter().map(|(k, v)| (k.to_string(), Value::String(v.to_string()))).collect()
}
