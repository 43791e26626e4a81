//! A module-choice variable: one program field that runs either `Predict` or
//! `ChainOfThought` behind the same typed interface, chosen by configuration — so an
//! optimizer can search over the reasoning strategy like any other variable.
//!
//! ```sh
//! cargo run --example strategy_choice                 # offline, on the mock LM server
//! COGNATE_LM=gpt-4o-mini OPENAI_API_KEY=... cargo run --example strategy_choice
//! ```

use cognate::prelude::*;
use serde::{Deserialize, Serialize};

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
    let conn = cognate_examples::connect().await?;
    println!("Language model: {}\n", conn.description);
    cognate::configure(Settings::default().with_lm(conn.lm.clone()));

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
