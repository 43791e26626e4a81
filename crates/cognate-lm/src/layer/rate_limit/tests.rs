//! Unit tests of the rate-limit layer on tokio's paused clock: every time below is exact.

use std::sync::atomic::{AtomicUsize, Ordering};

use cognate_core::{Choice, LanguageModelExt, Message, Usage};
use cognate_testing::EventLog;

use super::*;

type Script = dyn Fn(usize) -> Result<Usage, LmError> + Send + Sync;

/// Records when each call arrives (since the test's start) and answers call `i` with
/// `script(i)` after `(i + 1) * delay_step`.
#[derive(Clone)]
struct ClockLm {
    start: Instant,
    delay_step: Duration,
    calls: Arc<Mutex<Vec<Duration>>>,
    next: Arc<AtomicUsize>,
    script: Arc<Script>,
}

impl ClockLm {
    fn new(script: impl Fn(usize) -> Result<Usage, LmError> + Send + Sync + 'static) -> Self {
        ClockLm {
            start: Instant::now(),
            delay_step: Duration::ZERO,
            calls: Arc::default(),
            next: Arc::default(),
            script: Arc::new(script),
        }
    }

    fn ok() -> Self {
        Self::new(|_| Ok(Usage::default()))
    }

    /// Arrival times in milliseconds.
    fn times_ms(&self) -> Vec<u64> {
        self.calls.lock().unwrap().iter().map(|d| d.as_millis() as u64).collect()
    }
}

impl LanguageModel for ClockLm {
    async fn complete(&self, _request: LmRequest) -> Result<LmResponse, LmError> {
        self.calls.lock().unwrap().push(self.start.elapsed());
        let i = self.next.fetch_add(1, Ordering::SeqCst);
        if !self.delay_step.is_zero() {
            tokio::time::sleep(self.delay_step * (i as u32 + 1)).await;
        }
        let usage = (self.script)(i)?;
        Ok(LmResponse {
            choices: vec![Choice { text: "ok".into(), finish_reason: None }],
            usage,
            model: "clock".into(),
            cache_hit: false,
        })
    }
    fn model_name(&self) -> &str {
        "clock"
    }
    fn supports_json_schema(&self) -> bool {
        true
    }
}

fn req() -> LmRequest {
    LmRequest::new(vec![Message::user("q")])
}

fn too_many(retry_after: Option<Duration>) -> LmError {
    LmError::Http { status: 429, message: "slow down".into(), retry_after }
}

/// Runs `n` concurrent calls through `lm` (spawned in order) and returns their results.
async fn fan_out<L: LanguageModel>(lm: L, n: usize) -> Vec<Result<LmResponse, LmError>> {
    let lm = Arc::new(lm);
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let lm = Arc::clone(&lm);
            tokio::spawn(async move { lm.complete(req()).await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

const SEC: Duration = Duration::from_secs(1);

#[tokio::test(start_paused = true)]
async fn requests_are_spaced_evenly_and_one_value_is_one_budget_for_every_model() {
    let budget = RateLimit::per_minute(60);
    let a = ClockLm::ok();
    let b = ClockLm { calls: Arc::clone(&a.calls), ..ClockLm::ok() };
    let (la, lb) = (a.clone().layer(budget.clone()), b.layer(budget.clone()));
    let (ra, rb) = tokio::join!(fan_out(la, 5), fan_out(lb, 5));
    assert!(ra.iter().chain(&rb).all(Result::is_ok));
    let mut times = a.times_ms();
    times.sort_unstable();
    assert_eq!(times, (0..10).map(|s| s * 1000).collect::<Vec<_>>());
    let stats = budget.stats();
    assert_eq!((stats.admitted, stats.delayed), (10, 9));

    // A separate value is a separate budget: it starts at once.
    let other = ClockLm::ok();
    let start = Instant::now();
    other.clone().layer(RateLimit::per_minute(60)).complete(req()).await.unwrap();
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn a_burst_goes_at_once_then_the_rate_holds() {
    let lm = ClockLm::ok();
    fan_out(lm.clone().layer(RateLimit::per_second(2).with_burst(3)), 6).await;
    assert_eq!(lm.times_ms(), [0, 0, 0, 500, 1000, 1500]);
    // The builder keeps the burst when the rate changes after it.
    let lm = ClockLm::ok();
    let limit = RateLimit::per_minute(1).with_burst(2).with_requests(4, SEC);
    fan_out(lm.clone().layer(limit), 4).await;
    assert_eq!(lm.times_ms(), [0, 0, 250, 500]);
}

#[tokio::test(start_paused = true)]
async fn tokens_are_estimated_before_the_call_and_reconciled_with_usage_after() {
    // 10 tokens a second. Each request: 24 bytes + 16 of overhead = 10 prompt tokens, plus
    // `max_tokens` 40: an estimate of 50 tokens, i.e. 5 s of budget.
    let used = |total| Ok(Usage { total_tokens: total, ..Usage::default() });
    let lm = ClockLm::new(move |i| match i {
        0 => used(20),                            // over-estimated by 30: refunded
        1 => used(0),                             // no usage reported: the estimate stays
        2 => used(100),                           // under-estimated by 50: owed
        _ => Err(too_many(Some(Duration::ZERO))), // failures keep their estimate
    });
    let limit = RateLimit::unlimited().tokens_per_minute(600);
    let mut request = LmRequest::new(vec![Message::user("x".repeat(24))]);
    request.max_tokens = Some(40);
    assert_eq!(limit.estimate_tokens(&request), 50);
    let timed = lm.clone().layer(limit.clone());
    for _ in 0..5 {
        let _ = timed.complete(request.clone()).await;
    }
    // 0 s (charged 20) → 2 s (charged 50) → 7 s (charged 100) → 17 s (charged 50) → 22 s.
    assert_eq!(lm.times_ms(), [0, 2000, 7000, 17_000, 22_000]);
    assert_eq!(limit.stats().rate_limited, 2);
}

#[test]
fn the_token_estimate_counts_prompt_bytes_messages_max_tokens_and_n() {
    let limit = RateLimit::per_minute(1).tokens_per_minute(1000);
    let mut request = LmRequest::new(vec![Message::system("a".repeat(100)), Message::user("é".repeat(10))]);
    // (100 + 16 + 20 + 16) / 4 = 38 prompt tokens, plus the default completion estimate.
    assert_eq!(limit.estimate_tokens(&request), 38 + u64::from(DEFAULT_COMPLETION_ESTIMATE));
    request.max_tokens = Some(100);
    request.n = Some(3);
    assert_eq!(limit.estimate_tokens(&request), 338);
    assert_eq!(limit.with_completion_estimate(7).estimate_tokens(&LmRequest::default()), 7);
}

#[tokio::test(start_paused = true)]
async fn a_429_opens_a_window_that_holds_every_caller_then_the_pace_resumes() {
    // Ten a second; the fourth call (at 300 ms) is told to wait 5 s.
    let lm = ClockLm::new(|i| if i == 3 { Err(too_many(Some(5 * SEC))) } else { Ok(Usage::default()) });
    let limit = RateLimit::per_second(10);
    let results = fan_out(lm.clone().layer(limit.clone()), 8).await;
    assert_eq!(results.iter().filter(|r| r.as_ref().is_err_and(|e| e.status() == Some(429))).count(), 1);
    assert_eq!(lm.times_ms(), [0, 100, 200, 300, 5300, 5400, 5500, 5600]);
    let stats = limit.stats();
    assert_eq!((stats.rate_limited, stats.windows, stats.last_window), (1, 1, Some(5 * SEC)));
    assert_eq!(limit.backoff_remaining(), None);
}

#[tokio::test(start_paused = true)]
async fn without_retry_after_the_window_doubles_up_to_the_cap_and_a_success_resets_it() {
    // Calls 0..4 are refused, call 4 succeeds, call 5 is refused again.
    let lm = ClockLm::new(|i| if i == 4 { Ok(Usage::default()) } else { Err(too_many(None)) });
    let limited = lm.clone().layer(RateLimit::unlimited().with_backoff(SEC, 3 * SEC));
    for _ in 0..7 {
        let _ = limited.complete(req()).await;
    }
    // Windows of 1, 2, 3 (capped), 3 s; the success resets the doubling: 1 s again.
    assert_eq!(lm.times_ms(), [0, 1000, 3000, 6000, 9000, 9000, 10_000]);
    assert_eq!(limited.limit().stats().windows, 6);
}

#[tokio::test(start_paused = true)]
async fn rejections_of_requests_already_in_flight_do_not_double_the_window() {
    // Three calls go at once; they are refused at 100, 200 and 300 ms.
    let mut lm = ClockLm::new(|i| match i {
        0 | 1 => Err(too_many(None)),
        2 => Err(too_many(Some(3 * SEC))), // extends the window to its own Retry-After
        _ => Ok(Usage::default()),
    });
    lm.delay_step = Duration::from_millis(100);
    let limit = RateLimit::unlimited();
    let limited = lm.clone().layer(limit.clone());
    fan_out(limited.clone(), 3).await;
    let stats = limit.stats();
    assert_eq!((stats.rate_limited, stats.windows, stats.last_window), (3, 1, Some(SEC)));
    assert_eq!(limit.backoff_remaining(), Some(3 * SEC));
    limited.complete(req()).await.unwrap();
    assert_eq!(lm.times_ms(), [0, 0, 0, 3300]);
}

#[tokio::test(start_paused = true)]
async fn a_caller_dropped_while_it_waits_is_charged_nothing() {
    let lm = ClockLm::ok();
    let limit = RateLimit::per_minute(60);
    let limited = lm.clone().layer(limit.clone());
    limited.complete(req()).await.unwrap();
    // The second caller's slot is at 1 s; it gives up at 500 ms.
    assert!(tokio::time::timeout(Duration::from_millis(500), limited.complete(req())).await.is_err());
    // The slot is still free: the next caller gets it at 1 s, not 2 s.
    limited.complete(req()).await.unwrap();
    assert_eq!(lm.times_ms(), [0, 1000]);
    assert_eq!(limit.stats().admitted, 2);
}

#[tokio::test(start_paused = true)]
async fn windows_and_long_waits_are_traced_on_cognate_lm() {
    let log = EventLog::default();
    let _guard = log.install();
    let lm = ClockLm::new(|i| if i == 0 { Err(too_many(Some(2 * SEC))) } else { Ok(Usage::default()) });
    let limited = lm.layer(RateLimit::per_second(1).with_slow_wait_threshold(Duration::from_millis(1500)));
    assert!(limited.complete(req()).await.is_err());
    limited.complete(req()).await.unwrap(); // waits 2 s: the window
    limited.complete(req()).await.unwrap(); // waits 1 s: the pace, under the threshold

    let opened = log.events_with("cognate::lm", "rate limited (429)");
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].level, tracing::Level::WARN);
    assert_eq!(
        (opened[0].field("model"), opened[0].field("window_ms"), opened[0].field("retry_after")),
        (Some("clock"), Some("2000"), Some("true"))
    );
    let closed = log.events_with("cognate::lm", "rate-limit back-off window closed");
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].field("window_ms"), Some("2000"));
    let waited = log.events_with("cognate::lm", "waited for a rate-limit slot");
    assert_eq!(waited.len(), 1);
    assert_eq!(waited[0].field("waited_ms"), Some("2000"));
}

#[tokio::test]
async fn forwards_identity_and_prints_its_configuration() {
    let limited = ClockLm::ok().layer(RateLimit::per_minute(500).tokens_per_minute(90_000).with_token_burst(4000));
    assert_eq!((limited.model_name(), limited.supports_json_schema()), ("clock", true));
    let debug = format!("{limited:?}");
    assert!(debug.contains("500 per 60s (burst 1)") && debug.contains("90000 per 60s (burst 4000)"), "{debug}");
    assert_eq!(format!("{:?}", RateLimit::default().stats()), format!("{:?}", RateLimitStats::default()));
}

#[test]
#[should_panic(expected = "would block every call")]
fn a_zero_rate_is_refused() {
    let _ = RateLimit::per_minute(0);
}
