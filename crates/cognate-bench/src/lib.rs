//! Benchmarks of Cognate against DSPy 3.4.1 (see `docs/benchmarks.md`).
//!
//! * [`overhead`]: the framework's own cost per `Predict` call, on an in-process LM that
//!   returns a canned reply at once (format, dispatch, parse, typed conversion, settings).
//! * [`throughput`]: `Evaluate` over an OpenAI-compatible server (the `cognate-mock-lm`
//!   binary with 50 ms of latency), in examples per second and as a fraction of the ideal
//!   `concurrency / latency`.
//! * [`memory`]: peak RSS of `Evaluate::stream` at high concurrency.
//! * [`optimize`]: wall time of `BootstrapFewShot` and random search on the same server.
//! * [`task`]: the signature, dataset and metric both frameworks run.
//!
//! The `cognate-bench` binary drives them and prints one JSON object per measurement;
//! `run.sh` runs them next to the DSPy harness in `python/` and prints the tables.
//!
//! ```
//! let stats = cognate_bench::overhead::predict_overhead(&cognate_bench::overhead::OverheadConfig::smoke());
//! assert!(stats.runs >= 1);
//! ```

pub mod memory;
pub mod optimize;
pub mod overhead;
pub mod parse_time;
pub mod stats;
pub mod task;
pub mod throughput;

pub use stats::Stats;
