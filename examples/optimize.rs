//! Optimize: compile a GSM8K solver with `BootstrapFewShot` (demos bootstrapped from the
//! program's own successful runs, topped up with labeled examples), print the optimizer's
//! report, and compare the program before and after on a dev split.
//!
//! ```sh
//! cargo run --example optimize                                   # offline, on the mock LM server
//! COGNATE_LM=gpt-4o-mini OPENAI_API_KEY=... cargo run --example optimize    # a real model
//! ```
//!
//! The mock server answers with made-up numbers, so offline few runs succeed and most demos
//! are labeled ones; the point is the pipeline. The run is checkpointed: run it twice and the
//! second compile replays the recorded attempts without calling the LM.

use cognate::eval::dataset::{Expect, Loader};
use cognate::eval::metrics::NumericMatch;
use cognate::eval::{Evaluate, Split};
use cognate::optimize::BootstrapFewShot;
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

/// The program being optimized: one chain-of-thought step.
#[program]
#[derive(Clone)]
struct Solver {
    solve: ChainOfThought<SolveMath>,
}

impl Module for Solver {
    type Input = SolveMathInput;
    type Output = WithReasoning<SolveMathOutput>;

    async fn forward(&self, input: SolveMathInput) -> cognate::Result<Self::Output> {
        self.solve.forward(input).await
    }
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

    let dataset = Loader::jsonl(SAMPLE)
        .field("question")
        .field("answer")
        .expect("answer", Expect::String)
        .with_inputs(["question"])
        .load()?;
    let splits = dataset.split(Split::counts(10, 10, 0), 0)?;
    println!(
        "{} GSM8K problems: {} to train on, {} to compare on.\n",
        dataset.len(),
        splits.train.len(),
        splits.dev.len()
    );

    let student = Solver { solve: ChainOfThought::new() };
    let evaluate = Evaluate::new(NumericMatch::new()).with_concurrency(8).with_progress(false);
    let before = evaluate.run(&student, &splits.dev).await?;

    // One checkpoint per model: a checkpoint must only be resumed by the run that wrote it.
    let model: String =
        lm.lm().model_name().chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    let checkpoint = std::env::temp_dir().join("cognate-optimize-example").join(format!("bootstrap-{model}.jsonl"));
    let optimizer = BootstrapFewShot::new(NumericMatch::new())
        .with_max_bootstrapped_demos(4)
        .with_max_labeled_demos(8)
        .with_checkpoint(&checkpoint);
    let compiled = optimizer.compile(&student, &splits.train).await?;
    println!("{}", compiled.report);
    println!("Checkpoint: {}\n", checkpoint.display());

    for (path, predictor) in compiled.program.named_predictors() {
        let augmented = predictor.demos.iter().filter(|d| d.get("augmented").is_some()).count();
        println!(
            "`{path}`: {} demos ({augmented} bootstrapped, {} labeled)",
            predictor.demos.len(),
            predictor.demos.len() - augmented
        );
    }

    let after = evaluate.run(&compiled.program, &splits.dev).await?;
    println!("\nbefore: {}\nafter:  {}", before.summary, after.summary);
    Ok(())
}
