//! Peak memory of `Evaluate` at high concurrency: the records are streamed to a consumer that
//! keeps only running totals, and the process's peak resident set size (`VmHWM` in
//! `/proc/self/status`) is read at the end.

use std::sync::Arc;
use std::time::Instant;

use cognate::{Predict, Settings};
use cognate_lm::OpenAiClient;
use futures::StreamExt;
use serde::Serialize;

use crate::task::{ContextQa, ContextQaInput, dataset, example};

/// One memory measurement.
#[derive(Debug, Clone, Serialize)]
pub struct Memory {
    /// Examples in flight.
    pub concurrency: usize,
    /// Whether the examples were generated as the evaluation took them (`true`) or built
    /// into a `Vec` first (`false`; the dataset's own memory then counts).
    pub lazy: bool,
    /// Examples in the dataset.
    pub examples: usize,
    /// Records the consumer received.
    pub completed: usize,
    /// Records that failed (for any reason).
    pub errors: usize,
    /// Wall time, in seconds.
    pub seconds: f64,
    /// Resident set size after building the dataset, before the run, in MB (`VmRSS`).
    pub rss_before_mb: Option<f64>,
    /// Peak resident set size of the process, in MB (`VmHWM`).
    pub peak_rss_mb: Option<f64>,
}

/// A field of `/proc/self/status` in kB (`VmHWM`, `VmRSS`), as MB; `None` off Linux.
pub fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
    let kb: f64 = line[field.len() + 1..].trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb / 1024.0)
}

/// Streams the evaluation of `Predict<ContextQa>` over `examples` generated examples with
/// `concurrency` in flight through `lm`, keeping only counts, and reports the peak RSS.
/// With `lazy`, examples are generated as the evaluation takes them
/// ([`Evaluate::stream_iter`](cognate_eval::Evaluate::stream_iter)); otherwise they are built into a `Vec` first.
pub async fn evaluate_memory(lm: &OpenAiClient, concurrency: usize, examples: usize, lazy: bool) -> Memory {
    let data = if lazy { Vec::new() } else { dataset(examples) };
    let program = Predict::<ContextQa>::new();
    let evaluate = crate::throughput::bench_evaluate(concurrency);
    let settings = Settings::default().with_lm(Arc::new(lm.clone()));
    let rss_before_mb = status_mb("VmRSS");
    let started = Instant::now();
    let (completed, errors) = settings
        .scope(async {
            let to_input =
                |e: &cognate_core::Example| Ok(cognate_core::from_values::<ContextQaInput>(&e.inputs(), "input")?);
            let mut stream = if lazy {
                evaluate.stream_iter(&program, (0..examples).map(example), to_input)
            } else {
                evaluate.stream_with(&program, &data, to_input)
            };
            let (mut completed, mut errors) = (0, 0);
            while let Some(record) = stream.next().await {
                completed += 1;
                errors += usize::from(record.is_error());
            }
            (completed, errors)
        })
        .await;
    let seconds = started.elapsed().as_secs_f64();
    Memory { concurrency, lazy, examples, completed, errors, seconds, rss_before_mb, peak_rss_mb: status_mb("VmHWM") }
}
