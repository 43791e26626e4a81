use std::time::Duration;

use cognate_core::{LanguageModelExt, Message, TimeoutLimit};
use cognate_testing::{EventLog, MockLm};
use tokio::time::Instant;

use super::*;

fn request() -> LmRequest {
    LmRequest::new(vec![Message::user("q")])
}

fn http(status: u16, retry_after: Option<Duration>) -> LmError {
    LmError::Http { status, message: format!("status {status}"), retry_after }
}

/// A mock that fails with `errors`, in order, then answers `ok`.
fn failing_then_ok(errors: impl IntoIterator<Item = LmError>) -> MockLm {
    let mock = MockLm::new(Vec::<String>::new());
    for error in errors {
        mock.push_error(error);
    }
    mock.push_reply("ok");
    mock
}

fn always(error: LmError) -> MockLm {
    MockLm::from_fn(move |_| Err(error.clone()))
}

#[tokio::test(start_paused = true)]
async fn transient_failures_are_retried_until_one_succeeds() {
    let timeout = LmError::Timeout { limit: TimeoutLimit::Request, after: Duration::from_secs(1) };
    let errors = [http(500, None), http(503, None), timeout, LmError::Connection("reset".into())];
    let mock = failing_then_ok(errors);
    let retry = Retry::default().with_max_retries(4);
    let lm = mock.clone().layer(retry.clone());
    let reply = lm.complete(request()).await.unwrap();
    assert_eq!(reply.choices[0].text, "ok");
    assert_eq!(mock.call_count(), 5);
    assert!(mock.requests().iter().all(|r| *r == request()), "every attempt sends the same request");
    assert_eq!(retry.stats(), RetryStats { calls: 1, retries: 4, gave_up: 0, budget_denied: 0 });
}

#[tokio::test(start_paused = true)]
async fn client_errors_and_bad_replies_are_never_retried() {
    let cases = [
        http(400, None),
        http(401, None),
        http(404, None),
        http(422, None),
        LmError::ResponseTooLarge { limit: 10 },
        LmError::Decode("not json".into()),
        LmError::Config("bad url".into()),
        LmError::CircuitOpen { retry_in: Duration::from_secs(1) },
        LmError::Other("scripted".into()),
    ];
    for error in cases {
        let mock = failing_then_ok([error.clone()]);
        let retry = Retry::default();
        let got = mock.clone().layer(retry.clone()).complete(request()).await.unwrap_err();
        assert_eq!(got.to_string(), error.to_string());
        assert_eq!(mock.call_count(), 1, "{error}");
        assert_eq!(retry.stats().retries, 0, "{error}");
    }
}

#[tokio::test(start_paused = true)]
async fn the_last_error_is_returned_when_the_attempts_run_out() {
    let errors = [http(500, None), http(502, None), http(503, None), http(504, None)];
    let mock = failing_then_ok(errors);
    let retry = Retry::default().with_max_retries(2);
    let error = mock.clone().layer(retry.clone()).complete(request()).await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(mock.call_count(), 3);
    assert_eq!(retry.stats(), RetryStats { calls: 1, retries: 2, gave_up: 1, budget_denied: 0 });

    let mock = failing_then_ok([http(500, None)]);
    let off = Retry::default().with_max_retries(0);
    assert_eq!(mock.clone().layer(off).complete(request()).await.unwrap_err().status(), Some(500));
    assert_eq!(mock.call_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_the_least_wait() {
    let mock = failing_then_ok([http(429, Some(Duration::from_secs(7)))]);
    let retry = Retry::default().with_backoff(Duration::from_millis(100), Duration::from_secs(1));
    let lm = mock.clone().layer(retry);
    let start = Instant::now();
    lm.complete(request()).await.unwrap();
    let waited = start.elapsed();
    // The jitter (under 100 ms) is below the server's 7 s, which wins; the paused clock only
    // rounds timers up to the millisecond.
    assert!(waited >= Duration::from_secs(7) && waited <= Duration::from_millis(7001), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn a_wait_past_the_total_limit_is_not_made() {
    let mock = failing_then_ok([http(429, Some(Duration::from_secs(30)))]);
    let retry = Retry::default().with_max_total_wait(Duration::from_secs(20));
    let start = Instant::now();
    let error = mock.clone().layer(retry.clone()).complete(request()).await.unwrap_err();
    assert_eq!(error.status(), Some(429));
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(mock.call_count(), 1);
    assert_eq!(retry.stats().gave_up, 1);
}

#[test]
fn waits_are_full_jitter_below_doubling_ceilings_and_reproducible() {
    let policy = Retry::default()
        .with_max_retries(6)
        .with_backoff(Duration::from_secs(1), Duration::from_secs(8))
        .with_jitter_seed(42)
        .with_budget(RetryBudget::unlimited())
        .with_max_total_wait(Duration::MAX);
    let waits = |call: u64| {
        let mut state = CallState {
            policy: &policy,
            model: "m",
            rng: SeededRng::new(policy.jitter_seed.wrapping_add(call.wrapping_mul(0x9E37_79B9_7F4A_7C15))),
            attempt: 1,
            waited: Duration::ZERO,
        };
        let error = http(500, None);
        policy
            .schedule()
            .build()
            .map(|ceiling| (ceiling, state.next_wait(&error, Some(ceiling)).unwrap()))
            .collect::<Vec<_>>()
    };
    let first = waits(0);
    let ceilings: Vec<u64> = first.iter().map(|(c, _)| c.as_secs()).collect();
    assert_eq!(ceilings, [1, 2, 4, 8, 8, 8]);
    for (ceiling, wait) in &first {
        assert!(wait < ceiling, "{wait:?} !< {ceiling:?}");
    }
    // Full jitter: the waits are spread over [0, ceiling), not bunched near it.
    assert!(first.iter().any(|(c, w)| *w < *c / 2), "{first:?}");
    assert_eq!(waits(0), first, "one seed, one call number: the same waits");
    assert_ne!(waits(1), first, "each call draws its own jitter");

    // A `Retry-After` longer than the draw wins; a shorter one does not shorten the wait.
    let mut state =
        CallState { policy: &policy, model: "m", rng: SeededRng::new(1), attempt: 1, waited: Duration::ZERO };
    let wait = state.next_wait(&http(429, Some(Duration::from_secs(60))), Some(Duration::from_secs(1)));
    assert_eq!(wait, Some(Duration::from_secs(60)));
    let wait = state.next_wait(&http(429, Some(Duration::ZERO)), Some(Duration::from_secs(1))).unwrap();
    assert!(wait < Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn the_shared_budget_bounds_retries_across_calls_and_clones() {
    // No floor... except 10 retries per 10 s window, and 0.1 retries per call.
    let retry = Retry::default().with_budget(RetryBudget::new(Duration::from_secs(10), 1, 0.1));
    let mock = always(http(503, None));
    let a = mock.clone().layer(retry.clone());
    let b = mock.clone().layer(retry.clone());
    let calls = (0..100).map(|i| {
        let lm = if i % 2 == 0 { &a } else { &b };
        lm.complete(request())
    });
    let results = futures_join_all(calls).await;
    assert!(results.iter().all(|r| r.as_ref().unwrap_err().status() == Some(503)));
    let stats = retry.stats();
    // Without a budget: 300 retries. With it: the 10 of the floor plus 0.1 x 100 calls.
    assert_eq!(stats.calls, 100);
    assert!(stats.retries <= 20 && stats.retries >= 10, "{stats:?}");
    assert_eq!(mock.call_count() as u64, 100 + stats.retries);
    assert_eq!(stats.gave_up, 100);
    assert!(stats.budget_denied >= 70, "{stats:?}");
}

/// `join_all` without the futures crate: polls every future on this task until all are done.
async fn futures_join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = handles.iter().map(|_| None).collect();
    let mut handles: Vec<Option<_>> = handles.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (slot, output) in handles.iter_mut().zip(outputs.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => {
                        *output = Some(value);
                        *slot = None;
                    }
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("every future completed")).collect()
}

#[tokio::test(start_paused = true)]
async fn the_budget_refills_with_calls_and_forgets_after_its_window() {
    let budget = RetryBudget::new(Duration::from_secs(10), 0, 0.5);
    assert!(!budget.withdraw(), "no floor and no calls: no retries");
    for _ in 0..4 {
        budget.deposit();
    }
    assert!(budget.withdraw() && budget.withdraw());
    assert!(!budget.withdraw());
    for _ in 0..2 {
        budget.deposit();
    }
    tokio::time::advance(Duration::from_secs(11)).await;
    assert!(!budget.withdraw(), "the deposits left the window");

    let floor = RetryBudget::new(Duration::from_secs(10), 2, 0.0);
    assert_eq!((0..25).filter(|_| floor.withdraw()).count(), 20);
    tokio::time::advance(Duration::from_secs(5)).await;
    assert!(!floor.withdraw(), "the window still holds the 20 retries");
    tokio::time::advance(Duration::from_secs(6)).await;
    assert_eq!((0..25).filter(|_| floor.withdraw()).count(), 20);
    // Far in the future the window starts afresh.
    tokio::time::advance(Duration::from_secs(3600)).await;
    assert_eq!((0..25).filter(|_| floor.withdraw()).count(), 20);

    let unlimited = RetryBudget::unlimited();
    assert!((0..1000).all(|_| unlimited.withdraw()));
}

#[tokio::test(start_paused = true)]
async fn every_retry_and_every_give_up_is_a_warning() {
    let log = EventLog::default();
    let _guard = log.install();
    let mock = failing_then_ok([http(429, Some(Duration::from_secs(2))), http(500, None), http(500, None)]);
    let lm = mock.clone().layer(Retry::default().with_max_retries(1).with_jitter_seed(3));
    assert_eq!(lm.complete(request()).await.unwrap_err().status(), Some(500));
    let retries = log.events_with("cognate::lm", "lm call failed; retrying");
    assert_eq!(retries.len(), 1);
    let event = &retries[0];
    assert_eq!(event.level, tracing::Level::WARN);
    assert_eq!(event.field("attempt"), Some("1"));
    assert_eq!(event.field("max_attempts"), Some("2"));
    assert_eq!(event.field("wait_ms"), Some("2000"));
    assert_eq!(event.field("retry_after_ms"), Some("2000"));
    assert_eq!(event.field("error"), Some("lm returned http 429: status 429"));
    let gave_up = log.events_with("cognate::lm", "lm call failed; not retrying: no attempts left");
    assert_eq!(gave_up.len(), 1);
    assert_eq!(gave_up[0].field("attempt"), Some("2"));
}

#[tokio::test(start_paused = true)]
async fn dropping_the_call_stops_the_retries() {
    let mock = always(http(429, Some(Duration::from_secs(10))));
    let lm = mock.clone().layer(Retry::default());
    let abandoned = tokio::time::timeout(Duration::from_secs(5), lm.complete(request())).await;
    assert!(abandoned.is_err(), "still waiting out the Retry-After");
    tokio::time::advance(Duration::from_secs(120)).await;
    assert_eq!(mock.call_count(), 1);
}

#[tokio::test]
async fn the_wrapper_forwards_the_models_identity() {
    let mock = MockLm::new(["a"]).with_model_name("m").with_json_schema_support(true);
    let lm = mock.layer(Retry::default());
    assert_eq!(lm.model_name(), "m");
    assert!(lm.supports_json_schema());
    assert!(format!("{:?}", lm.policy()).contains("RetryBudget { ttl: 10s, min_per_sec: 10, retry_ratio: 0.5 }"));
}
