//! [`MockServerConfig`]: latency, failure injection and scripted replies.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use cognate_core::LmRequest;
use cognate_core::rng::{RandomSource, SeededRng};

/// A failure the mock server can inject instead of answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// `429 Too Many Requests` with a `Retry-After` header and an OpenAI error body.
    Status429 {
        /// The `Retry-After` value, in seconds.
        retry_after_secs: u64,
    },
    /// `500 Internal Server Error` with an OpenAI error body.
    Status500,
    /// Close the connection without writing a response.
    DropConnection,
    /// One of `429` (`Retry-After: 1`), `500` and a dropped connection, chosen per request
    /// (reproducibly, from the request's number): a flaky provider.
    Mixed,
    /// Answer normally, but only after waiting `delay_ms` more milliseconds: a reply slower
    /// than a client's time-out (the client sees `LmError::Timeout`).
    Slow {
        /// The extra delay, in milliseconds.
        delay_ms: u64,
    },
    /// One of these failures, chosen per request (reproducibly, from the request's number);
    /// an empty list injects nothing.
    ///
    /// ```
    /// use cognate_testing::{Failure, FailurePlan};
    ///
    /// const FLAKY: &[Failure] = &[Failure::Status500, Failure::Slow { delay_ms: 5_000 }];
    /// let plan = FailurePlan::Every { n: 1, failure: Failure::OneOf(FLAKY) };
    /// assert!((1..=10).all(|i| FLAKY.contains(&plan.failure_for(i).unwrap())));
    /// ```
    OneOf(&'static [Failure]),
}

impl std::str::FromStr for Failure {
    type Err = String;

    /// Parses `429`, `429:<secs>`, `500`, `drop`, `mixed` or `slow:<ms>`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "500" => Ok(Failure::Status500),
            "mixed" => Ok(Failure::Mixed),
            "drop" => Ok(Failure::DropConnection),
            "429" => Ok(Failure::Status429 { retry_after_secs: 1 }),
            _ => match (s.strip_prefix("429:").map(str::parse), s.strip_prefix("slow:").map(str::parse)) {
                (Some(Ok(retry_after_secs)), _) => Ok(Failure::Status429 { retry_after_secs }),
                (_, Some(Ok(delay_ms))) => Ok(Failure::Slow { delay_ms }),
                _ => Err(format!("unknown failure `{s}`: expected 429, 429:<secs>, 500, drop, mixed or slow:<ms>")),
            },
        }
    }
}

/// When the server injects failures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FailurePlan {
    /// Requests number `n`, `2n`, `3n`, ... (counting chat requests from 1) fail.
    Every {
        /// The period; `1` fails every request.
        n: u64,
        /// What happens.
        failure: Failure,
    },
    /// Each request fails with this probability; the draw for request `k` depends only on
    /// `seed` and `k`, so runs are reproducible.
    Random {
        /// Between 0 and 1.
        probability: f64,
        /// The seed.
        seed: u64,
        /// What happens.
        failure: Failure,
    },
    /// The first `n` chat requests fail, then the server is healthy: an outage that ends.
    First {
        /// How many requests fail.
        n: u64,
        /// What happens.
        failure: Failure,
    },
}

impl FailurePlan {
    /// The failure for the `index`-th chat request (from 1), if any; never
    /// [`Failure::Mixed`] or [`Failure::OneOf`], which are resolved to one of their failures.
    pub fn failure_for(&self, index: u64) -> Option<Failure> {
        let failure = match *self {
            FailurePlan::Every { n, failure } => (n > 0 && index % n == 0).then_some(failure),
            FailurePlan::Random { probability, seed, failure } => {
                let draw = SeededRng::new(seed ^ index.wrapping_mul(0xA24B_AED4_963E_E407)).next_f64();
                (draw < probability).then_some(failure)
            }
            FailurePlan::First { n, failure } => (index <= n).then_some(failure),
        };
        let mut failure = failure?;
        // Lists may nest (a `static` can name itself); a few levels are resolved.
        for level in 0..4u64 {
            failure = match failure {
                Failure::Mixed => match index % 3 {
                    0 => Failure::Status429 { retry_after_secs: 1 },
                    1 => Failure::Status500,
                    _ => Failure::DropConnection,
                },
                Failure::OneOf([]) => return None,
                Failure::OneOf(list) => {
                    let pick = (index ^ level).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
                    list[(pick % list.len() as u64) as usize]
                }
                other => return Some(other),
            };
        }
        match failure {
            Failure::Mixed | Failure::OneOf(_) => Some(Failure::DropConnection),
            other => Some(other),
        }
    }
}

/// A scripted reply: the text of each choice, computed from the request.
pub type ReplyFn = Arc<dyn Fn(&LmRequest) -> String + Send + Sync>;

/// How a [`MockServer`](super::MockServer) behaves. The default answers at once, never
/// fails, and derives its replies from the prompt.
#[derive(Clone)]
pub struct MockServerConfig {
    pub(crate) latency: Duration,
    pub(crate) failure: Option<FailurePlan>,
    pub(crate) model: String,
    pub(crate) reply: Option<ReplyFn>,
}

impl Default for MockServerConfig {
    fn default() -> Self {
        MockServerConfig { latency: Duration::ZERO, failure: None, model: "mock-lm".into(), reply: None }
    }
}

impl MockServerConfig {
    /// Delays every chat answer (including injected failures) by `latency`.
    #[must_use]
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Fails every `n`-th chat request with `failure`.
    #[must_use]
    pub fn with_fail_every(mut self, n: u64, failure: Failure) -> Self {
        self.failure = Some(FailurePlan::Every { n, failure });
        self
    }

    /// Fails each chat request with `probability`, reproducibly for a given `seed`.
    #[must_use]
    pub fn with_fail_probability(mut self, probability: f64, seed: u64, failure: Failure) -> Self {
        self.failure = Some(FailurePlan::Random { probability, seed, failure });
        self
    }

    /// Fails the first `n` chat requests with `failure`, then answers normally.
    #[must_use]
    pub fn with_fail_first(mut self, n: u64, failure: Failure) -> Self {
        self.failure = Some(FailurePlan::First { n, failure });
        self
    }

    /// Sets the model name reported when a request does not name one (default `mock-lm`).
    #[must_use]
    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = model.into();
        self
    }

    /// Answers every chat request with `reply(&request)` instead of deriving the reply from
    /// the prompt (called once per choice).
    #[must_use]
    pub fn with_reply(mut self, reply: impl Fn(&LmRequest) -> String + Send + Sync + 'static) -> Self {
        self.reply = Some(Arc::new(reply));
        self
    }

    /// The configured latency.
    pub fn latency(&self) -> Duration {
        self.latency
    }

    /// The configured failure plan.
    pub fn failure_plan(&self) -> Option<FailurePlan> {
        self.failure
    }
}

impl fmt::Debug for MockServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServerConfig")
            .field("latency", &self.latency)
            .field("failure", &self.failure)
            .field("model", &self.model)
            .field("reply", &self.reply.as_ref().map(|_| "<fn>"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_n_and_random_plans() {
        let every = FailurePlan::Every { n: 3, failure: Failure::Status500 };
        let hits: Vec<u64> = (1..=9).filter(|i| every.failure_for(*i).is_some()).collect();
        assert_eq!(hits, [3, 6, 9]);

        let random = FailurePlan::Random { probability: 0.25, seed: 9, failure: Failure::DropConnection };
        let count = (1..=4000).filter(|i| random.failure_for(*i).is_some()).count();
        assert!((800..1200).contains(&count), "{count}");
        let again = (1..=4000).filter(|i| random.failure_for(*i).is_some()).count();
        assert_eq!(count, again);
    }

    #[test]
    fn mixed_failures_resolve_to_all_three_kinds() {
        let plan = FailurePlan::Every { n: 1, failure: Failure::Mixed };
        let kinds: Vec<Failure> = (1..=3).filter_map(|i| plan.failure_for(i)).collect();
        assert_eq!(kinds, [Failure::Status500, Failure::DropConnection, Failure::Status429 { retry_after_secs: 1 }]);
    }

    #[test]
    fn lists_and_outages_resolve_to_plain_failures() {
        const LIST: &[Failure] = &[Failure::Status500, Failure::Slow { delay_ms: 9 }, Failure::Mixed];
        let plan = FailurePlan::Every { n: 1, failure: Failure::OneOf(LIST) };
        let kinds: Vec<Failure> = (1..=300).filter_map(|i| plan.failure_for(i)).collect();
        assert_eq!(kinds.len(), 300);
        for kind in [Failure::Status500, Failure::Slow { delay_ms: 9 }, Failure::DropConnection] {
            assert!(kinds.iter().filter(|k| **k == kind).count() > 30, "{kind:?}");
        }
        assert!(kinds.iter().all(|k| !matches!(k, Failure::Mixed | Failure::OneOf(_))));
        assert_eq!(FailurePlan::Every { n: 1, failure: Failure::OneOf(&[]) }.failure_for(1), None);
        static SELF: [Failure; 1] = [Failure::OneOf(&SELF)];
        assert_eq!(FailurePlan::Every { n: 1, failure: SELF[0] }.failure_for(1), Some(Failure::DropConnection));

        let outage = FailurePlan::First { n: 3, failure: Failure::Status500 };
        let hits: Vec<u64> = (1..=9).filter(|i| outage.failure_for(*i).is_some()).collect();
        assert_eq!(hits, [1, 2, 3]);
    }

    #[test]
    fn failures_parse() {
        assert_eq!("slow:250".parse(), Ok(Failure::Slow { delay_ms: 250 }));
        assert_eq!("429:7".parse(), Ok(Failure::Status429 { retry_after_secs: 7 }));
        assert_eq!("500".parse(), Ok(Failure::Status500));
        assert_eq!("drop".parse(), Ok(Failure::DropConnection));
        assert_eq!("mixed".parse(), Ok(Failure::Mixed));
        assert!("418".parse::<Failure>().is_err());
    }
}
