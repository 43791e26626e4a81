//! Resilient calls: the production stack of LM layers around a provider that fails a quarter
//! of its requests — and an evaluation that still scores every example, with the usage, the
//! dollars and the retries it took.
//!
//! ```sh
//! cargo run --example resilient                                      # offline: a flaky mock server
//! COGNATE_LM=openai/gpt-4o-mini OPENAI_API_KEY=... cargo run --example resilient   # a real model
//! ```
//!
//! The stack, innermost first (docs/lm.md, "Order", says why each sits where it does): the
//! client with a per-call time-out → a rate limit → a concurrency limit → a circuit breaker →
//! retries → usage accounting → a dollar budget.

use std::sync::Arc;
use std::time::Duration;

use cognate::core::LanguageModelExt;
use cognate::eval::Evaluate;
use cognate::lm::{
    Budget, CircuitBreaker, Client, ConcurrencyLimit, ModelPrice, OpenAiClient, PriceTable, RateLimit, Retry, Timeout,
    UsageTracker, lm,
};
use cognate::prelude::*;
use cognate_testing::{Failure, MockServer, MockServerConfig};
use serde_json::json;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

/// Answer the question in a few words.
#[signature]
struct Answer {
    #[input]
    question: String,
    #[output]
    answer: String,
}

/// The flaky provider's failures: rate limiting, server errors, dropped connections and
/// replies slower than the client's time-out.
const FLAKY: &[Failure] = &[
    Failure::Status429 { retry_after_secs: 1 },
    Failure::Status500,
    Failure::DropConnection,
    Failure::Slow { delay_ms: 3_000 },
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Retries, breaker changes and budget refusals are `warn` events on `cognate::lm`; they are
    // many by design here, so the default shows errors only (`RUST_LOG=cognate::lm=warn` shows them).
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::builder().with_default_directive(LevelFilter::ERROR.into()).from_env_lossy())
        .with_writer(std::io::stderr)
        .init();

    // The model COGNATE_LM names (any provider: `openai/...`, `anthropic/...`, `groq/...`),
    // else a mock server on 127.0.0.1 failing 25% of requests. Keep `_server` alive.
    let (client, _server) = match std::env::var("COGNATE_LM").ok().filter(|m| !m.trim().is_empty()) {
        Some(model) => (lm(&model)?, None),
        None => {
            let config = MockServerConfig::default().with_latency(Duration::from_millis(20)).with_fail_probability(
                0.25,
                7,
                Failure::OneOf(FLAKY),
            );
            let server = MockServer::start(config).await?;
            println!("Language model: the mock server at {}, failing 25% of requests\n", server.base_url());
            (Client::OpenAi(OpenAiClient::new("mock-lm").with_base_url(server.base_url())), Some(server))
        }
    };

    // What a call costs: the built-in table knows OpenAI, Anthropic and Gemini models; the
    // mock model gets a made-up price so the example can show dollars.
    let prices = PriceTable::default().with("mock-lm", ModelPrice::per_million(0.15, 0.60));
    let usage = UsageTracker::new().with_prices(prices.clone());
    // Up to 8 retries with full-jitter backoff from 50 ms (a 429's `Retry-After` is the least
    // wait); the default schedule starts at 0.5 s, gentler on a real provider.
    let retry = Retry::default().with_max_retries(8).with_backoff(Duration::from_millis(50), Duration::from_secs(2));
    // After a 429 the rate limit holds every caller for the server's `Retry-After` (doubling on
    // repeats), so the provider is not hammered: most of this run's time is spent there.
    let rate_limit = RateLimit::per_minute(30_000);
    let stack = client
        .layer(Timeout::per_call(Duration::from_secs(1)))
        .layer(rate_limit.clone())
        .layer(ConcurrencyLimit::new(32))
        .layer(CircuitBreaker::default())
        .layer(retry.clone())
        .layer(usage.clone())
        .layer(Budget::dollars(1.0).with_prices(prices));
    cognate::configure(Settings::default().with_lm(Arc::new(stack)));

    let questions: Vec<Example> = (1..=200)
        .map(|i| {
            Example::new(Default::default())
                .with("question", json!(format!("What is {i} plus one?")))
                .with("answer", json!((i + 1).to_string()))
                .with_inputs(["question"])
        })
        .collect();
    // Any answer counts: the point is that every example is answered despite the failures.
    let answered = |_: &Example, prediction: &Prediction| {
        prediction.get("answer").and_then(|a| a.as_str()).is_some_and(|a| !a.trim().is_empty())
    };
    let evaluate = Evaluate::new(answered).with_concurrency(64).with_progress(false);
    let result = evaluate.run(&Predict::<Answer>::new(), &questions).await?;

    println!("{}\n", result.summary);
    let spent = usage.snapshot();
    let retries = retry.stats();
    println!(
        "LM calls: {} through the retry layer, {} retried, {} given up",
        retries.calls, retries.retries, retries.gave_up
    );
    println!(
        "Usage: {} prompt + {} completion tokens, {:.1} ms mean latency, ${:.6}",
        spent.prompt_tokens,
        spent.completion_tokens,
        spent.latency.as_secs_f64() * 1000.0 / spent.calls.max(1) as f64,
        spent.cost_usd
    );
    let limited = rate_limit.stats();
    println!(
        "Rate limit: {} requests admitted, {} waited; {} answers were 429, {} back-off windows opened",
        limited.admitted, limited.delayed, limited.rate_limited, limited.windows
    );
    let lost = result.records.iter().filter(|r| r.error.is_some()).count();
    println!("Examples lost to provider failures: {lost} of {}", result.records.len());
    Ok(())
}
