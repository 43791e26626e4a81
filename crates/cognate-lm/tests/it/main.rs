//! Integration tests of cognate-lm, one binary: both HTTP clients against loopback servers
//! (well-behaved, hostile, and with credentials in the URL), the cache layer in front of them,
//! and its disk tier shared by processes. The embedder's live test against
//! the real MiniLM server is in the live lane (`tests/live/` of the `cognate-tests` package).

mod cache;
mod disk_cache;
mod embeddings;
mod hostile;
mod redaction;
