//! `Evaluate` throughput against an OpenAI-compatible server with a fixed latency.
//!
//! With `c` examples in flight and a server that answers after `latency`, the best possible
//! rate is `c / latency` examples per second; [`Throughput::fraction_of_ideal`] is how close
//! Cognate gets.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cognate::{Predict, Settings};
use cognate_eval::metrics::ExactMatch;
use cognate_eval::{Evaluate, InfraPolicy};
use cognate_lm::OpenAiClient;
use serde::Serialize;

use crate::task::{ContextQa, dataset};

/// One throughput measurement.
#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    /// Examples in flight.
    pub concurrency: usize,
    /// Examples evaluated.
    pub examples: usize,
    /// Examples that failed (LM, parse or metric errors; LM failures are left out of the
    /// score rather than failing the run).
    pub errors: usize,
    /// Wall time of the evaluation, in seconds.
    pub seconds: f64,
    /// Examples per second.
    pub per_second: f64,
    /// `concurrency / latency`, examples per second.
    pub ideal_per_second: f64,
    /// `per_second / ideal_per_second`.
    pub fraction_of_ideal: f64,
    /// CPU time (user + system, all threads) this process spent per example, in µs, when
    /// `/proc/self/stat` is readable. `1e6 / cpu_us_per_example` is the rate one whole core
    /// could sustain, whatever else runs on the machine.
    pub cpu_us_per_example: Option<f64>,
}

/// User + system CPU seconds of this process (all threads), from `/proc/self/stat` (Linux;
/// `None` elsewhere). Resolution: one clock tick (10 ms at the usual `CLK_TCK` of 100).
pub fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the `(comm)`, which may hold spaces: state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    const CLOCK_TICKS_PER_SECOND: f64 = 100.0;
    Some((utime + stime) as f64 / CLOCK_TICKS_PER_SECOND)
}

/// The examples to evaluate at `concurrency` so the run lasts `seconds` at the ideal rate,
/// and at least `min` (so low concurrencies still do many calls).
pub fn examples_for(concurrency: usize, latency: Duration, seconds: f64, min: usize) -> usize {
    let ideal = concurrency as f64 / latency.as_secs_f64().max(1e-6);
    ((ideal * seconds).ceil() as usize).max(min)
}

/// An `OpenAiClient` for the server at `base_url` (e.g. `http://127.0.0.1:8089/v1`).
pub fn client(base_url: &str) -> OpenAiClient {
    OpenAiClient::new("mock-lm").with_base_url(base_url).with_api_key("x")
}

/// The `Evaluate` both the throughput and the memory benchmarks run: exact match at
/// `concurrency`, infrastructure failures left out of the score, no error budget, no progress
/// bar.
pub(crate) fn bench_evaluate(concurrency: usize) -> Evaluate<ExactMatch> {
    Evaluate::new(ExactMatch::new())
        .with_concurrency(concurrency)
        .with_infra_policy(InfraPolicy::Exclude)
        .with_max_errors(None)
        .with_progress(false)
}

/// Evaluates `Predict<ContextQa>` over `examples` generated examples with `concurrency` in
/// flight, through `lm`, and times it. `latency` is the server's, for the ideal rate.
///
/// Call it inside a multi-threaded tokio runtime (the HTTP connections run as tasks).
///
/// # Panics
/// If the evaluation itself fails (it has no error budget, so only on a bug).
pub async fn evaluate_throughput(
    lm: &OpenAiClient,
    concurrency: usize,
    examples: usize,
    latency: Duration,
) -> Throughput {
    let data = dataset(examples);
    let program = Predict::<ContextQa>::new();
    let evaluate = bench_evaluate(concurrency);
    let settings = Settings::default().with_lm(Arc::new(lm.clone()));
    let cpu_before = process_cpu_seconds();
    let started = Instant::now();
    let result = settings.scope(evaluate.run(&program, &data)).await.expect("an evaluation without an error budget");
    let seconds = started.elapsed().as_secs_f64();
    let cpu_us_per_example = match (cpu_before, process_cpu_seconds()) {
        (Some(before), Some(after)) => Some((after - before) * 1e6 / examples.max(1) as f64),
        _ => None,
    };
    let per_second = examples as f64 / seconds;
    let ideal_per_second = concurrency as f64 / latency.as_secs_f64().max(1e-6);
    Throughput {
        concurrency,
        examples,
        errors: result.summary.errors + result.summary.infra_errors,
        seconds,
        per_second,
        ideal_per_second,
        fraction_of_ideal: per_second / ideal_per_second,
        cpu_us_per_example,
    }
}
