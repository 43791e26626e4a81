//! The live lane: one real chat completion against a local OpenAI-compatible server.
//!
//! Runs only with `COGNATE_LIVE_LM=1`; otherwise each test prints a note and returns. Set it
//! up with `scripts/local-lm.sh` (see `scripts/README.md` and `docs/lm.md`):
//!
//! ```sh
//! bash scripts/local-lm.sh setup && eval "$(bash scripts/local-lm.sh start)"
//! COGNATE_LIVE_LM=1 cargo test -p cognate-tests --test it live -- --nocapture
//! ```
//!
//! The model comes from `COGNATE_LM`, else `LOCAL_LM_CHAT_MODEL`; the endpoint from
//! `OPENAI_BASE_URL` and the key from `OPENAI_API_KEY`, as `OpenAiClient::from_env` reads them.

use std::time::{Duration, Instant};

use cognate_core::{LanguageModel, LmRequest, Message};
use cognate_lm::OpenAiClient;

use crate::lm_client::{qa_request, sections};

fn live_client() -> Option<OpenAiClient> {
    if std::env::var("COGNATE_LIVE_LM").as_deref() != Ok("1") {
        eprintln!("live lane skipped: set COGNATE_LIVE_LM=1 with a local LM running (scripts/local-lm.sh)");
        return None;
    }
    let lm = OpenAiClient::from_env_with(|name| match name {
        "COGNATE_LM" => std::env::var("COGNATE_LM").or_else(|_| std::env::var("LOCAL_LM_CHAT_MODEL")).ok(),
        other => std::env::var(other).ok(),
    })
    .expect("COGNATE_LM or LOCAL_LM_CHAT_MODEL must name the model")
    .with_request_timeout(Duration::from_secs(120))
    .with_temperature(0.0);
    Some(lm)
}

#[tokio::test]
async fn live_chat_completion() {
    let Some(lm) = live_client() else { return };
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

#[tokio::test]
async fn live_dspy_marker_prompt() {
    let Some(lm) = live_client() else { return };
    let mut req = qa_request("Who wrote the play Hamlet?");
    req.max_tokens = Some(96);
    let started = Instant::now();
    let resp = lm.complete(req).await.expect("live completion");
    let text = &resp.choices[0].text;
    let names: Vec<String> = sections(text).into_iter().map(|(n, _)| n).collect();
    println!(
        "live (ChatAdapter prompt): sections={names:?} usage={:?} latency={:?}\n{text}",
        resp.usage,
        started.elapsed()
    );
    assert!(!text.trim().is_empty());
    assert!(resp.usage.total_tokens > 0);
}

mod typed {
    //! `Predict` and `ChainOfThought` on the real model: the typed outputs must parse (the
    //! answers need not be right).

    use std::sync::Arc;
    use std::time::Instant;

    use cognate::prelude::*;
    use serde::{Deserialize, Serialize};

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

    fn settings() -> Option<Settings> {
        super::live_client().map(|lm| Settings::default().with_lm(Arc::new(lm)))
    }

    #[tokio::test]
    async fn live_predict_typed_outputs_parse() {
        let Some(settings) = settings() else { return };
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

    #[tokio::test]
    async fn live_chain_of_thought_typed_outputs_parse() {
        let Some(settings) = settings() else { return };
        let started = Instant::now();
        let out = settings
            .scope(
                ChainOfThought::<FactoidQa>::new()
                    .forward(FactoidQaInput { question: "What is the largest planet in the solar system?".into() }),
            )
            .await
            .expect("typed ChainOfThought output");
        println!("live ChainOfThought<FactoidQa>: {out:?} in {:?}", started.elapsed());
        assert!(!out.reasoning.trim().is_empty(), "reasoning must be filled");
    }
}
