//! Evaluate through the recommended resilience stack (`client.layer(breaker).layer(retry)`)
//! while the loopback server fails 30% of requests: every example is scored, once.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use cognate_core::LanguageModelExt;
use cognate_eval::metrics::NumericMatch;
use cognate_lm::{BreakerState, CircuitBreaker, OpenAiClient, Retry};
use cognate_runtime::Predict;
use cognate_testing::{Failure, MockServer, MockServerConfig};
use serde_json::json;

use super::{Echo, dataset, question_number, quiet, reply, settings};

/// What the failing 30% of requests get, in equal shares: a rate limit with `Retry-After`, a
/// server error, a dropped connection, and a reply slower than the client's time-out.
const FAULTS: &[Failure] = &[
    Failure::Status429 { retry_after_secs: 1 },
    Failure::Status500,
    Failure::DropConnection,
    Failure::Slow { delay_ms: 10_000 },
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_examples_survive_a_server_failing_30_percent_of_requests() {
    const EXAMPLES: usize = 2000;
    let config = MockServerConfig::default()
        .with_latency(Duration::from_millis(1))
        .with_fail_probability(0.3, 2026, Failure::OneOf(FAULTS))
        .with_reply(|request| reply(&question_number(request).to_string()));
    let server = MockServer::start(config).await.unwrap();
    let client = OpenAiClient::new("mock-lm")
        .with_base_url(server.base_url())
        // A healthy answer takes milliseconds; a slow one is cut off after 1 s.
        .with_request_timeout(Duration::from_secs(1))
        // The server's `Retry-After: 1` is honoured as 50 ms, to keep the test fast.
        .with_max_retry_after(Duration::from_millis(50));
    // Default breaker and budget (the budget's 0.5 retries per call covers the 0.43 that a 30%
    // failure rate needs). Up to 15 retries: with 3, 0.3^4 = 0.8% of examples (16 of 2,000)
    // would fail four times in a row; with 15, 0.3^16 x 2,000 < 1e-5.
    let breaker = CircuitBreaker::default();
    let retry = Retry::default()
        .with_max_retries(15)
        .with_backoff(Duration::from_millis(5), Duration::from_millis(100))
        .with_jitter_seed(7);
    let lm = client.layer(breaker.clone()).layer(retry.clone());
    let evaluate = quiet(NumericMatch::new()).with_concurrency(256);
    let data = dataset(EXAMPLES);

    let started = Instant::now();
    let result = settings(lm).scope(evaluate.run(&Predict::<Echo>::new(), &data)).await;
    let result =
        result.unwrap_or_else(|e| panic!("{e} (retries: {:?}, breaker: {:?})", retry.stats(), breaker.state()));
    let elapsed = started.elapsed();

    let stats = retry.stats();
    let s = &result.summary;
    let correct = result
        .records
        .iter()
        .filter(|r| r.prediction.as_ref().and_then(|p| p.get("answer")) == Some(&json!(r.index.to_string())))
        .count();
    // Which failure each request got is a function of its number: recount them by kind.
    let plan = server.config().failure_plan().unwrap();
    let kinds: Vec<Failure> = (1..=server.request_count()).filter_map(|i| plan.failure_for(i)).collect();
    let count = |kind: Failure| kinds.iter().filter(|k| **k == kind).count();
    println!(
        "fault injection: {EXAMPLES} examples, {} requests sent, {} failures injected ({:.1}%: {} 429, {} 500, \
         {} dropped, {} too slow), {} retried, {} calls failed, {} examples lost, {:.1} s",
        server.request_count(),
        server.failure_count(),
        100.0 * server.failure_count() as f64 / server.request_count() as f64,
        count(FAULTS[0]),
        count(FAULTS[1]),
        count(FAULTS[2]),
        count(FAULTS[3]),
        stats.retries,
        stats.gave_up,
        EXAMPLES - correct,
        elapsed.as_secs_f64(),
    );

    // Every example scored, correctly, once.
    assert_eq!(result.records.len(), EXAMPLES);
    let indices: HashSet<usize> = result.records.iter().map(|r| r.index).collect();
    assert_eq!(indices, (0..EXAMPLES).collect::<HashSet<_>>());
    assert_eq!(correct, EXAMPLES);
    assert_eq!((s.completed, s.scored, s.errors, s.infra_errors), (EXAMPLES, EXAMPLES, 0, 0), "{s}");
    assert_eq!(s.average_score, 1.0);
    // One logical call per example; every request the server saw is a call or a retry.
    assert_eq!(s.lm_calls, EXAMPLES as u64);
    assert_eq!(stats.calls, EXAMPLES as u64);
    assert_eq!((stats.gave_up, stats.budget_denied), (0, 0), "{stats:?}");
    assert_eq!(server.request_count(), stats.calls + stats.retries);
    // The server did fail about 30% of them, and the breaker never opened on it.
    let rate = server.failure_count() as f64 / server.request_count() as f64;
    assert!((0.25..0.35).contains(&rate), "{rate}");
    assert_eq!(kinds.len() as u64, server.failure_count());
    assert!(FAULTS.iter().all(|kind| count(*kind) > 100), "every kind of failure was injected");
    assert_eq!(breaker.state(), BreakerState::Closed);
    server.shutdown().await;
}
