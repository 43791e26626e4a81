//! Quickstart: declare a typed signature, look at the prompt Cognate sends, and get typed
//! answers from `Predict` and `ChainOfThought`.
//!
//! ```sh
//! cargo run --example quickstart                                  # offline, on the mock LM server
//! COGNATE_LM=gpt-4o-mini OPENAI_API_KEY=... cargo run --example quickstart   # a real model
//! ```

use cognate::prelude::*;
use cognate_testing::LmOrMock;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Answer questions with short factoid answers.
#[signature]
struct QA {
    /// a trivia question
    #[input]
    question: String,
    /// often between 1 and 5 words
    #[output]
    answer: String,
    /// how sure you are, from 0 to 1
    #[output]
    confidence: f64,
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

    let sig = QA::descriptor();
    println!("Signature `{}`: {}", sig.name, sig.instructions);
    for f in &sig.inputs {
        println!("  input  {}: {}", f.name, f.ty);
    }
    for f in &sig.outputs {
        println!("  output {}: {}", f.name, f.ty);
    }

    let qa = Predict::<QA>::new();
    let question = QAInput { question: "What is the capital of France?".into() };

    println!("\n--- the prompt (ChatAdapter, as DSPy 3.4.1 writes it) ---");
    for message in qa.prompt(&question)? {
        println!("[{:?}]\n{}\n", message.role, message.content);
    }

    let out: QAOutput = qa.forward(question.clone()).await?;
    println!("--- Predict<QA> ---\nanswer: {:?}\nconfidence: {}\n", out.answer, out.confidence);

    let cot = ChainOfThought::<QA>::new();
    let out = cot.forward(question).await?;
    println!(
        "--- ChainOfThought<QA> ---\nreasoning: {:?}\nanswer: {:?}\nconfidence: {}",
        out.reasoning, out.answer, out.confidence
    );
    Ok(())
}
