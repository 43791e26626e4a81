//! [`CircuitBreaker`]: stops calling a provider that keeps failing, and fails fast instead with
//! [`LmError::CircuitOpen`] until a probe call shows it is back.
//!
//! ```
//! use std::time::Duration;
//! use cognate_core::{LanguageModel, LanguageModelExt, LmError, LmRequest, Message};
//! use cognate_lm::layer::breaker::{BreakerState, CircuitBreaker};
//! use cognate_testing::MockLm;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
//! let down = LmError::Http { status: 503, message: "down".into(), retry_after: None };
//! let mock = MockLm::new(Vec::<String>::new());
//! (0..4).for_each(|_| mock.push_error(down.clone()));
//! mock.push_reply("back");
//! let breaker = CircuitBreaker::default().with_min_calls(4).with_open_for(Duration::from_secs(10));
//! let lm = mock.clone().layer(breaker.clone());
//! let ask = || lm.complete(LmRequest::new(vec![Message::user("q")]));
//! for _ in 0..4 {
//!     assert_eq!(ask().await.unwrap_err().status(), Some(503));
//! }
//! assert_eq!(breaker.state(), BreakerState::Open);
//! // Open: fails fast, the provider is not called.
//! assert!(matches!(ask().await, Err(LmError::CircuitOpen { .. })));
//! assert_eq!(mock.call_count(), 4);
//! // After the open period one probe goes through; its success closes the breaker.
//! tokio::time::advance(Duration::from_secs(10)).await;
//! assert_eq!(ask().await.unwrap().choices[0].text, "back");
//! assert_eq!(breaker.state(), BreakerState::Closed);
//! # }
//! ```
//!
//! # States
//!
//! * **Closed**: calls go through, and the outcome of each is recorded in a sliding window of
//!   the last [`with_window`](CircuitBreaker::with_window) outcomes (default 100). When the
//!   window holds at least [`with_min_calls`](CircuitBreaker::with_min_calls) outcomes (default
//!   50) and at least [`with_failure_ratio`](CircuitBreaker::with_failure_ratio) of them are
//!   failures (default 0.8), the breaker opens.
//! * **Open**: every call fails at once with [`LmError::CircuitOpen`] (its `retry_in` says how
//!   long the breaker stays open), for [`with_open_for`](CircuitBreaker::with_open_for)
//!   (default 10 s).
//! * **Half-open**: after the open period, up to
//!   [`with_half_open_probes`](CircuitBreaker::with_half_open_probes) calls (default 1) go
//!   through as probes while the others keep failing fast. When that many probes have
//!   succeeded the breaker closes with an empty window; the first failed probe opens it again
//!   for another open period.
//!
//! A failure ratio over a window, rather than N consecutive failures, because many tasks
//! share one breaker: interleaved successes would keep resetting a consecutive count while a
//! provider fails half the calls, and the minimum number of calls keeps the first few
//! unlucky calls from opening it.
//!
//! # What counts
//!
//! A success, or a failure of the provider: [`LmError::is_retryable`] errors (5xx, 408, 409,
//! time-outs, connection failures) except 429. Everything else is *ignored*, neither success
//! nor failure: client errors (400, 401, 404, 422, ...) are the request's fault, undecodable
//! or oversized replies and configuration errors are not the provider being down, and a 429
//! means the provider is up and asks for less traffic, which the retry layer's `Retry-After`
//! handling and a rate limiter answer better than failing every call for the open period.
//! A call abandoned by dropping its future is ignored too (a probe's slot is freed).
//!
//! Clones share the state: put one breaker around one provider, and use a separate breaker
//! per provider. Time is tokio's clock (tests pause it). Every state change is a `tracing`
//! event on target `cognate::lm` (`warn` when it opens, `info` otherwise).
//!
//! # Where it goes in a stack
//!
//! Inside the retry layer: `client.layer(breaker).layer(retry)`. The breaker then sees every
//! attempt, so its window measures the provider itself, and once it opens the retries stop at
//! once, because `CircuitOpen` is not retryable (outside the retry layer it would see one
//! outcome per call, after the retries had already hammered a dead provider).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use cognate_core::{LanguageModel, Layer, LmError, LmRequest, LmResponse, SharedLm};
use tokio::time::Instant;

/// The default number of recent outcomes the failure ratio is computed over.
pub const DEFAULT_WINDOW: usize = 100;
/// The default least number of outcomes in the window before the breaker may open.
pub const DEFAULT_MIN_CALLS: usize = 50;
/// The default failure ratio that opens the breaker.
pub const DEFAULT_FAILURE_RATIO: f64 = 0.8;
/// The default time the breaker stays open before letting a probe through.
pub const DEFAULT_OPEN_FOR: Duration = Duration::from_secs(10);
/// The default number of probe calls in the half-open state.
pub const DEFAULT_HALF_OPEN_PROBES: u32 = 1;

/// The layer: wraps a model in a [`BreakerLm`]. Clones share the breaker's state.
///
/// The `with_` methods configure a new breaker: clones made before them do not share its
/// state.
#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    config: Config,
    machine: Arc<Mutex<Machine>>,
}

#[derive(Debug, Clone, Copy)]
struct Config {
    window: usize,
    min_calls: usize,
    failure_ratio: f64,
    open_for: Duration,
    probes: u32,
}

/// Where a [`CircuitBreaker`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BreakerState {
    /// Calls go through and are counted.
    Closed,
    /// Calls fail fast (until the open period ends: the next call is then a probe).
    Open,
    /// Probe calls decide whether the breaker closes or opens again.
    HalfOpen,
}

#[derive(Debug)]
struct Machine {
    state: State,
    /// Bumped at every state change, so outcomes of calls let through in an earlier state
    /// are not counted in the new one.
    generation: u64,
    /// The closed state's window: `true` for a failure.
    outcomes: VecDeque<bool>,
    failures: usize,
}

#[derive(Debug, Clone, Copy)]
enum State {
    Closed,
    Open { until: Instant },
    HalfOpen { in_flight: u32, succeeded: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Success,
    Failure,
    Ignored,
}

impl Default for CircuitBreaker {
    /// Opens when at least 80% of the last 100 outcomes (and at least 50) are failures, stays
    /// open 10 s, then closes after one successful probe. It is for outages: a dead or hanging
    /// provider trips it within 50 calls, while a flaky one (even 30% of requests failing, in
    /// bursts when time-outs that started together end together) is left to the retry layer
    /// and its budget, since failing fast would turn recoverable calls into failures.
    fn default() -> Self {
        CircuitBreaker::with_config(Config {
            window: DEFAULT_WINDOW,
            min_calls: DEFAULT_MIN_CALLS,
            failure_ratio: DEFAULT_FAILURE_RATIO,
            open_for: DEFAULT_OPEN_FOR,
            probes: DEFAULT_HALF_OPEN_PROBES,
        })
    }
}

impl CircuitBreaker {
    /// The default breaker; see [`Default`](#impl-Default-for-CircuitBreaker).
    pub fn new() -> Self {
        Self::default()
    }

    fn with_config(config: Config) -> Self {
        let machine = Machine {
            state: State::Closed,
            generation: 0,
            outcomes: VecDeque::with_capacity(config.window),
            failures: 0,
        };
        CircuitBreaker { config, machine: Arc::new(Mutex::new(machine)) }
    }

    /// Computes the failure ratio over the last `calls` outcomes (at least 1; `min_calls` is
    /// lowered to it when larger).
    #[must_use]
    pub fn with_window(self, calls: usize) -> Self {
        let window = calls.max(1);
        Self::with_config(Config { window, min_calls: self.config.min_calls.min(window), ..self.config })
    }

    /// Lets the breaker open only once the window holds `calls` outcomes (at least 1; the
    /// window is raised to it when smaller).
    #[must_use]
    pub fn with_min_calls(self, calls: usize) -> Self {
        let min_calls = calls.max(1);
        Self::with_config(Config { min_calls, window: self.config.window.max(min_calls), ..self.config })
    }

    /// Opens when at least this fraction of the window's outcomes are failures (clamped to
    /// `(0, 1]`; 1 opens only when every outcome is a failure).
    #[must_use]
    pub fn with_failure_ratio(self, ratio: f64) -> Self {
        let failure_ratio = if ratio.is_finite() { ratio.clamp(f64::MIN_POSITIVE, 1.0) } else { 1.0 };
        Self::with_config(Config { failure_ratio, ..self.config })
    }

    /// Stays open this long before letting probes through.
    #[must_use]
    pub fn with_open_for(self, open_for: Duration) -> Self {
        Self::with_config(Config { open_for, ..self.config })
    }

    /// Lets `probes` calls through when half-open (at least 1); all must succeed to close.
    #[must_use]
    pub fn with_half_open_probes(self, probes: u32) -> Self {
        Self::with_config(Config { probes: probes.max(1), ..self.config })
    }

    /// The current state. An open breaker whose open period has passed still reads `Open`
    /// until the next call, which becomes a probe.
    pub fn state(&self) -> BreakerState {
        match self.lock().state {
            State::Closed => BreakerState::Closed,
            State::Open { .. } => BreakerState::Open,
            State::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Machine> {
        self.machine.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Lets a call through (a permit to report its outcome with), or fails it fast.
    fn acquire<'a>(&'a self, model: &'a str) -> Result<Permit<'a>, LmError> {
        let now = Instant::now();
        let mut machine = self.lock();
        let probe = match machine.state {
            State::Closed => false,
            State::Open { until } if now < until => {
                return Err(LmError::CircuitOpen { retry_in: until - now });
            }
            State::Open { .. } => {
                machine.transition(State::HalfOpen { in_flight: 1, succeeded: 0 });
                tracing::info!(target: "cognate::lm", model, probes = self.config.probes, "circuit breaker half-open: letting probe calls through");
                true
            }
            State::HalfOpen { in_flight, succeeded } => {
                if in_flight + succeeded >= self.config.probes {
                    return Err(LmError::CircuitOpen { retry_in: Duration::ZERO });
                }
                machine.state = State::HalfOpen { in_flight: in_flight + 1, succeeded };
                true
            }
        };
        Ok(Permit { breaker: self, model, generation: machine.generation, probe, recorded: false })
    }

    fn record(&self, model: &str, generation: u64, probe: bool, outcome: Outcome) {
        let config = self.config;
        let mut machine = self.lock();
        if machine.generation != generation {
            return; // let through in an earlier state
        }
        match (machine.state, probe) {
            (State::Closed, false) => {
                if outcome == Outcome::Ignored {
                    return;
                }
                let failed = outcome == Outcome::Failure;
                machine.outcomes.push_back(failed);
                machine.failures += usize::from(failed);
                if machine.outcomes.len() > config.window {
                    let dropped = machine.outcomes.pop_front().unwrap_or(false);
                    machine.failures -= usize::from(dropped);
                }
                let (calls, failures) = (machine.outcomes.len(), machine.failures);
                if failed && calls >= config.min_calls && failures as f64 >= config.failure_ratio * calls as f64 {
                    machine.transition(State::Open { until: Instant::now() + config.open_for });
                    tracing::warn!(
                        target: "cognate::lm",
                        model,
                        failures,
                        calls,
                        open_for_ms = config.open_for.as_millis() as u64,
                        "circuit breaker opened: the provider failed {failures} of the last {calls} calls; failing fast"
                    );
                }
            }
            (State::HalfOpen { in_flight, succeeded }, true) => match outcome {
                Outcome::Ignored => {
                    machine.state = State::HalfOpen { in_flight: in_flight.saturating_sub(1), succeeded };
                }
                Outcome::Failure => {
                    machine.transition(State::Open { until: Instant::now() + config.open_for });
                    tracing::warn!(
                        target: "cognate::lm",
                        model,
                        open_for_ms = config.open_for.as_millis() as u64,
                        "circuit breaker re-opened: a probe call failed"
                    );
                }
                Outcome::Success if succeeded + 1 >= config.probes => {
                    machine.transition(State::Closed);
                    tracing::info!(target: "cognate::lm", model, "circuit breaker closed: the probe calls succeeded");
                }
                Outcome::Success => {
                    machine.state =
                        State::HalfOpen { in_flight: in_flight.saturating_sub(1), succeeded: succeeded + 1 };
                }
            },
            // A permit matches its generation's state; nothing else reaches here.
            _ => {}
        }
    }
}

impl Machine {
    fn transition(&mut self, state: State) {
        self.state = state;
        self.generation += 1;
        self.outcomes.clear();
        self.failures = 0;
    }
}

/// A call let through; reports its outcome once, as ignored if dropped unreported (the call
/// was abandoned), so a probe's slot is never leaked.
struct Permit<'a> {
    breaker: &'a CircuitBreaker,
    model: &'a str,
    generation: u64,
    probe: bool,
    recorded: bool,
}

impl Permit<'_> {
    fn record(mut self, outcome: Outcome) {
        self.recorded = true;
        self.breaker.record(self.model, self.generation, self.probe, outcome);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.recorded {
            self.breaker.record(self.model, self.generation, self.probe, Outcome::Ignored);
        }
    }
}

fn outcome(result: &Result<LmResponse, LmError>) -> Outcome {
    match result {
        Ok(_) => Outcome::Success,
        Err(error) if error.status() == Some(429) => Outcome::Ignored,
        Err(error) if error.is_retryable() => Outcome::Failure,
        Err(_) => Outcome::Ignored,
    }
}

impl<L: LanguageModel> Layer<L> for CircuitBreaker {
    type Lm = BreakerLm<L>;

    fn layer(&self, inner: L) -> BreakerLm<L> {
        BreakerLm::new(inner, self.clone())
    }
}

/// Forwards to another LM while its breaker lets calls through (see the [module docs](self)).
#[derive(Debug, Clone)]
pub struct BreakerLm<L = SharedLm> {
    inner: L,
    breaker: CircuitBreaker,
}

impl<L> BreakerLm<L> {
    /// Wraps `inner` behind `breaker`.
    pub fn new(inner: L, breaker: CircuitBreaker) -> Self {
        BreakerLm { inner, breaker }
    }

    /// The breaker (shared with its clones).
    pub fn breaker(&self) -> &CircuitBreaker {
        &self.breaker
    }
}

impl<L: LanguageModel> LanguageModel for BreakerLm<L> {
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        let permit = self.breaker.acquire(self.inner.model_name())?;
        let result = self.inner.complete(request).await;
        permit.record(outcome(&result));
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
