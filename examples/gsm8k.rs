//! A real optimization run: `ChainOfThought` on GSM8K, compiled with `BootstrapFewShot`,
//! measured before and after on a dev split. The figures in docs/gsm8k.md come from this
//! program run against the local Qwen2.5-Coder-0.5B (scripts/local-lm.sh).
//!
//! ```sh
//! cargo run --release --example gsm8k                            # offline smoke run on the mock server
//! eval "$(bash scripts/local-lm.sh start)"                       # after `scripts/local-lm.sh setup`
//! COGNATE_LM=$LOCAL_LM_CHAT_MODEL cargo run --release --example gsm8k
//! ```
//!
//! Data: `data/gsm8k/test.jsonl` (the official GSM8K test split, see its README), carved as
//! suggested there: train = ids 0–199, dev = ids 200–499. Environment knobs:
//! `GSM8K_TRAIN` (train examples offered to the optimizer, default 200), `GSM8K_DEV` (dev
//! examples evaluated, default 300), `GSM8K_CONCURRENCY` (calls in flight, default 4),
//! `GSM8K_MAX_TOKENS` (per reply, default 384), `GSM8K_OUT` (a JSON summary file to write).

use std::time::Instant;

use cognate::eval::Dataset;
use cognate::eval::dataset::{Expect, Loader};
use cognate::eval::metrics::NumericMatch;
use cognate::eval::{Evaluate, EvaluationResult};
use cognate::optimize::BootstrapFewShot;
use cognate::prelude::*;
use cognate_testing::LmOrMock;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Solve the grade-school math word problem.
#[signature]
struct SolveMath {
    #[input]
    question: String,
    /// the final answer, a single number
    #[output]
    answer: String,
}

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

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/gsm8k/test.jsonl");

fn env_usize(name: &str, default: usize) -> anyhow::Result<usize> {
    match std::env::var(name) {
        Ok(v) => v.parse().map_err(|e| anyhow::anyhow!("{name}={v:?}: {e}")),
        Err(_) => Ok(default),
    }
}

fn line(label: &str, r: &EvaluationResult) -> String {
    let s = &r.summary;
    format!(
        "{label}: accuracy {:.1}% ({} of {} examples scored, {} errors, {} infrastructure errors), {} LM calls, {} prompt + {} completion tokens, {:.1} s",
        s.average_score * 100.0,
        s.scored,
        s.examples,
        s.errors,
        s.infra_errors,
        s.lm_calls,
        s.prompt_tokens,
        s.completion_tokens,
        s.wall_time.as_secs_f64()
    )
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

    let (n_train, n_dev) = (env_usize("GSM8K_TRAIN", 200)?.min(200), env_usize("GSM8K_DEV", 300)?.min(300));
    let concurrency = env_usize("GSM8K_CONCURRENCY", 4)?;
    let max_tokens = u32::try_from(env_usize("GSM8K_MAX_TOKENS", 384)?)?;

    let all = Loader::jsonl(DATA)
        .field("question")
        .field("answer")
        .expect("answer", Expect::String)
        .with_inputs(["question"])
        .load()?
        .into_examples();
    let train = Dataset::new(all[..n_train].to_vec());
    let dev = Dataset::new(all[200..200 + n_dev].to_vec());
    println!("GSM8K: {} train (ids 0..{n_train}), {} dev (ids 200..{})\n", train.len(), dev.len(), 200 + n_dev);

    let student =
        Solver { solve: ChainOfThought::new().with_config(CallConfig::default().with_max_tokens(max_tokens)) };
    let evaluate = Evaluate::new(NumericMatch::new()).with_concurrency(concurrency);

    let before = evaluate.run(&student, &dev).await?;
    println!("{}", line("zero-shot ChainOfThought", &before));

    // DSPy's GSM8K recipe: up to 4 bootstrapped and 4 labeled demos.
    let started = Instant::now();
    let compiled = BootstrapFewShot::new(NumericMatch::new())
        .with_max_bootstrapped_demos(4)
        .with_max_labeled_demos(4)
        .compile(&student, &train)
        .await?;
    let compile_time = started.elapsed();
    let report = &compiled.report;
    println!(
        "BootstrapFewShot: {} attempts, {} LM calls, {} prompt + {} completion tokens, {:.1} s",
        report.trials.len(),
        report.lm_calls,
        report.prompt_tokens,
        report.completion_tokens,
        compile_time.as_secs_f64()
    );
    for (path, predictor) in compiled.program.named_predictors() {
        let augmented = predictor.demos.iter().filter(|d| d.get("augmented").is_some()).count();
        println!("  {path}: {} demos ({augmented} bootstrapped)", predictor.demos.len());
    }

    let after = evaluate.run(&compiled.program, &dev).await?;
    println!("{}", line("BootstrapFewShot ChainOfThought", &after));

    if let Ok(out) = std::env::var("GSM8K_OUT") {
        let summary = serde_json::json!({
            "model": lm.lm().model_name(),
            "train": n_train, "dev": n_dev, "concurrency": concurrency, "max_tokens": max_tokens,
            "before": before.summary, "after": after.summary,
            "optimizer": { "lm_calls": report.lm_calls, "prompt_tokens": report.prompt_tokens,
                           "completion_tokens": report.completion_tokens, "wall_time_s": compile_time.as_secs_f64(),
                           "attempts": report.trials.len() },
            "program": compiled.program.save_to_string(),
        });
        cognate::fs::write_atomic(&out, serde_json::to_string_pretty(&summary)?)?;
        println!("\nwrote {out}");
    }
    Ok(())
}
