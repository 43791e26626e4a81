use std::time::Duration;

use cognate_core::{LanguageModelExt, Message, TimeoutLimit};
use cognate_testing::{EventLog, MockLm};

use super::*;

fn request() -> LmRequest {
    LmRequest::new(vec![Message::user("q")])
}

fn http(status: u16) -> LmError {
    LmError::Http { status, message: format!("status {status}"), retry_after: None }
}

/// A mock answering `script` in order: `Ok` replies `"ok"`, `Err` fails.
fn scripted(script: impl IntoIterator<Item = Result<(), LmError>>) -> MockLm {
    let mock = MockLm::new(Vec::<String>::new());
    for step in script {
        match step {
            Ok(()) => mock.push_reply("ok"),
            Err(error) => mock.push_error(error),
        }
    }
    mock
}

/// Waits `delay` (tokio time) before forwarding to `inner`.
struct Delayed<L> {
    inner: L,
    delay: Duration,
}

impl<L: LanguageModel> LanguageModel for Delayed<L> {
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        tokio::time::sleep(self.delay).await;
        self.inner.complete(request).await
    }
    fn model_name(&self) -> &str {
        self.inner.model_name()
    }
}

fn small() -> CircuitBreaker {
    CircuitBreaker::default()
        .with_window(10)
        .with_min_calls(4)
        .with_failure_ratio(0.5)
        .with_open_for(Duration::from_secs(10))
}

async fn run(lm: &impl LanguageModel, n: usize) -> Vec<Result<LmResponse, LmError>> {
    let mut results = Vec::new();
    for _ in 0..n {
        results.push(lm.complete(request()).await);
    }
    results
}

#[tokio::test(start_paused = true)]
async fn opens_once_the_failure_ratio_is_reached_over_the_least_calls() {
    // Three failures are under the least number of calls: still closed.
    let mock = scripted([Err(http(500)), Err(http(502)), Err(http(503)), Ok(()), Err(http(500))]);
    let breaker = small();
    let lm = mock.clone().layer(breaker.clone());
    run(&lm, 3).await;
    assert_eq!(breaker.state(), BreakerState::Closed);
    // A success does not open it, even over the ratio...
    run(&lm, 1).await;
    assert_eq!(breaker.state(), BreakerState::Closed);
    // ...the next failure does: 4 failures of 5.
    run(&lm, 1).await;
    assert_eq!(breaker.state(), BreakerState::Open);
    assert_eq!(mock.call_count(), 5);
}

#[tokio::test(start_paused = true)]
async fn a_provider_failing_less_than_the_ratio_keeps_it_closed_as_the_window_slides() {
    // One failure in three, for 300 calls.
    let mock = MockLm::from_fn({
        let n = std::sync::atomic::AtomicUsize::new(0);
        move |_| {
            if n.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 3 == 2 { Err(http(503)) } else { Ok("ok".into()) }
        }
    });
    let breaker = small();
    let lm = mock.clone().layer(breaker.clone());
    let results = run(&lm, 300).await;
    assert_eq!(breaker.state(), BreakerState::Closed);
    assert_eq!(results.iter().filter(|r| r.is_err()).count(), 100);
    // The window holds the last 10 outcomes only: 5 failures in a row then open it.
    let mock = scripted((0..10).map(|_| Ok(())).chain((0..5).map(|_| Err(http(500)))));
    let breaker = small();
    let lm = mock.layer(breaker.clone());
    run(&lm, 14).await;
    assert_eq!(breaker.state(), BreakerState::Closed, "4 failures of the last 10");
    run(&lm, 1).await;
    assert_eq!(breaker.state(), BreakerState::Open, "5 failures of the last 10");
}

#[tokio::test(start_paused = true)]
async fn open_fails_fast_then_a_probe_decides() {
    let log = EventLog::default();
    let _guard = log.install();
    let failures = (0..4).map(|_| Err(http(503)));
    // After opening: a failing probe, then a good one, then normal service.
    let mock = scripted(failures.chain([Err(http(500)), Ok(()), Ok(()), Ok(())]));
    let breaker = small();
    let lm = mock.clone().layer(breaker.clone());
    run(&lm, 4).await;
    assert_eq!(breaker.state(), BreakerState::Open);

    tokio::time::advance(Duration::from_secs(4)).await;
    let error = lm.complete(request()).await.unwrap_err();
    assert!(matches!(error, LmError::CircuitOpen { retry_in } if retry_in == Duration::from_secs(6)), "{error}");
    assert!(!error.is_retryable());
    assert_eq!(mock.call_count(), 4, "no call reaches the provider while open");

    // The open period passes: one probe, which fails and re-opens the breaker for 10 s more.
    tokio::time::advance(Duration::from_secs(6)).await;
    assert_eq!(lm.complete(request()).await.unwrap_err().status(), Some(500));
    assert_eq!(breaker.state(), BreakerState::Open);
    let error = lm.complete(request()).await.unwrap_err();
    assert!(matches!(error, LmError::CircuitOpen { retry_in } if retry_in == Duration::from_secs(10)), "{error}");
    assert_eq!(mock.call_count(), 5);

    tokio::time::advance(Duration::from_secs(10)).await;
    run(&lm, 3).await.into_iter().for_each(|r| assert_eq!(r.unwrap().choices[0].text, "ok"));
    assert_eq!(breaker.state(), BreakerState::Closed);
    assert_eq!(mock.call_count(), 8);

    let messages: Vec<String> =
        log.events().into_iter().filter(|e| e.target == "cognate::lm").map(|e| e.message().to_owned()).collect();
    assert_eq!(
        messages,
        [
            "circuit breaker opened: the provider failed 4 of the last 4 calls; failing fast",
            "circuit breaker half-open: letting probe calls through",
            "circuit breaker re-opened: a probe call failed",
            "circuit breaker half-open: letting probe calls through",
            "circuit breaker closed: the probe calls succeeded",
        ]
    );
    let opened = &log.events_with("cognate::lm", "circuit breaker opened")[0];
    assert_eq!(opened.level, tracing::Level::WARN);
    assert_eq!(opened.field("open_for_ms"), Some("10000"));
}

#[tokio::test(start_paused = true)]
async fn half_open_lets_only_the_probes_through_and_needs_them_all() {
    let mock = MockLm::from_fn(|_| Ok("ok".into()));
    let breaker = small().with_half_open_probes(2);
    let slow = Delayed { inner: mock.clone(), delay: Duration::from_secs(1) };
    let failing = scripted((0..4).map(|_| Err(http(503))));
    // Open it through another model sharing the breaker.
    run(&failing.layer(breaker.clone()), 4).await;
    tokio::time::advance(Duration::from_secs(10)).await;

    let lm = slow.layer(breaker.clone());
    let (a, b, c) = tokio::join!(lm.complete(request()), lm.complete(request()), lm.complete(request()));
    assert!(a.is_ok() && b.is_ok());
    assert!(matches!(c, Err(LmError::CircuitOpen { retry_in: Duration::ZERO })), "{c:?}");
    assert_eq!(mock.call_count(), 2);
    assert_eq!(breaker.state(), BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn client_errors_and_rate_limits_are_ignored() {
    let ignored = [
        http(400),
        http(401),
        http(404),
        http(422),
        http(429),
        LmError::Decode("not json".into()),
        LmError::ResponseTooLarge { limit: 1 },
        LmError::Config("bad".into()),
    ];
    let mock = scripted(ignored.iter().cloned().cycle().take(40).map(Err));
    let breaker = small();
    run(&mock.layer(breaker.clone()), 40).await;
    assert_eq!(breaker.state(), BreakerState::Closed);

    let timeout = LmError::Timeout { limit: TimeoutLimit::Request, after: Duration::from_secs(1) };
    let counted = [http(408), http(500), timeout, LmError::Connection("refused".into())];
    let mock = scripted(counted.into_iter().map(Err));
    let breaker = small();
    run(&mock.layer(breaker.clone()), 4).await;
    assert_eq!(breaker.state(), BreakerState::Open);
}

#[tokio::test(start_paused = true)]
async fn an_abandoned_probe_frees_its_slot() {
    let breaker = small();
    run(&scripted((0..4).map(|_| Err(http(503)))).layer(breaker.clone()), 4).await;
    tokio::time::advance(Duration::from_secs(10)).await;

    let mock = MockLm::from_fn(|_| Ok("ok".into()));
    let lm = Delayed { inner: mock.clone(), delay: Duration::from_secs(5) }.layer(breaker.clone());
    assert!(tokio::time::timeout(Duration::from_secs(1), lm.complete(request())).await.is_err());
    assert_eq!(breaker.state(), BreakerState::HalfOpen);
    // The dropped probe decided nothing; the next call is the probe.
    assert!(lm.complete(request()).await.is_ok());
    assert_eq!(breaker.state(), BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn outcomes_of_calls_from_an_earlier_state_do_not_count() {
    let breaker = small().with_min_calls(1).with_failure_ratio(1.0);
    // A slow call starts while closed...
    let slow = Delayed { inner: scripted([Err(http(500))]), delay: Duration::from_secs(3) }.layer(breaker.clone());
    let fast = scripted([Err(http(500)), Ok(())]).layer(breaker.clone());
    let (late, ()) = tokio::join!(slow.complete(request()), async {
        // ...the breaker opens, and half-opens after 10 s...
        assert!(fast.complete(request()).await.is_err());
        assert_eq!(breaker.state(), BreakerState::Open);
    });
    // ...and the slow call's failure, after 3 s, is not counted in the open state.
    assert!(late.is_err());
    let Err(LmError::CircuitOpen { retry_in }) = fast.complete(request()).await else { panic!("still open") };
    assert_eq!(retry_in, Duration::from_secs(7), "the late failure did not re-open the breaker");
}

#[tokio::test]
async fn the_wrapper_forwards_the_models_identity() {
    let lm = MockLm::new(["a"]).with_model_name("m").with_json_schema_support(true).layer(CircuitBreaker::new());
    assert_eq!(lm.model_name(), "m");
    assert!(lm.supports_json_schema());
    assert_eq!(lm.breaker().state(), BreakerState::Closed);
}
