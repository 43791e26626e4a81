//! Integration tests of cognate-lm, one binary: both HTTP clients against loopback servers
//! (well-behaved, hostile, and with credentials in the URL), and usage, cost and budgets on
//! the wire. The embedder's live test against the real MiniLM server is in the live lane
//! (`tests/live/` of the `cognate-tests` package).

mod embeddings;
mod hostile;
mod redaction;
mod usage;
