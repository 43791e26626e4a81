//! Integration tests of cognate-lm, one binary: both HTTP clients against loopback servers
//! (well-behaved, hostile, and with credentials in the URL), the retry layer and circuit
//! breaker around the client against a failing mock server, and the rate-limit, concurrency and
//! time-out layers under a thousand concurrent callers (`limits.rs`). The embedder's live test against
//! the real MiniLM server is in the live lane (`tests/live/` of the `cognate-tests` package).
//! (well-behaved, hostile, and with credentials in the URL), and usage, cost and budgets on
//! the wire. The embedder's live test against the real MiniLM server is in the live lane
//! (`tests/live/` of the `cognate-tests` package).

mod anthropic;
mod embeddings;
mod headers;
mod hostile;
mod limits;
mod loopback;
mod redaction;
mod resilience;
mod usage;
