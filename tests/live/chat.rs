//! The chat model: a raw completion, a DSPy ChatAdapter prompt, and `Predict` and
//! `ChainOfThought` whose typed outputs must parse (the answers need not be right).
//!
//! The same functions run offline in `tests/it/live_replay.rs`, on a cassette of a live run.

use std::time::Instant;

use cognate::prelude::*;
use cognate_core::{LmRequest, Message, SharedLm};
use cognate_tests::{qa_request, sections};
use serde::{Deserialize, Serialize};

pub(crate) async fn completion(lm: SharedLm) {
    let mut req = LmRequest::new(vec![
        Message::system("You are a concise assistant."),
        Message::user("What is the capital of France? Answer in one word."),
    ]);
    req.max_tokens = Some(16);
    let started = Instant::now();
    let resp = lm.complete(req).await.expect("live completion");
    let text = resp.choices[0].text.trim();
    println!(
        "live: model={} reply={text:?} usage={:?} finish={:?} latency={:?}",
        resp.model,
        resp.usage,
        resp.choices[0].finish_reason,
        started.elapsed()
    );
    assert!(!text.is_empty());
    assert!(resp.usage.prompt_tokens > 0 && resp.usage.completion_tokens > 0, "{:?}", resp.usage);
}

pub(crate) async fn dspy_marker_prompt(lm: SharedLm) {
    let mut req = qa_request("Who wrote the play Hamlet?");
    req.max_tokens = Some(96);
    let started = Instant::now();
    let resp = lm.complete(req).await.expect("live completion");
    let text = &resp.choices[0].text;
    let names: Vec<String> = sections(text).into_iter().map(|(n, _)| n).collect();
    println!("live (ChatAdapter prompt): sections={names:?} usage={:?} latency={:?}", resp.usage, started.elapsed());
    assert!(!text.trim().is_empty());
    assert!(resp.usage.total_tokens > 0);
}

/// Answer questions with short factoid answers.
#[signature]
struct FactoidQa {
    /// a trivia question
    #[input]
    question: String,
    /// often between 1 and 5 words
    #[output]
    answer: String,
    /// how many words the answer has
    #[output]
    word_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Sentiment {
    Positive,
    Negative,
    Neutral,
}

/// Classify the sentiment of a product review.
#[signature]
struct Classify {
    #[input]
    review: String,
    #[output]
    sentiment: Sentiment,
    /// whether the reviewer would buy again
    #[output]
    would_buy_again: bool,
}

fn settings(lm: SharedLm) -> Settings {
    Settings::default().with_lm(lm)
}

pub(crate) async fn predict_typed_outputs_parse(lm: SharedLm) {
    let settings = settings(lm);
    let started = Instant::now();
    let out = settings
        .clone()
        .scope(Predict::<FactoidQa>::new().forward(FactoidQaInput { question: "Who wrote Hamlet?".into() }))
        .await
        .expect("typed Predict output");
    println!("live Predict<FactoidQa>: {out:?} in {:?}", started.elapsed());
    let started = Instant::now();
    let review = "Broke after two days and support never answered. Avoid.";
    let out = settings
        .scope(Predict::<Classify>::new().forward(ClassifyInput { review: review.into() }))
        .await
        .expect("typed Predict output with a Literal and a bool");
    println!("live Predict<Classify>: {out:?} in {:?}", started.elapsed());
}

pub(crate) async fn chain_of_thought_typed_outputs_parse(lm: SharedLm) {
    let started = Instant::now();
    let out = settings(lm)
        .scope(
            ChainOfThought::<FactoidQa>::new()
                .forward(FactoidQaInput { question: "What is the largest planet in the solar system?".into() }),
        )
        .await
        .expect("typed ChainOfThought output");
    println!("live ChainOfThought<FactoidQa>: {out:?} in {:?}", started.elapsed());
    assert!(!out.reasoning.trim().is_empty(), "reasoning must be filled");
}
