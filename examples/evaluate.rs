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
use cognate_testing::LmOrMock;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::FmtSpan;

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
