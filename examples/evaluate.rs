//! Evaluate: load the committed GSM8K sample, run a `Predict` program over it with bounded
//! concurrency, score it with GSM8K's numeric-match metric, print the summary and export
//! the results.
//!
//! ```sh
//! cargo run --example evaluate                                   # offline, on the mock LM server
//! COGNATE_LM=gpt-4o-mini OPENAI_API_KEY=... cargo run --example evaluate    # a real model
//! ```
//!
//! The mock server answers with made-up numbers, so expect a low score offline; the point is
//! the pipeline (and the LM calls and tokens it counts).

use cognate::eval::dataset::{Expect, Loader};
use cognate::eval::metrics::NumericMatch;
use cognate::eval::{Evaluate, Split};
use cognate::prelude::*;

/// Solve the grade-school math word problem. Give the final answer as a number.
#[signature]
struct SolveMath {
    /// a math word problem
    #[input]
    question: String,
    /// the final numeric answer
    #[output]
    answer: f64,
}

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../crates/cognate-eval/tests/data/gsm8k_sample.jsonl");

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let conn = cognate_examples::connect().await?;
    println!("Language model: {}\n", conn.description);
    cognate::configure(Settings::default().with_lm(conn.lm.clone()));

    // Keep the question and the gold answer (a string such as "18"); the question is the input.
    let dataset = Loader::jsonl(SAMPLE)
        .field("question")
        .field("answer")
        .expect("answer", Expect::String)
        .with_inputs(["question"])
        .load()?;
    let splits = dataset.split(Split::counts(10, 10, 0), 0)?;
    println!("Loaded {} GSM8K problems; evaluating on a seeded dev split of {}.\n", dataset.len(), splits.dev.len());

    let program = Predict::<SolveMath>::new();
    let evaluate = Evaluate::new(NumericMatch::new()).with_concurrency(8).with_max_errors(5);
    let result = evaluate.run(&program, &splits.dev).await?;

    for record in result.records.iter().take(3) {
        let question = record.example.get("question").and_then(|q| q.as_str()).unwrap_or_default();
        let gold = record.example.get("answer").and_then(|a| a.as_str()).unwrap_or_default();
        let predicted = record.prediction.as_ref().and_then(|p| p.get("answer")).map(ToString::to_string);
        println!("#{} {:.60}...", record.index, question);
        println!("   gold {gold}, predicted {}, score {}", predicted.as_deref().unwrap_or("-"), record.score.value);
        if let Some(feedback) = &record.score.feedback {
            println!("   feedback: {feedback}");
        }
    }
    println!("\n{}", result.summary);

    let out = std::env::temp_dir().join("cognate-evaluate-example");
    std::fs::create_dir_all(&out)?;
    result.save_jsonl(out.join("results.jsonl"))?;
    result.save_csv(out.join("results.csv"))?;
    println!("Results written to {}/results.{{jsonl,csv}}", out.display());
    Ok(())
}
