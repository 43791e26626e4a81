//! The rate-limit, concurrency-limit and time-out layers under load: a thousand concurrent
//! callers on tokio's paused clock (every instant below is exact, and a run of simulated
//! minutes takes milliseconds), and the real HTTP path against the mock server.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cognate_core::{
    Choice, LanguageModel, LanguageModelExt, LmError, LmRequest, LmResponse, Message, TimeoutLimit, Usage,
};
use cognate_lm::OpenAiClient;
use cognate_lm::layer::concurrency::ConcurrencyLimit;
use cognate_lm::layer::rate_limit::RateLimit;
use cognate_lm::layer::retry::Retry;
use cognate_lm::layer::timeout::Timeout;
use cognate_testing::{Failure, MockServer, MockServerConfig};
use tokio::time::Instant;

const CALLERS: usize = 1000;
const MINUTE: Duration = Duration::from_secs(60);

/// What the model saw: when each call arrived (since `start`), and the most calls in flight.
#[derive(Default)]
struct Seen {
    arrivals: Vec<Duration>,
    in_flight: usize,
    max_in_flight: usize,
}

/// A model that records its calls, takes `latency` (tokio's clock) to answer, and answers
/// call `i` with `reply(i)`.
#[derive(Clone)]
struct CountingModel {
    start: Instant,
    latency: Duration,
    seen: Arc<Mutex<Seen>>,
    reply: Arc<dyn Fn(usize) -> Result<(), LmError> + Send + Sync>,
}

impl CountingModel {
    fn new(latency: Duration, reply: impl Fn(usize) -> Result<(), LmError> + Send + Sync + 'static) -> Self {
        CountingModel { start: Instant::now(), latency, seen: Arc::default(), reply: Arc::new(reply) }
    }

    fn arrivals(&self) -> Vec<Duration> {
        self.seen.lock().unwrap().arrivals.clone()
    }
}

/// Takes a call out of flight when dropped (also when the call is abandoned).
struct Flight<'a>(&'a Mutex<Seen>);

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        self.0.lock().unwrap().in_flight -= 1;
    }
}

impl LanguageModel for CountingModel {
    async fn complete(&self, _request: LmRequest) -> Result<LmResponse, LmError> {
        let (index, _flight) = {
            let mut seen = self.seen.lock().unwrap();
            seen.arrivals.push(self.start.elapsed());
            seen.in_flight += 1;
            seen.max_in_flight = seen.max_in_flight.max(seen.in_flight);
            (seen.arrivals.len() - 1, Flight(&self.seen))
        };
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        (self.reply)(index)?;
        Ok(LmResponse {
            choices: vec![Choice { text: "ok".into(), finish_reason: None }],
            usage: Usage::default(),
            model: "counting".into(),
            cache_hit: false,
        })
    }

    fn model_name(&self) -> &str {
        "counting"
    }
}

/// `CALLERS` concurrent calls through `lm`, all spawned before any is polled.
async fn thousand_callers<L: LanguageModel>(lm: L) -> Vec<Result<LmResponse, LmError>> {
    let lm = Arc::new(lm);
    let mut set = tokio::task::JoinSet::new();
    for i in 0..CALLERS {
        let lm = Arc::clone(&lm);
        set.spawn(async move { lm.complete(LmRequest::new(vec![Message::user(format!("q{i}"))])).await });
    }
    set.join_all().await
}

/// The most arrivals in any half-open window `[t, t + length)` (it is enough to start windows
/// at arrivals).
fn max_per_window(arrivals: &[Duration], length: Duration) -> usize {
    let mut sorted = arrivals.to_vec();
    sorted.sort_unstable();
    (0..sorted.len()).map(|i| sorted[i..].partition_point(|t| *t < sorted[i] + length)).max().unwrap_or(0)
}

fn rate_limited(retry_after: Option<Duration>) -> LmError {
    LmError::Http { status: 429, message: "rate limit exceeded".into(), retry_after }
}

#[tokio::test(start_paused = true)]
async fn a_thousand_callers_never_exceed_the_limit_in_any_sliding_minute() {
    let model = CountingModel::new(Duration::from_millis(250), |_| Ok(()));
    let limit = RateLimit::per_minute(100);
    let results = thousand_callers(model.clone().layer(limit.clone())).await;
    assert!(results.iter().all(Result::is_ok));
    let arrivals = model.arrivals();
    assert_eq!(arrivals.len(), CALLERS);
    // Never more than 100 in a minute, and the limit is reached: the budget is used, not wasted.
    assert_eq!(max_per_window(&arrivals, MINUTE), 100);
    // Evenly spaced at 600 ms: the last of 1,000 leaves at 999 × 0.6 s.
    assert_eq!(arrivals.iter().max(), Some(&Duration::from_millis(599_400)));
    let stats = limit.stats();
    assert_eq!((stats.admitted, stats.delayed, stats.rate_limited), (1000, 999, 0));
}

#[tokio::test(start_paused = true)]
async fn a_burst_is_bounded_too() {
    // With a burst of 20 the bound is `100 + 20 - 1` in a sliding minute.
    let model = CountingModel::new(Duration::ZERO, |_| Ok(()));
    thousand_callers(model.clone().layer(RateLimit::per_minute(100).with_burst(20))).await;
    let arrivals = model.arrivals();
    assert_eq!(max_per_window(&arrivals, MINUTE), 119);
    assert_eq!(arrivals.iter().filter(|t| t.is_zero()).count(), 20);
}

#[tokio::test(start_paused = true)]
async fn after_a_429_the_shared_window_holds_all_thousand_callers() {
    // 600 a minute (100 ms apart); call #200, sent at 20 s, is told `Retry-After: 30`.
    let retry_after = Duration::from_secs(30);
    let model = CountingModel::new(Duration::from_millis(40), move |i| match i {
        200 => Err(rate_limited(Some(retry_after))),
        _ => Ok(()),
    });
    let limit = RateLimit::per_minute(600);
    let results = thousand_callers(model.clone().layer(limit.clone())).await;
    // The 429 goes back to its caller (a retry layer outside would decide); the rest succeed.
    let refused: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(refused.len(), 1);
    assert_eq!((refused[0].status(), refused[0].retry_after()), (Some(429), Some(retry_after)));

    let mut arrivals = model.arrivals();
    arrivals.sort_unstable();
    let sent_429 = Duration::from_secs(20);
    let opened = sent_429 + Duration::from_millis(40); // when the 429 came back
    assert_eq!(arrivals[200], sent_429);
    // Callers already past the limiter when the window opened: the one sent at 20.0 s only.
    // Nothing reaches the model during the window; the next call goes when it closes.
    let during = arrivals.iter().filter(|t| **t > opened && **t < opened + retry_after).count();
    assert_eq!(during, 0, "calls reached the model during the back-off window");
    assert_eq!(arrivals[201], opened + retry_after);
    // After it, the pace resumes (no rush of the waiting callers) and the bound holds.
    assert_eq!(arrivals[202] - arrivals[201], Duration::from_millis(100));
    assert_eq!(max_per_window(&arrivals, MINUTE), 600);
    let stats = limit.stats();
    assert_eq!((stats.rate_limited, stats.windows, stats.last_window), (1, 1, Some(retry_after)));
}

#[tokio::test(start_paused = true)]
async fn a_429_storm_of_in_flight_calls_opens_one_window_and_repeats_double_it() {
    // No request limit, 1 s calls: all 1,000 callers are in flight at once. The first 50 calls
    // to the model are refused without `Retry-After`, as is the first call after the window.
    let model = CountingModel::new(Duration::from_secs(1), |i| match i {
        0..50 | 1000 => Err(rate_limited(None)),
        _ => Ok(()),
    });
    let limit = RateLimit::unlimited();
    let lm = model.clone().layer(limit.clone());
    let results = thousand_callers(lm.clone()).await;
    assert_eq!(results.iter().filter(|r| r.is_err()).count(), 50);
    // Fifty 429s, one storm: one window of the default 1 s.
    let stats = limit.stats();
    assert_eq!((stats.rate_limited, stats.windows, stats.last_window), (50, 1, Some(Duration::from_secs(1))));
    // The next call (sent after the window) is refused again: 2 s this time.
    assert!(lm.complete(LmRequest::default()).await.is_err());
    assert_eq!(limit.stats().last_window, Some(Duration::from_secs(2)));
    let start = Instant::now();
    lm.complete(LmRequest::default()).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(3)); // 2 s of window, then the 1 s call
}

#[tokio::test(start_paused = true)]
async fn the_concurrency_limit_holds_in_flight_calls_at_n_under_a_thousand_callers() {
    let model = CountingModel::new(Duration::from_millis(50), |_| Ok(()));
    let limit = ConcurrencyLimit::new(16);
    let start = Instant::now();
    let results = thousand_callers(model.clone().layer(limit.clone())).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(model.seen.lock().unwrap().max_in_flight, 16);
    // 1,000 calls of 50 ms, 16 at a time: ceil(1000 / 16) = 63 rounds.
    assert_eq!(start.elapsed(), Duration::from_millis(63 * 50));
    assert_eq!((limit.in_flight(), limit.available()), (0, 16));
}

#[tokio::test(start_paused = true)]
async fn the_three_layers_compose_in_the_documented_order() {
    // Every tenth call hangs; the per-call time-out cuts it off at 2 s.
    let model = CountingModel::new(Duration::ZERO, |_| Ok(()));
    let hanging = CountingModel { latency: Duration::from_secs(3600), ..model.clone() };
    let lm = Switch { fast: model.clone(), slow: hanging }
        .layer(Timeout::per_call(Duration::from_secs(2)))
        .layer(RateLimit::per_second(50))
        .layer(ConcurrencyLimit::new(8));
    let results = thousand_callers(lm).await;
    let timed_out =
        results.iter().filter(|r| matches!(r, Err(e) if e.timeout_limit() == Some(TimeoutLimit::Call))).count();
    assert_eq!((timed_out, results.iter().filter(|r| r.is_ok()).count()), (100, 900));
    let seen = model.seen.lock().unwrap();
    assert_eq!(seen.in_flight, 0); // the abandoned calls were dropped
    assert!(seen.max_in_flight <= 8, "{}", seen.max_in_flight);
    assert!(max_per_window(&seen.arrivals, Duration::from_secs(1)) <= 50);
}

#[tokio::test(start_paused = true)]
async fn a_retry_layer_retries_a_call_time_out_but_never_a_missed_deadline() {
    let model = CountingModel::new(Duration::from_secs(10), |_| Ok(()));
    let start = Instant::now();
    // Per-call limit 1 s inside a deadline at 5 s, retried outside: the attempts time out at
    // 1 s each and are retried, until the deadline cuts one off; that one is not retried.
    let retry =
        Retry::default().with_max_retries(100).with_backoff(Duration::from_millis(10), Duration::from_millis(10));
    let lm = model
        .clone()
        .layer(Timeout::per_call(Duration::from_secs(1)).with_deadline(start + Duration::from_secs(5)))
        .layer(retry.clone());
    let err = lm.complete(request()).await.unwrap_err();
    assert_eq!(err.timeout_limit(), Some(TimeoutLimit::Deadline), "{err}");
    assert_eq!(start.elapsed(), Duration::from_secs(5));
    let attempts = model.arrivals().len();
    assert!((5..=6).contains(&attempts), "{attempts} attempts");
    assert_eq!(retry.stats().retries, attempts as u64 - 1);
}

/// Sends every tenth request (by its text) to `slow`, the rest to `fast`.
struct Switch {
    fast: CountingModel,
    slow: CountingModel,
}

impl LanguageModel for Switch {
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        let text = &request.messages[0].content;
        if text.ends_with('0') { self.slow.complete(request).await } else { self.fast.complete(request).await }
    }

    fn model_name(&self) -> &str {
        "switch"
    }
}

fn request() -> LmRequest {
    LmRequest::new(vec![Message::user("What is 2 + 2?")])
}

/// The real path: `OpenAiClient` turns the mock server's `429` into a typed error with its
/// `Retry-After`, and the limiter holds the next caller for that long.
#[tokio::test(flavor = "current_thread")]
async fn a_429_from_the_server_holds_the_next_caller_for_its_retry_after() {
    let config = MockServerConfig::default().with_fail_every(1, Failure::Status429 { retry_after_secs: 7 });
    let server = MockServer::start(config).await.unwrap();
    let limit = RateLimit::per_second(100);
    let lm = OpenAiClient::new("mock-lm").with_base_url(server.base_url()).layer(limit.clone());
    let err = lm.complete(request()).await.unwrap_err();
    assert_eq!((err.status(), err.retry_after()), (Some(429), Some(Duration::from_secs(7))));
    assert_eq!(limit.stats().last_window, Some(Duration::from_secs(7)));

    // From here no IO is pending, so tokio's paused clock can stand in for the 7 s: a caller
    // that gives up after 6 s never reached the server.
    tokio::time::pause();
    let held = tokio::time::timeout(Duration::from_secs(6), lm.complete(request())).await;
    assert!(held.is_err(), "the caller was not held: {held:?}");
    assert_eq!(server.request_count(), 1);
    assert!(limit.backoff_remaining().is_some_and(|left| left <= Duration::from_secs(1)));
}

#[tokio::test(flavor = "current_thread")]
async fn the_time_out_fires_on_a_slow_server_and_not_on_a_fast_one() {
    let slow = MockServer::start(MockServerConfig::default().with_latency(Duration::from_secs(30))).await.unwrap();
    let lm = OpenAiClient::new("mock-lm")
        .with_base_url(slow.base_url())
        .layer(Timeout::per_call(Duration::from_millis(100)));
    let err = lm.complete(request()).await.unwrap_err();
    assert!(
        matches!(err, LmError::Timeout { limit: TimeoutLimit::Call, after } if after == Duration::from_millis(100)),
        "{err:?}"
    );

    let fast = MockServer::start(MockServerConfig::default()).await.unwrap();
    let lm =
        OpenAiClient::new("mock-lm").with_base_url(fast.base_url()).layer(Timeout::per_call(Duration::from_secs(60)));
    assert!(lm.complete(request()).await.unwrap().choices[0].text.starts_with("Mock reply"));
}
