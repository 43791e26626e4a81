//! Evaluate under broken infrastructure: LM outages are not scored as wrong answers, and one
//! huge reply does not stall the other examples.

use std::sync::Arc;
use std::time::Duration;

use cognate_adapters::{Adapter, ChatAdapter};
use cognate_core::{Example, Message, ParseError, SignatureDesc, Values};
use cognate_eval::metrics::NumericMatch;
use cognate_eval::{Error, InfraPolicy};
use cognate_lm::OpenAiClient;
use cognate_runtime::Predict;
use cognate_testing::{Failure, MockServer, MockServerConfig};
use futures::StreamExt;

use super::{Echo, dataset, question_number, quiet, reply, settings};

/// A server answering every question right, with 30% of requests failing with 429, 500 or a
/// dropped connection.
async fn flaky_server() -> MockServer {
    let config = MockServerConfig::default()
        .with_fail_probability(0.3, 7, Failure::Mixed)
        .with_reply(|request| reply(&question_number(request).to_string()));
    MockServer::start(config).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_fails_the_run_instead_of_scoring_zeros() {
    let server = flaky_server().await;
    let client = OpenAiClient::new("mock-lm").with_base_url(server.base_url());
    let evaluate = quiet(NumericMatch::new()).with_concurrency(8);
    let err = settings(client).scope(evaluate.run(&Predict::<Echo>::new(), &dataset(200))).await.unwrap_err();
    let Error::Infrastructure { infra_errors, examples, completed, max_fraction, ref first, ref partial } = err else {
        panic!("expected an infrastructure error, got {err}")
    };
    // Stopped as soon as more than 5% of 200 examples (10) hit infrastructure errors.
    assert_eq!((infra_errors, examples, max_fraction), (11, 200, 0.05));
    assert!(completed < 200, "{completed}");
    assert!(first.is_infrastructure(), "{first}");
    let s = &partial.summary;
    assert_eq!((s.completed, s.infra_errors, s.errors), (completed, 11, 0));
    // What was answered was right: the partial score is over the answered examples.
    assert_eq!(s.scored, completed - 11);
    assert_eq!(s.average_score, 1.0, "{s}");
    let message = err.to_string();
    assert!(message.starts_with("evaluation failed: 11 of 200 examples hit infrastructure errors (more than 5%)"));
    assert!(message.contains("; first: "), "{message}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excluded_outages_leave_the_score_over_answered_examples() {
    let server = flaky_server().await;
    let client = OpenAiClient::new("mock-lm").with_base_url(server.base_url());
    let evaluate = quiet(NumericMatch::new()).with_concurrency(8).with_infra_policy(InfraPolicy::Exclude);
    let result = settings(client).scope(evaluate.run(&Predict::<Echo>::new(), &dataset(200))).await.unwrap();
    let s = &result.summary;
    assert_eq!((s.completed, s.errors), (200, 0));
    assert!(s.infra_errors > 30 && s.infra_errors < 90, "{s}");
    assert_eq!(s.infra_errors + s.scored, 200);
    assert_eq!(s.average_score, 1.0, "{s}");
    assert!(s.to_string().contains(&format!(", {} infrastructure errors (not scored);", s.infra_errors)), "{s}");
    let flagged = result.records.iter().filter(|r| r.to_json()["error"]["infrastructure"] == true).count();
    assert_eq!(flagged, s.infra_errors);

    // Counted as zeros (DSPy's way), the same outage drags the score down (with no error
    // budget: under the default of 10 the outage would stop the run).
    let client = OpenAiClient::new("mock-lm").with_base_url(server.base_url());
    let evaluate = evaluate.with_infra_policy(InfraPolicy::CountAsZero).with_max_errors(None);
    let result = settings(client).scope(evaluate.run(&Predict::<Echo>::new(), &dataset(200))).await.unwrap();
    let s = &result.summary;
    assert_eq!(s.scored, 200);
    assert_eq!(s.average_score, (200 - s.infra_errors) as f64 / 200.0, "{s}");
    assert!(s.to_string().contains("infrastructure errors (scored as failures)"), "{s}");
    server.shutdown().await;
}

#[tokio::test]
async fn a_lazy_stream_keeps_running_totals() {
    let lm = cognate_testing::MockLm::from_fn(|request| Ok(reply(&question_number(request).to_string())));
    let evaluate = quiet(NumericMatch::new()).with_concurrency(4);
    let program = Predict::<Echo>::new();
    let generated = (0..50).map(|i| {
        Example::default()
            .with("question", format!("q{i}"))
            .with("answer", (i % 2).to_string())
            .with_inputs(["question"])
    });
    let summary = settings(lm)
        .scope(async {
            let mut stream = evaluate.stream_iter(&program, generated, |e: &Example| {
                Ok(cognate_core::from_values(&e.inputs(), "EchoInput")?)
            });
            let mut seen = 0;
            while stream.next().await.is_some() {
                seen += 1;
            }
            assert_eq!(seen, 50);
            stream.summary()
        })
        .await;
    // Questions 0 and 1 match their answers; no other does.
    assert_eq!((summary.examples, summary.completed, summary.scored, summary.errors), (50, 50, 50, 0));
    assert_eq!(summary.average_score, 2.0 / 50.0);
    assert_eq!(summary.lm_calls, 50);
}

/// ChatAdapter, with a parse that blocks its thread for a while on replies over 1 MB: a
/// stand-in for a CPU-heavy parse of a huge reply, independent of how fast the real parsers
/// are.
#[derive(Debug)]
struct SlowOnHugeReplies;

impl Adapter for SlowOnHugeReplies {
    fn name(&self) -> &'static str {
        "ChatAdapter"
    }
    fn format(&self, signature: &SignatureDesc, demos: &[&Values], inputs: &Values) -> Vec<Message> {
        ChatAdapter.format(signature, demos, inputs)
    }
    fn parse(&self, signature: &SignatureDesc, completion: &str) -> Result<Values, Box<ParseError>> {
        if completion.len() > 1 << 20 {
            std::thread::sleep(Duration::from_secs(6));
        }
        ChatAdapter.parse(signature, completion)
    }
}

#[tokio::test]
async fn one_huge_reply_does_not_time_out_the_others() {
    // Question 3 gets 2 MB of junk; the rest get right answers after 50 ms. The time-out (2 s)
    // is far above a healthy call even on a loaded machine, and far below the 6 s that the
    // junk's parse holds its thread: a parse on the task's own thread would time out calls.
    let config = MockServerConfig::default().with_latency(Duration::from_millis(50)).with_reply(|request| {
        let i = question_number(request);
        if i == 3 { "x{[\"".repeat(512 * 1024) } else { reply(&i.to_string()) }
    });
    let server = MockServer::start(config).await.unwrap();
    let client =
        OpenAiClient::new("mock-lm").with_base_url(server.base_url()).with_request_timeout(Duration::from_secs(2));
    let evaluate = quiet(NumericMatch::new()).with_concurrency(16).with_infra_policy(InfraPolicy::Exclude);
    let result = settings(client)
        .with_adapter(Arc::new(SlowOnHugeReplies))
        .scope(evaluate.run(&Predict::<Echo>::new(), &dataset(64)))
        .await
        .unwrap();
    let failed: Vec<(usize, String)> =
        result.records.iter().filter_map(|r| r.error.as_ref().map(|e| (r.index, e.to_string()))).collect();
    // Only the junk reply fails (a parse error, a program failure); no healthy call timed out.
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0].0, 3);
    assert!(!result.records[3].is_infrastructure_error(), "{}", failed[0].1);
    assert_eq!((result.summary.infra_errors, result.summary.errors), (0, 1));
    server.shutdown().await;
}
