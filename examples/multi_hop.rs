//! Multi-hop question answering: a program whose `forward` loops over a number of hops
//! that is itself a tunable variable.
//!
//! Each hop writes a search query from what has been gathered so far, retrieves passages from
//! a small in-memory corpus, and adds them to the context; then the answer is generated from
//! the context. The example prints the program graph (Mermaid), its search space, answers
//! for 1, 2 and 3 hops, and the saved state in DSPy's JSON layout.
//!
//! ```sh
//! cargo run --example multi_hop                       # offline, on the mock LM server
//! COGNATE_LM=gpt-4o-mini OPENAI_API_KEY=... cargo run --example multi_hop
//! ```

use std::collections::BTreeSet;
use std::sync::Arc;

use cognate::prelude::*;
use cognate::variable::Configuration;
use cognate_testing::LmOrMock;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Write a simple search query that will help answer a complex question.
#[signature]
struct GenerateQuery {
    /// may contain relevant facts
    #[input]
    context: Vec<String>,
    #[input]
    question: String,
    #[output]
    query: String,
}

/// Answer questions with short factoid answers.
#[signature]
struct AnswerWithContext {
    /// may contain relevant facts
    #[input]
    context: Vec<String>,
    #[input]
    question: String,
    /// often between 1 and 5 words
    #[output]
    answer: String,
}

/// A tiny keyword retriever over a fixed corpus (plain data: not part of the program's state).
struct Corpus(Vec<&'static str>);

impl Corpus {
    /// The `k` passages sharing the most words with `query`.
    fn search(&self, query: &str, k: usize) -> Vec<String> {
        let words: BTreeSet<String> = query.split_whitespace().map(|w| w.to_lowercase()).collect();
        let mut scored: Vec<(usize, &str)> = self
            .0
            .iter()
            .map(|p| (p.split_whitespace().filter(|w| words.contains(&w.to_lowercase())).count(), *p))
            .collect();
        scored.sort_by_key(|s| std::cmp::Reverse(s.0));
        scored.into_iter().take(k).map(|(_, p)| p.to_string()).collect()
    }
}

#[program]
#[derive(Clone)]
struct MultiHop {
    generate_query: ChainOfThought<GenerateQuery>,
    generate_answer: ChainOfThought<AnswerWithContext>,
    /// How many retrieval hops to make.
    hops: Variable<u32>,
    #[skip]
    corpus: Arc<Corpus>,
}

impl Module for MultiHop {
    type Input = String;
    type Output = String;

    async fn forward(&self, question: String) -> cognate::Result<String> {
        let mut context: Vec<String> = Vec::new();
        for _ in 0..self.hops.get() {
            let q = GenerateQueryInput { context: context.clone(), question: question.clone() };
            let query = self.generate_query.forward(q).await?.output.query;
            for passage in self.corpus.search(&query, 2) {
                if !context.contains(&passage) {
                    context.push(passage);
                }
            }
        }
        let out = self.generate_answer.forward(AnswerWithContextInput { context, question }).await?;
        Ok(out.output.answer)
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

    let corpus = Corpus(vec![
        "The Eiffel Tower is in Paris.",
        "Paris is the capital of France.",
        "Gustave Eiffel's company built the Eiffel Tower for the 1889 World's Fair.",
        "The Statue of Liberty was designed by Frédéric Auguste Bartholdi.",
        "Gustave Eiffel designed the internal frame of the Statue of Liberty.",
        "France gave the Statue of Liberty to the United States in 1886.",
    ]);
    // Bound every reply: small local models can ramble.
    let config = CallConfig::default().with_max_tokens(300);
    let mut program = MultiHop {
        generate_query: ChainOfThought::new().with_config(config.clone()),
        generate_answer: ChainOfThought::new().with_config(config),
        hops: cognate::variable!(int(1..=3), default = 2),
        corpus: Arc::new(corpus),
    };

    println!("--- predictors (DSPy paths) ---");
    for (path, predictor) in program.named_predictors() {
        println!("{path}: {}", predictor.signature().name);
    }

    println!("\n--- program graph (Mermaid) ---\n{}", program.to_mermaid());

    // The search space an optimizer sees: the declared `hops` plus every predictor's built-ins.
    let space = SearchSpace::of(&program);
    println!("--- search space ---");
    for name in space.names() {
        println!("{name}: {:?}", space.domain(name).expect("listed variables have domains"));
    }

    let question = "Who designed the frame of the statue France gave to the United States?".to_string();
    let hops_only = SearchSpace::of(&program).without_builtins();
    for hops in 1..=3u32 {
        hops_only.apply(&Configuration::new().with("hops", hops), &mut program)?;
        let answer = program.call(question.clone()).await?;
        println!("\nhops = {hops}: {answer}");
    }

    // An invalid configuration is a typed error naming the variable; nothing changes.
    let err = hops_only.apply(&Configuration::new().with("hops", 7), &mut program).unwrap_err();
    println!("\nhops = 7 is rejected: {err}");

    let state = program.save_to_string();
    println!("\n--- saved state (DSPy's JSON layout + Cognate's variables) ---\n{state}");
    Ok(())
}
