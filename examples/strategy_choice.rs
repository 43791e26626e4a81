//! A module-choice variable: one program field that runs either `Predict` or
//! `ChainOfThought` behind the same typed interface, chosen by configuration — so an
//! optimizer can search over the reasoning strategy like any other variable.
//!
//! ```sh
//! cargo run --example strategy_choice                 # offline, on the mock LM server
//! COGNATE_LM=gpt-4o-mini OPENAI_API_KEY=... cargo run --example strategy_choice
//! ```

use cognate::prelude::*;
use cognate_testing::LmOrMock;
use serde::{Deserialize, Serialize};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::FmtSpan;

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
}

#[program]
#[derive(Clone)]
struct ReviewClassifier {
    /// `predict` or `chain_of_thought`; both return `ClassifyOutput`.
    classify: ReasoningStrategy<Classify>,
}

impl Module for ReviewClassifier {
    type Input = String;
    type Output = Sentiment;

    async fn forward(&self, review: String) -> cognate::Result<Sentiment> {
        Ok(self.classify.forward(ClassifyInput { review }).await?.sentiment)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Log through `tracing` to stderr: warnings by default; `RUST_LOG=cognate::lm=debug` shows
    // each LM call's spans (model, tokens, latency) as they close.
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::builder().with_default_directive(LevelFilter::WARN.into()).from_env_lossy())
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .init();
    // The model named by COGNATE_LM (with OPENAI_BASE_URL, OPENAI_API_KEY), else the built-in
    // mock LM server on 127.0.0.1. Keep `lm` alive: dropping it stops the mock server.
    let lm = LmOrMock::from_env().await?;
    println!("Language model: {lm}\n");
    cognate::configure(Settings::default().with_lm(lm.lm()));

    let mut program = ReviewClassifier { classify: ReasoningStrategy::new() };
    let paths: Vec<String> = program.named_predictors().into_iter().map(|(p, _)| p).collect();
    println!("predictors: {paths:?} (both alternatives are part of the program's state)");

    let reviews = [
        "Battery lasts all week and the screen is gorgeous.",
        "Broke after two days; support never answered.",
        "It is a phone. It makes calls.",
    ];

    // The strategy is a variable: enumerate it with a grid over just that variable.
    let space = SearchSpace::of(&program).only(["classify"]);
    println!("search space: {:?}, {} configurations\n", space.names(), space.grid(1).size());
    for config in space.grid(1) {
        let config = config?;
        space.apply(&config, &mut program)?;
        println!("--- classify = {} ---", program.classify.selected());
        let results = program.call_batch(reviews.iter().map(|r| r.to_string()).collect(), 4).await;
        for (review, result) in reviews.iter().zip(results) {
            println!("{:>9}  {review}", format!("{:?}", result?));
        }
        println!();
    }

    // Selecting an unknown alternative is a typed error.
    let err = program.classify.select("tree_of_thought").unwrap_err();
    println!("select(\"tree_of_thought\") is rejected: {err}");
    Ok(())
}
