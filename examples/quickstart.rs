//! Quickstart: declare a typed signature, look at the prompt Cognate sends, and get typed
//! answers from `Predict` and `ChainOfThought`.
//!
//! ```sh
//! cargo run --example quickstart                                  # offline, on the mock LM server
//! COGNATE_LM=gpt-4o-mini OPENAI_API_KEY=... cargo run --example quickstart   # a real model
//! ```

use cognate::prelude::*;

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
    let conn = cognate_examples::connect().await?;
    println!("Language model: {}\n", conn.description);
    cognate::configure(Settings::default().with_lm(conn.lm.clone()));

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
