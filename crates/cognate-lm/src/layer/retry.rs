//! [`Retry`]: retries the calls that failed for a transient reason, with exponential backoff
//! and full jitter, honouring the server's `Retry-After`, within a per-call limit and a
//! [`RetryBudget`] shared by every clone of the layer.
//!
//! ```
//! use std::time::Duration;
//! use cognate_core::{LanguageModel, LanguageModelExt, LmError, LmRequest, Message};
//! use cognate_lm::layer::retry::Retry;
//! use cognate_testing::MockLm;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
//! let mock = MockLm::new(Vec::<String>::new());
//! mock.push_error(LmError::Http { status: 429, message: "slow down".into(), retry_after: Some(Duration::from_secs(2)) });
//! mock.push_error(LmError::Connection("connection reset".into()));
//! mock.push_reply("hello");
//! let retry = Retry::default().with_max_retries(3);
//! let lm = mock.clone().layer(retry.clone());
//! let reply = lm.complete(LmRequest::new(vec![Message::user("hi")])).await.unwrap();
//! assert_eq!(reply.choices[0].text, "hello");
//! assert_eq!(mock.call_count(), 3);
//! assert_eq!(retry.stats().retries, 2);
//!
//! // Client errors are not retried.
//! mock.push_error(LmError::Http { status: 400, message: "bad request".into(), retry_after: None });
//! assert!(lm.complete(LmRequest::new(vec![Message::user("hi")])).await.is_err());
//! assert_eq!(mock.call_count(), 4);
//! # }
//! ```
//!
//! # What is retried
//!
//! Exactly the errors [`LmError::is_retryable`] names: HTTP 408, 409, 429 and 5xx, time-outs
//! and connection failures. Other client errors (400, 401, 404, 422, ...), replies over the
//! size limit, undecodable replies, configuration errors and an open circuit breaker
//! ([`LmError::CircuitOpen`]) are returned at once. Each attempt sends a clone of the request.
//!
//! # How long it waits
//!
//! Before retry `k` (from 1) the backoff *ceiling* is `base · 2^(k-1)`, capped at the maximum
//! delay (backon's [`ExponentialBuilder`] makes the schedule), and the wait is drawn uniformly
//! from `[0, ceiling)` ("full jitter", so that many tasks failing together do not come back
//! together). When the server sent `Retry-After`, the wait is at least that long. Retrying
//! stops when the attempts run out, when the next wait would take the call's total waiting
//! past [`Retry::with_max_total_wait`], or when the shared [`RetryBudget`] refuses; the last
//! error is then returned.
//!
//! Every retry is a `warn` event on target `cognate::lm` (the failed attempt, the wait, the
//! error), and so is every decision to stop retrying a retryable error. Nothing retries
//! silently.
//!
//! # Cancel safety
//!
//! Dropping the future stops the loop: the attempt in flight (or the wait) is dropped and no
//! further attempt is made.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder, Retryable, TokioSleeper};
use cognate_core::rng::{RandomSource, SeededRng};
use cognate_core::{LanguageModel, Layer, LmError, LmRequest, LmResponse, SharedLm};
use tokio::time::Instant;

/// The default number of retries after the first attempt (DSPy's `num_retries`).
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// The default backoff ceiling of the first retry; it doubles with each retry.
pub const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(500);
/// The default cap on one backoff ceiling.
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(30);
/// The default cap on the waiting one call may do, `Retry-After` included.
pub const DEFAULT_MAX_TOTAL_WAIT: Duration = Duration::from_secs(90);

/// The layer: wraps a model in a [`RetryLm`].
///
/// Clones share the [`RetryBudget`] and the counters ([`Retry::stats`]), so one `Retry` put
/// around models used by a thousand tasks bounds their retries together.
#[derive(Debug, Clone)]
pub struct Retry {
    max_retries: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_total_wait: Duration,
    jitter_seed: u64,
    budget: RetryBudget,
    shared: Arc<Counters>,
}

#[derive(Debug, Default)]
struct Counters {
    calls: AtomicU64,
    retries: AtomicU64,
    gave_up: AtomicU64,
    budget_denied: AtomicU64,
}

/// A copy of a [`Retry`]'s counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetryStats {
    /// Calls made through the layer.
    pub calls: u64,
    /// Retries made (attempts after a call's first).
    pub retries: u64,
    /// Calls that returned a retryable error because retrying stopped (attempts, total wait
    /// or budget exhausted).
    pub gave_up: u64,
    /// Retries the budget refused (each also counted in `gave_up`).
    pub budget_denied: u64,
}

impl Default for Retry {
    /// [`DEFAULT_MAX_RETRIES`] retries, backoff ceilings from [`DEFAULT_BASE_DELAY`] doubling up
    /// to [`DEFAULT_MAX_DELAY`], at most [`DEFAULT_MAX_TOTAL_WAIT`] of waiting per call, the
    /// default [`RetryBudget`], and jitter from a random seed.
    fn default() -> Self {
        Retry {
            max_retries: DEFAULT_MAX_RETRIES,
            base_delay: DEFAULT_BASE_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
            max_total_wait: DEFAULT_MAX_TOTAL_WAIT,
            jitter_seed: RandomState::new().hash_one(0x5EED_u64),
            budget: RetryBudget::default(),
            shared: Arc::default(),
        }
    }
}

impl Retry {
    /// The default policy; see [`Default`](#impl-Default-for-Retry).
    pub fn new() -> Self {
        Self::default()
    }

    /// Retries a failed call at most `retries` times (0 turns retrying off).
    #[must_use]
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The backoff ceilings: `base` before the first retry, doubling with each retry, never
    /// above `max` (`base` is lowered to `max` when larger).
    #[must_use]
    pub fn with_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base.min(max);
        self.max_delay = max;
        self
    }

    /// The most one call may wait in total (backoff and `Retry-After` together): a retry whose
    /// wait would pass it is not made, and the call fails with its last error.
    #[must_use]
    pub fn with_max_total_wait(mut self, max: Duration) -> Self {
        self.max_total_wait = max;
        self
    }

    /// Draws the jitter from generators seeded from `seed` (each call gets its own, from the
    /// seed and the call's number), so the waits are reproducible.
    #[must_use]
    pub fn with_jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = seed;
        self
    }

    /// Takes retries from `budget` (share one budget between layers to bound them together).
    #[must_use]
    pub fn with_budget(mut self, budget: RetryBudget) -> Self {
        self.budget = budget;
        self
    }

    /// The budget retries are taken from.
    pub fn budget(&self) -> &RetryBudget {
        &self.budget
    }

    /// The counters so far, over every clone.
    pub fn stats(&self) -> RetryStats {
        let c = &self.shared;
        RetryStats {
            calls: c.calls.load(Relaxed),
            retries: c.retries.load(Relaxed),
            gave_up: c.gave_up.load(Relaxed),
            budget_denied: c.budget_denied.load(Relaxed),
        }
    }

    /// The backoff ceilings of one call (no jitter: the layer draws it, see the module docs).
    fn schedule(&self) -> ExponentialBuilder {
        ExponentialBuilder::new()
            .with_min_delay(self.base_delay)
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .with_max_times(usize::try_from(self.max_retries).unwrap_or(usize::MAX))
    }
}

impl<L: LanguageModel> Layer<L> for Retry {
    type Lm = RetryLm<L>;

    fn layer(&self, inner: L) -> RetryLm<L> {
        RetryLm::new(inner, self.clone())
    }
}

/// Forwards to another LM and retries its transient failures (see the [module docs](self)).
#[derive(Debug, Clone)]
pub struct RetryLm<L = SharedLm> {
    inner: L,
    policy: Retry,
}

impl<L> RetryLm<L> {
    /// Wraps `inner` with `policy`.
    pub fn new(inner: L, policy: Retry) -> Self {
        RetryLm { inner, policy }
    }

    /// The policy (and, through it, the shared budget and counters).
    pub fn policy(&self) -> &Retry {
        &self.policy
    }
}

impl<L: LanguageModel> LanguageModel for RetryLm<L> {
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        let policy = &self.policy;
        let index = policy.shared.calls.fetch_add(1, Relaxed);
        policy.budget.deposit();
        let mut call = CallState {
            policy,
            model: self.inner.model_name(),
            rng: SeededRng::new(policy.jitter_seed.wrapping_add(index.wrapping_mul(0x9E37_79B9_7F4A_7C15))),
            attempt: 1,
            waited: Duration::ZERO,
        };
        let (inner, request) = (&self.inner, &request);
        let result = (|| inner.complete(request.clone()))
            .retry(policy.schedule().build())
            .sleep(TokioSleeper)
            .when(LmError::is_retryable)
            .adjust(|error, ceiling| call.next_wait(error, ceiling))
            .await;
        // Into the call's span (a module's `lm_call`), when it declares the field.
        tracing::Span::current().record("cognate.retries", u64::from(call.attempt - 1));
        result
    }

    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn supports_json_schema(&self) -> bool {
        self.inner.supports_json_schema()
    }
}

/// One call's progress through the retry loop.
struct CallState<'a> {
    policy: &'a Retry,
    model: &'a str,
    rng: SeededRng,
    /// The attempt that just failed, from 1.
    attempt: u32,
    waited: Duration,
}

impl CallState<'_> {
    /// After a retryable `error`: how long to wait before the next attempt, or `None` to
    /// stop. `ceiling` is the schedule's next backoff ceiling (`None`: no attempts left).
    fn next_wait(&mut self, error: &LmError, ceiling: Option<Duration>) -> Option<Duration> {
        let policy = self.policy;
        let (model, attempt, max_attempts) = (self.model, self.attempt, policy.max_retries.saturating_add(1));
        let give_up = |reason: &str| {
            policy.shared.gave_up.fetch_add(1, Relaxed);
            tracing::warn!(target: "cognate::lm", model, attempt, max_attempts, error = %error, "lm call failed; not retrying: {reason}");
            None
        };
        let Some(ceiling) = ceiling else {
            return give_up("no attempts left");
        };
        let jitter = Duration::try_from_secs_f64(ceiling.as_secs_f64() * self.rng.next_f64()).unwrap_or(ceiling);
        let wait = error.retry_after().map_or(jitter, |after| after.max(jitter));
        let waited = self.waited.saturating_add(wait);
        if waited > policy.max_total_wait {
            return give_up(&format!(
                "waiting {wait:?} more would pass the call's max total wait of {:?}",
                policy.max_total_wait
            ));
        }
        if !policy.budget.withdraw() {
            policy.shared.budget_denied.fetch_add(1, Relaxed);
            return give_up("the retry budget is exhausted (too many retries across all calls)");
        }
        policy.shared.retries.fetch_add(1, Relaxed);
        self.waited = waited;
        self.attempt += 1;
        let (wait_ms, retry_after_ms) = (wait.as_millis() as u64, error.retry_after().map(|d| d.as_millis() as u64));
        tracing::warn!(target: "cognate::lm", model, attempt, max_attempts, wait_ms, retry_after_ms, error = %error, "lm call failed; retrying");
        Some(wait)
    }
}

/// A budget of retries shared by many calls, so that a dead or overloaded provider is not
/// hammered by every task's retries at once (tower's `retry::budget`, on tokio's clock).
///
/// Over any sliding window of `ttl`, retries may be at most `retry_ratio` times the calls
/// made in that window, plus a floor of `min_per_sec` retries per second (so that a few
/// calls can retry when there is little traffic). Every call deposits into the budget; every
/// retry withdraws, and is not made when the budget is empty. Clones share the budget.
///
/// ```
/// use std::time::Duration;
/// use cognate_lm::layer::retry::RetryBudget;
///
/// // No floor, and one retry per two calls.
/// let budget = RetryBudget::new(Duration::from_secs(10), 0, 0.5);
/// assert!(!budget.withdraw());
/// budget.deposit();
/// budget.deposit();
/// assert!(budget.withdraw());
/// assert!(!budget.withdraw());
/// ```
#[derive(Clone)]
pub struct RetryBudget {
    bank: Option<Arc<Mutex<Bank>>>,
}

/// Deposits and withdrawals in integer units (a withdrawal costs `withdraw` units, a
/// deposit earns `deposit`), in `SLOTS` time slots covering the window.
#[derive(Debug)]
struct Bank {
    deposit: i64,
    withdraw: i64,
    reserve: i64,
    slot_len: Duration,
    slots: [i64; SLOTS],
    current: usize,
    slot_start: Instant,
    ttl: Duration,
    min_per_sec: u32,
    retry_ratio: f64,
}

const SLOTS: usize = 10;

/// The default budget's window.
pub const DEFAULT_BUDGET_TTL: Duration = Duration::from_secs(10);
/// The default budget's floor, in retries per second.
pub const DEFAULT_BUDGET_MIN_PER_SEC: u32 = 10;
/// The default budget's ratio of retries to calls.
pub const DEFAULT_BUDGET_RETRY_RATIO: f64 = 0.5;

impl Default for RetryBudget {
    /// A window of [`DEFAULT_BUDGET_TTL`] (10 s), a floor of [`DEFAULT_BUDGET_MIN_PER_SEC`]
    /// (10) retries per second and [`DEFAULT_BUDGET_RETRY_RATIO`] (0.5) retries per call: a
    /// failing provider sees at most 1.5 times the traffic it would without retries, plus
    /// 10 requests a second.
    fn default() -> Self {
        Self::new(DEFAULT_BUDGET_TTL, DEFAULT_BUDGET_MIN_PER_SEC, DEFAULT_BUDGET_RETRY_RATIO)
    }
}

impl RetryBudget {
    /// A budget allowing, over any window of `ttl` (at least 1 s; capped at 60 s), `retry_ratio`
    /// retries per call (between 0 and 1000) plus `min_per_sec` retries per second.
    pub fn new(ttl: Duration, min_per_sec: u32, retry_ratio: f64) -> Self {
        let ttl = ttl.clamp(Duration::from_secs(1), Duration::from_secs(60));
        let retry_ratio = if retry_ratio.is_finite() { retry_ratio.clamp(0.0, 1000.0) } else { 0.0 };
        // A call earns 1000 units; a retry costs 1000 / ratio (1 unit when the ratio is 0, so
        // that only the reserve pays for retries).
        let (deposit, withdraw) =
            if retry_ratio > 0.0 { (1000, ((1000.0 / retry_ratio).round() as i64).max(1)) } else { (0, 1) };
        let reserve = i64::from(min_per_sec) * ttl.as_secs() as i64 * withdraw;
        let bank = Bank {
            deposit,
            withdraw,
            reserve,
            slot_len: ttl / SLOTS as u32,
            slots: [0; SLOTS],
            current: 0,
            slot_start: Instant::now(),
            ttl,
            min_per_sec,
            retry_ratio,
        };
        RetryBudget { bank: Some(Arc::new(Mutex::new(bank))) }
    }

    /// A budget that never refuses (each call is still bounded by its attempts and total wait).
    pub fn unlimited() -> Self {
        RetryBudget { bank: None }
    }

    /// Records a call (the retry layer does it for every call).
    pub fn deposit(&self) {
        if let Some(bank) = &self.bank {
            let mut bank = bank.lock().unwrap_or_else(PoisonError::into_inner);
            bank.expire(Instant::now());
            let current = bank.current;
            bank.slots[current] = bank.slots[current].saturating_add(bank.deposit);
        }
    }

    /// Takes one retry from the budget; `false` when it is exhausted.
    pub fn withdraw(&self) -> bool {
        let Some(bank) = &self.bank else {
            return true;
        };
        let mut bank = bank.lock().unwrap_or_else(PoisonError::into_inner);
        bank.expire(Instant::now());
        let balance = bank.slots.iter().fold(bank.reserve, |sum, slot| sum.saturating_add(*slot));
        if balance < bank.withdraw {
            return false;
        }
        let current = bank.current;
        bank.slots[current] -= bank.withdraw;
        true
    }
}

impl Bank {
    /// Moves the current slot to `now`'s, clearing the slots that left the window.
    fn expire(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.slot_start);
        if elapsed < self.slot_len {
            return;
        }
        let passed = (elapsed.as_nanos() / self.slot_len.as_nanos().max(1)) as u64;
        for _ in 0..passed.min(SLOTS as u64) {
            self.current = (self.current + 1) % SLOTS;
            self.slots[self.current] = 0;
        }
        self.slot_start = match u32::try_from(passed) {
            Ok(passed) if passed as usize <= SLOTS => self.slot_start + self.slot_len * passed,
            // The whole window passed: start afresh.
            _ => now,
        };
    }
}

impl std::fmt::Debug for RetryBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.bank {
            None => f.write_str("RetryBudget(unlimited)"),
            Some(bank) => {
                let bank = bank.lock().unwrap_or_else(PoisonError::into_inner);
                f.debug_struct("RetryBudget")
                    .field("ttl", &bank.ttl)
                    .field("min_per_sec", &bank.min_per_sec)
                    .field("retry_ratio", &bank.retry_ratio)
                    .finish()
            }
        }
    }
}

#[cfg(test)]
mod tests;
