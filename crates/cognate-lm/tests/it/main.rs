//! Integration tests of cognate-lm, one binary: the HTTP clients against loopback servers
//! (well-behaved, hostile, and with credentials in the URL), usage, cost and budgets on the
//! wire, the retry layer and circuit breaker around the client against a failing mock server,
//! the rate-limit, concurrency and time-out layers under a thousand concurrent callers
//! (`limits.rs`), and the cache layer in front of the client and its disk tier shared by
//! processes (`cache.rs`, `disk_cache.rs`). The embedder's live test against the real MiniLM
//! server is in the live lane (`tests/live/` of the `cognate-tests` package).

mod anthropic;
mod cache;
mod disk_cache;
mod embeddings;
mod headers;
mod hostile;
mod limits;
mod loopback;
mod redaction;
mod resilience;
mod usage;
