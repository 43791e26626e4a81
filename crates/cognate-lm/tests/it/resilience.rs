//! The retry layer and the circuit breaker around the real client, against the loopback mock
//! server with failure injection; requests are counted on the server. The open periods pass
//! on tokio's paused clock (`pause`, `advance`, `resume`: the HTTP calls themselves run on
//! the real clock).

use std::time::Duration;

use cognate_core::{LanguageModel, LanguageModelExt, LmError, LmRequest, Message, TimeoutLimit};
use cognate_lm::{BreakerState, CircuitBreaker, OpenAiClient, Retry};
use cognate_testing::{Failure, MockServer, MockServerConfig};

fn request() -> LmRequest {
    LmRequest::new(vec![Message::user("hello")])
}

fn client(server: &MockServer) -> OpenAiClient {
    OpenAiClient::new("mock-lm").with_base_url(server.base_url()).with_max_retry_after(Duration::from_millis(20))
}

fn fast_retry(retries: u32) -> Retry {
    Retry::default().with_max_retries(retries).with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

/// Lets `period` pass on tokio's clock without waiting for it.
async fn skip(period: Duration) {
    tokio::time::pause();
    tokio::time::advance(period).await;
    tokio::time::resume();
}

#[tokio::test]
async fn retries_ride_out_a_rate_limit_an_error_and_a_dropped_connection() {
    // `Mixed` gives request 1 a 500, request 2 a dropped connection, request 3 a 429 with
    // `Retry-After: 1` (clamped to 20 ms by the client).
    let server = MockServer::start(MockServerConfig::default().with_fail_first(3, Failure::Mixed)).await.unwrap();
    let retry = fast_retry(3);
    let lm = client(&server).layer(retry.clone());
    let reply = lm.complete(request()).await.unwrap();
    assert!(reply.choices[0].text.starts_with("Mock reply:"), "{reply:?}");
    assert_eq!((server.request_count(), server.failure_count()), (4, 3));
    assert_eq!(retry.stats().retries, 3);
    server.shutdown().await;
}

#[tokio::test]
async fn a_reply_slower_than_the_time_out_is_retried() {
    let slow = Failure::Slow { delay_ms: 30_000 };
    let server = MockServer::start(MockServerConfig::default().with_fail_first(1, slow)).await.unwrap();
    let retry = fast_retry(1);
    let lm = client(&server).with_request_timeout(Duration::from_millis(300)).layer(retry.clone());
    assert!(lm.complete(request()).await.is_ok());
    assert_eq!(server.request_count(), 2);
    server.shutdown().await;

    // When every reply is too slow, the last time-out is the caller's error.
    let dead = MockServer::start(MockServerConfig::default().with_fail_every(1, slow)).await.unwrap();
    let lm = client(&dead).with_request_timeout(Duration::from_millis(100)).layer(fast_retry(2));
    let error = lm.complete(request()).await.unwrap_err();
    assert_eq!(error.timeout_limit(), Some(TimeoutLimit::Request), "{error}");
    assert_eq!(dead.request_count(), 3);
    dead.shutdown().await;
}

#[tokio::test]
async fn the_breaker_opens_fails_fast_and_recovers_through_half_open() {
    // Six failing requests, then a healthy server.
    let server = MockServer::start(MockServerConfig::default().with_fail_first(6, Failure::Status500)).await.unwrap();
    let open_for = Duration::from_secs(5);
    let breaker = CircuitBreaker::default().with_window(10).with_min_calls(5).with_open_for(open_for);
    let lm = client(&server).layer(breaker.clone());

    for _ in 0..5 {
        assert_eq!(lm.complete(request()).await.unwrap_err().status(), Some(500));
    }
    assert_eq!(breaker.state(), BreakerState::Open);
    for _ in 0..20 {
        let error = lm.complete(request()).await.unwrap_err();
        assert!(matches!(error, LmError::CircuitOpen { .. }), "{error}");
    }
    assert_eq!(server.request_count(), 5, "no request reaches the server while the breaker is open");

    // Half-open: the probe is request 6, which fails; the breaker opens again.
    skip(open_for).await;
    assert_eq!(lm.complete(request()).await.unwrap_err().status(), Some(500));
    assert_eq!(breaker.state(), BreakerState::Open);
    for _ in 0..10 {
        assert!(matches!(lm.complete(request()).await, Err(LmError::CircuitOpen { .. })));
    }
    assert_eq!(server.request_count(), 6);

    // The next probe succeeds and closes it; calls flow again.
    skip(open_for).await;
    assert!(lm.complete(request()).await.is_ok());
    assert_eq!(breaker.state(), BreakerState::Closed);
    for _ in 0..10 {
        assert!(lm.complete(request()).await.is_ok());
    }
    assert_eq!(server.request_count(), 17);
    server.shutdown().await;
}

#[tokio::test]
async fn retries_outside_the_breaker_stop_when_it_opens() {
    let server = MockServer::start(MockServerConfig::default().with_fail_every(1, Failure::Status500)).await.unwrap();
    let breaker = CircuitBreaker::default().with_window(10).with_min_calls(5);
    let retry = fast_retry(20);
    let lm = client(&server).layer(breaker.clone()).layer(retry.clone());
    let error = lm.complete(request()).await.unwrap_err();
    // Five attempts opened the breaker; the sixth failed fast and was not retried.
    assert!(matches!(error, LmError::CircuitOpen { .. }), "{error}");
    assert_eq!(server.request_count(), 5);
    assert_eq!(retry.stats().retries, 5);
    // Later calls fail fast without a single request.
    for _ in 0..100 {
        assert!(matches!(lm.complete(request()).await, Err(LmError::CircuitOpen { .. })));
    }
    assert_eq!(server.request_count(), 5);
    assert_eq!(retry.stats().retries, 5);
    server.shutdown().await;
}
