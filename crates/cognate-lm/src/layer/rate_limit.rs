//! [`RateLimit`]: requests per minute and tokens per minute, shared by every task and every
//! model wrapped with the same limiter, and a shared back-off window after a `429`.
//!
//! ```
//! use cognate_core::{LanguageModel, LanguageModelExt, LmRequest, Message};
//! use cognate_lm::layer::rate_limit::RateLimit;
//! use cognate_testing::MockLm;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
//! // One provider key: 60 requests and 40,000 tokens a minute, for every model that uses it.
//! let key_budget = RateLimit::per_minute(60).tokens_per_minute(40_000);
//! let mini = MockLm::new(["a", "b"]).with_model_name("gpt-4o-mini").layer(key_budget.clone());
//! let big = MockLm::new(["c"]).with_model_name("gpt-4o").layer(key_budget.clone());
//!
//! let start = tokio::time::Instant::now();
//! for lm in [&mini, &mini] {
//!     lm.complete(LmRequest::new(vec![Message::user("q")])).await.unwrap();
//! }
//! big.complete(LmRequest::new(vec![Message::user("q")])).await.unwrap();
//! // 60 a minute is one a second, evenly: the third call went out 2 s after the first.
//! assert_eq!(start.elapsed().as_secs(), 2);
//! assert_eq!(key_budget.stats().admitted, 3);
//! # }
//! ```
//!
//! # One value, one budget
//!
//! A `RateLimit` and its clones share one state: apply the same value (or clones of it) to every
//! model that spends the same provider budget (one API key, or one organisation), and separate
//! values to separate budgets. The builder methods return a fresh budget: configure first,
//! then clone.
//!
//! # The algorithm
//!
//! Each quantity is paced by the generic cell rate algorithm (GCRA) on tokio's clock; a
//! request goes when both its request and its token schedules allow it. With the default
//! burst of 1, `per_minute(n)` sends requests `60/n` s apart and **no sliding minute ever sees
//! more than `n` requests**, whatever the number of callers. [`with_burst(b)`](RateLimit::with_burst)
//! lets `b` requests go at once after a quiet spell, at the price of up to `n + b - 1` in a
//! sliding minute (the sustained rate stays `n`).
//!
//! Tokens are charged **before** the call with an estimate
//! ([`estimate_tokens`](RateLimit::estimate_tokens): the prompt's bytes / 4 plus 4 tokens per
//! message, plus `max_tokens` — or the completion estimate, default
//! [`DEFAULT_COMPLETION_ESTIMATE`], when the request sets none — times `n`), the way OpenAI
//! counts a request against its limit, and **reconciled after** it with the reply's `usage`
//! (`total_tokens`): an over-estimate is refunded, an under-estimate becomes debt that later
//! requests wait for. Failed and cancelled calls keep their estimate (a provider counts
//! rejected requests too). A request larger than the token burst goes when nothing is owed, and
//! the requests after it wait until it is paid for; so a sliding minute sees at most the limit
//! plus one request's tokens (plus any under-estimate not yet reconciled).
//!
//! This is a GCRA of our own (`rate_limit/gcra.rs`, with a property test of the bound above)
//! rather than the `governor` crate's: `governor` cannot admit a request on two quotas at once
//! (its checks consume as they test), has no way to refund or add to a charge after the reply,
//! refuses a request larger than its burst, and waits on its own clock rather than tokio's,
//! whose paused test clock makes the tests of this layer exact.
//!
//! # After a 429
//!
//! When the wrapped model answers `LmError::Http { status: 429, retry_after, .. }`, a **shared
//! back-off window** opens: no caller of this limiter sends anything until it closes. It lasts
//! the `Retry-After` the server gave, else [`DEFAULT_BACKOFF`] (1 s), doubling on each
//! consecutive window up to [`DEFAULT_MAX_BACKOFF`] (60 s, also the cap on a server's
//! `Retry-After`); a success of a request sent after the last window resets the doubling.
//! `429`s of requests that were already in flight when the window opened are the same storm:
//! they never double it, and extend it only to their own `Retry-After`. After the window the
//! requests schedule resumes at its pace, so a thousand waiting tasks do not rush the provider
//! together.
//!
//! The `429` itself is returned to the caller: a retry layer decides whether to try again. Put
//! the retry layer **outside** the rate limit, so every attempt waits for a slot and for the
//! window (docs/lm.md, "Layers", gives the whole order).
//!
//! # Waiting
//!
//! Callers wait in one first-come, first-served queue (a fair semaphore): the one at its head
//! sleeps on tokio's timer until the schedules and the window let it go, and nothing else wakes
//! up meanwhile. Waiting never blocks a thread, and is cancel-safe: a caller dropped while it
//! waits leaves the queue and is charged nothing.
//!
//! # Tracing
//!
//! On target `cognate::lm`: a `warn` event `rate limited (429)` when a window opens (fields
//! `model`, `window_ms`, `consecutive`, `retry_after`), an `info` event
//! `rate-limit back-off window closed` when the first caller after it goes (`window_ms`), and a
//! `debug` event `waited for a rate-limit slot` when a caller waited longer than the slow-wait
//! threshold (default [`DEFAULT_SLOW_WAIT`], 10 s; fields `model`, `waited_ms`).

mod gcra;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use cognate_core::{LanguageModel, Layer, LmError, LmRequest, LmResponse, SharedLm};
use tokio::sync::Semaphore;
use tokio::time::Instant;

use self::gcra::{Gcra, Quota};

/// The first back-off window after a `429` without `Retry-After`: 1 s.
pub const DEFAULT_BACKOFF: Duration = Duration::from_secs(1);

/// The longest back-off window, doubled or given by the server: 60 s (the HTTP clients' cap on
/// `Retry-After` too).
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The tokens a request that sets no `max_tokens` is assumed to generate, until its reply's
/// usage says: 512.
pub const DEFAULT_COMPLETION_ESTIMATE: u32 = 512;

/// How long a caller may wait for its slot before a `debug` event says so: 10 s.
pub const DEFAULT_SLOW_WAIT: Duration = Duration::from_secs(10);

/// What a [`RateLimit`] enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Config {
    requests: Option<Quota>,
    tokens: Option<Quota>,
    backoff: Duration,
    max_backoff: Duration,
    completion_estimate: u32,
    slow_wait: Duration,
}

/// The layer: a requests-per-minute and tokens-per-minute budget, with a back-off window after a
/// `429`. Wraps a model in a [`RateLimitedLm`]; clones share the budget (see the
/// [module docs](self)).
#[derive(Clone)]
pub struct RateLimit {
    shared: Arc<Shared>,
}

/// A point-in-time copy of a [`RateLimit`]'s counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitStats {
    /// Requests let through to the wrapped models.
    pub admitted: u64,
    /// Of those, the requests that had to wait for their slot or for a back-off window.
    pub delayed: u64,
    /// `429` answers seen.
    pub rate_limited: u64,
    /// Back-off windows opened.
    pub windows: u64,
    /// The length of the last window opened.
    pub last_window: Option<Duration>,
}

struct Shared {
    config: Config,
    /// Time zero of the schedules.
    origin: Instant,
    /// The queue of waiting callers: one permit, handed out first come, first served.
    turn: Semaphore,
    state: Mutex<State>,
}

/// The mutable state; its lock is never held across an `.await`.
struct State {
    requests: Option<Gcra>,
    tokens: Option<Gcra>,
    /// The open back-off window: (opened at, closes at), since the origin.
    window: Option<(Duration, Duration)>,
    /// Bumped each time a window opens; a request remembers the epoch it was sent in.
    epoch: u64,
    /// Consecutive windows (reset by a success after the last one).
    consecutive: u32,
    stats: RateLimitStats,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // The state is consistent after every statement, so a panic elsewhere cannot corrupt it.
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What an admitted request needs to settle its account afterwards.
struct Ticket {
    epoch: u64,
    tokens_charged: u64,
}

impl RateLimit {
    fn with_config(config: Config) -> Self {
        RateLimit {
            shared: Arc::new(Shared {
                config,
                origin: Instant::now(),
                turn: Semaphore::new(1),
                state: Mutex::new(State {
                    requests: config.requests.map(Gcra::new),
                    tokens: config.tokens.map(Gcra::new),
                    window: None,
                    epoch: 0,
                    consecutive: 0,
                    stats: RateLimitStats::default(),
                }),
            }),
        }
    }

    fn quota(amount: u64, period: Duration, what: &str) -> Quota {
        assert!(amount > 0, "a rate limit of 0 {what} would block every call; use at least 1");
        assert!(!period.is_zero(), "a rate limit's period must be longer than zero");
        Quota { amount, period, burst: 1 }
    }

    /// No request or token limit: only the shared back-off window after a `429` (every caller
    /// waits for it, then all go at once; add a request limit to pace them).
    #[must_use]
    pub fn unlimited() -> Self {
        Self::with_config(Config {
            requests: None,
            tokens: None,
            backoff: DEFAULT_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
            completion_estimate: DEFAULT_COMPLETION_ESTIMATE,
            slow_wait: DEFAULT_SLOW_WAIT,
        })
    }

    /// At most `requests` requests a minute, evenly spaced (no sliding minute sees more).
    ///
    /// # Panics
    /// If `requests` is zero.
    #[must_use]
    pub fn per_minute(requests: u32) -> Self {
        Self::unlimited().with_requests(requests, Duration::from_secs(60))
    }

    /// At most `requests` requests a second, evenly spaced.
    ///
    /// # Panics
    /// If `requests` is zero.
    #[must_use]
    pub fn per_second(requests: u32) -> Self {
        Self::unlimited().with_requests(requests, Duration::from_secs(1))
    }

    /// Sets the request limit to `requests` per `period` (keeping the burst), as a fresh budget.
    ///
    /// # Panics
    /// If `requests` is zero or `period` is zero.
    #[must_use]
    pub fn with_requests(self, requests: u32, period: Duration) -> Self {
        let mut config = self.shared.config;
        let burst = config.requests.map_or(1, |q| q.burst);
        config.requests = Some(Quota { burst, ..Self::quota(requests.into(), period, "requests") });
        Self::with_config(config)
    }

    /// Adds a limit of `tokens` tokens a minute (see the module docs for how they are
    /// counted), as a fresh budget.
    ///
    /// # Panics
    /// If `tokens` is zero.
    #[must_use]
    pub fn tokens_per_minute(self, tokens: u64) -> Self {
        self.with_tokens(tokens, Duration::from_secs(60))
    }

    /// Sets the token limit to `tokens` per `period` (keeping the token burst), as a fresh
    /// budget.
    ///
    /// # Panics
    /// If `tokens` is zero or `period` is zero.
    #[must_use]
    pub fn with_tokens(self, tokens: u64, period: Duration) -> Self {
        let mut config = self.shared.config;
        let burst = config.tokens.map_or(1, |q| q.burst);
        config.tokens = Some(Quota { burst, ..Self::quota(tokens, period, "tokens") });
        Self::with_config(config)
    }

    /// Lets up to `requests` requests go at once after a quiet spell (default 1, no burst). A
    /// sliding period may then see up to `limit + requests - 1` requests; the sustained rate is
    /// unchanged. No effect without a request limit.
    ///
    /// # Panics
    /// If `requests` is zero.
    #[must_use]
    pub fn with_burst(self, requests: u32) -> Self {
        assert!(requests > 0, "a burst must be at least 1 request");
        let mut config = self.shared.config;
        if let Some(quota) = &mut config.requests {
            quota.burst = requests.into();
        }
        Self::with_config(config)
    }

    /// Lets up to `tokens` tokens go at once after a quiet spell (default 1: each request
    /// waits until the tokens before it are paid for). No effect without a token limit.
    ///
    /// # Panics
    /// If `tokens` is zero.
    #[must_use]
    pub fn with_token_burst(self, tokens: u64) -> Self {
        assert!(tokens > 0, "a token burst must be at least 1 token");
        let mut config = self.shared.config;
        if let Some(quota) = &mut config.tokens {
            quota.burst = tokens;
        }
        Self::with_config(config)
    }

    /// The back-off window after a `429` that gave no `Retry-After` (`initial`, doubling on
    /// each consecutive window), and the longest window (which also caps a server's
    /// `Retry-After`). Defaults: [`DEFAULT_BACKOFF`], [`DEFAULT_MAX_BACKOFF`].
    #[must_use]
    pub fn with_backoff(self, initial: Duration, max: Duration) -> Self {
        let mut config = self.shared.config;
        config.backoff = initial;
        config.max_backoff = max;
        Self::with_config(config)
    }

    /// The completion tokens assumed for a request that sets no `max_tokens` (default
    /// [`DEFAULT_COMPLETION_ESTIMATE`]).
    #[must_use]
    pub fn with_completion_estimate(self, tokens: u32) -> Self {
        let mut config = self.shared.config;
        config.completion_estimate = tokens;
        Self::with_config(config)
    }

    /// How long a caller may wait before a `debug` event reports it (default
    /// [`DEFAULT_SLOW_WAIT`]).
    #[must_use]
    pub fn with_slow_wait_threshold(self, threshold: Duration) -> Self {
        let mut config = self.shared.config;
        config.slow_wait = threshold;
        Self::with_config(config)
    }

    /// The tokens `request` is charged before its call: the prompt's bytes / 4 (rounded up)
    /// plus 4 tokens per message, plus `max_tokens` (or the completion estimate) times `n`.
    pub fn estimate_tokens(&self, request: &LmRequest) -> u64 {
        let prompt_bytes: u64 = request.messages.iter().map(|m| m.content.len() as u64 + 16).sum();
        let completion = request.max_tokens.unwrap_or(self.shared.config.completion_estimate);
        prompt_bytes.div_ceil(4) + u64::from(completion) * u64::from(request.n.unwrap_or(1).max(1))
    }

    /// The counters so far.
    pub fn stats(&self) -> RateLimitStats {
        lock(&self.shared.state).stats
    }

    /// How long the current back-off window has left, if one is open.
    pub fn backoff_remaining(&self) -> Option<Duration> {
        let now = self.shared.now();
        lock(&self.shared.state).window.and_then(|(_, until)| until.checked_sub(now)).filter(|d| !d.is_zero())
    }
}

impl Default for RateLimit {
    /// [`RateLimit::unlimited`]: the back-off window only.
    fn default() -> Self {
        Self::unlimited()
    }
}

impl fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.shared.config;
        let quota = |q: Option<Quota>| q.map(|q| format!("{} per {:?} (burst {})", q.amount, q.period, q.burst));
        f.debug_struct("RateLimit")
            .field("requests", &quota(config.requests))
            .field("tokens", &quota(config.tokens))
            .field("backoff", &config.backoff)
            .field("max_backoff", &config.max_backoff)
            .field("stats", &self.stats())
            .finish()
    }
}

impl Shared {
    fn now(&self) -> Duration {
        Instant::now().saturating_duration_since(self.origin)
    }

    /// Waits for this request's turn and slot, then charges it.
    async fn admit(&self, tokens: u64, model: &str) -> Result<Ticket, LmError> {
        let arrived = self.now();
        // Held while this caller waits at the head of the queue: it is the queue's ticket,
        // not a lock on data (the state's mutex is never held across an `.await`).
        let _turn = self
            .turn
            .acquire()
            .await
            .map_err(|_closed| LmError::Other("the rate limiter's queue was closed".into()))?;
        loop {
            let now = self.now();
            let ready = match self.try_admit(now, tokens, arrived) {
                Ok(ticket) => {
                    let waited = now.saturating_sub(arrived);
                    if waited > self.config.slow_wait {
                        tracing::debug!(target: "cognate::lm", model, waited_ms = waited.as_millis() as u64, "waited for a rate-limit slot");
                    }
                    return Ok(ticket);
                }
                Err(ready) => ready,
            };
            tokio::time::sleep(ready.saturating_sub(now)).await;
        }
    }

    /// Admits the request at `now` if the window and both schedules allow it, else says when
    /// they might.
    fn try_admit(&self, now: Duration, tokens: u64, arrived: Duration) -> Result<Ticket, Duration> {
        let mut state = lock(&self.state);
        let mut ready = now;
        if let Some((opened, until)) = state.window {
            if now >= until {
                state.window = None;
                let window_ms = until.saturating_sub(opened).as_millis() as u64;
                tracing::info!(target: "cognate::lm", window_ms, "rate-limit back-off window closed");
            } else {
                ready = until;
            }
        }
        if let Some(requests) = &state.requests {
            ready = ready.max(requests.ready_at(1));
        }
        if let Some(schedule) = &state.tokens {
            ready = ready.max(schedule.ready_at(tokens));
        }
        if ready > now {
            return Err(ready);
        }
        if let Some(requests) = &mut state.requests {
            requests.admit(now, 1);
        }
        let tokens_charged = match &mut state.tokens {
            Some(schedule) => {
                schedule.admit(now, tokens);
                tokens
            }
            None => 0,
        };
        state.stats.admitted += 1;
        if now > arrived {
            state.stats.delayed += 1;
        }
        Ok(Ticket { epoch: state.epoch, tokens_charged })
    }

    /// Books the outcome of an admitted request: reconciles its tokens, opens a window on a
    /// `429`, resets the doubling on a success.
    fn settle(&self, ticket: &Ticket, result: &Result<LmResponse, LmError>, model: &str) {
        let now = self.now();
        let mut state = lock(&self.state);
        match result {
            Ok(response) => {
                if ticket.epoch == state.epoch {
                    state.consecutive = 0;
                }
                let usage = response.usage;
                let used = usage.total_tokens.max(usage.prompt_tokens.saturating_add(usage.completion_tokens));
                // No usage reported (zeros): keep the estimate.
                if let (Some(schedule), true) = (&mut state.tokens, used > 0) {
                    let delta = i128::from(used) - i128::from(ticket.tokens_charged);
                    schedule.adjust(now, i64::try_from(delta).unwrap_or(if delta > 0 { i64::MAX } else { i64::MIN }));
                }
            }
            Err(LmError::Http { status: 429, retry_after, .. }) => {
                state.stats.rate_limited += 1;
                let max = self.config.max_backoff;
                if ticket.epoch == state.epoch {
                    // The first 429 of requests sent since the last window: a new window.
                    state.consecutive = state.consecutive.saturating_add(1);
                    let doubling = 1u32 << (state.consecutive - 1).min(30);
                    let length = retry_after.unwrap_or(self.config.backoff.saturating_mul(doubling)).min(max);
                    let until = now.saturating_add(length);
                    let until = state.window.map_or(until, |(_, open_until)| open_until.max(until));
                    state.window = Some((now, until));
                    state.epoch += 1;
                    state.stats.windows += 1;
                    state.stats.last_window = Some(length);
                    tracing::warn!(
                        target: "cognate::lm",
                        model,
                        window_ms = length.as_millis() as u64,
                        consecutive = state.consecutive,
                        retry_after = retry_after.is_some(),
                        "rate limited (429): every caller of this limiter waits for the back-off window"
                    );
                } else if let Some(retry_after) = retry_after {
                    // Sent before the window opened: the same storm. Honour its Retry-After only.
                    let until = now.saturating_add((*retry_after).min(max));
                    match &mut state.window {
                        Some((_, open_until)) => *open_until = (*open_until).max(until),
                        None if until > now => state.window = Some((now, until)),
                        None => {}
                    }
                }
            }
            Err(_) => {}
        }
    }
}

impl<L: LanguageModel> Layer<L> for RateLimit {
    type Lm = RateLimitedLm<L>;

    fn layer(&self, inner: L) -> RateLimitedLm<L> {
        RateLimitedLm { inner, limit: self.clone() }
    }
}

/// Forwards to another model when a [`RateLimit`] lets each call go, and reports each reply
/// back to it (token usage, `429`s).
#[derive(Clone)]
pub struct RateLimitedLm<L = SharedLm> {
    inner: L,
    limit: RateLimit,
}

impl<L> RateLimitedLm<L> {
    /// Wraps `inner` under `limit` (shared with every other model it wraps).
    pub fn new(inner: L, limit: RateLimit) -> Self {
        RateLimitedLm { inner, limit }
    }

    /// The shared limit.
    pub fn limit(&self) -> &RateLimit {
        &self.limit
    }
}

impl<L: LanguageModel> fmt::Debug for RateLimitedLm<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitedLm").field("inner", &self.inner.model_name()).field("limit", &self.limit).finish()
    }
}

impl<L: LanguageModel> LanguageModel for RateLimitedLm<L> {
    /// Waits until the limit lets the call go, calls the wrapped model, and books the reply.
    ///
    /// # Errors
    /// The wrapped model's errors, unchanged (a `429` included: it also opens the back-off
    /// window).
    ///
    /// # Cancel safety
    /// Dropped while waiting: it leaves the queue and is charged nothing. Dropped during the
    /// call: the request was sent, so its estimate stays charged.
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        let shared = &self.limit.shared;
        let tokens = if shared.config.tokens.is_some() { self.limit.estimate_tokens(&request) } else { 0 };
        let model = self.inner.model_name();
        let ticket = shared.admit(tokens, model).await?;
        let result = self.inner.complete(request).await;
        shared.settle(&ticket, &result, model);
        result
    }

    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn supports_json_schema(&self) -> bool {
        self.inner.supports_json_schema()
    }
}

#[cfg(test)]
mod tests;
