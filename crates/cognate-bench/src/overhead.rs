//! Framework overhead per `Predict` call, in process: a `Predict<ContextQa>` on an LM that
//! answers with [`crate::task::CANNED_REPLY`] at once, so the time measured is
//! Cognate's own (input conversion, settings lookup, formatting, LM dispatch, parsing, typed
//! conversion and the disabled tracing).

use std::sync::Arc;
use std::time::Instant;

use cognate::{Module, Predict, Settings};
use cognate_core::{Choice, LanguageModel, LmError, LmRequest, LmResponse, SharedLm, Usage};

use crate::stats::Stats;
use crate::task::{CANNED_REPLY, ContextQa, ContextQaInput, ContextQaOutput, input};

/// An LM that returns the same reply to every request, without IO.
#[derive(Debug, Clone)]
pub struct CannedLm {
    reply: String,
}

impl CannedLm {
    /// An LM that always answers `reply`.
    pub fn new(reply: impl Into<String>) -> Self {
        CannedLm { reply: reply.into() }
    }
}

impl LanguageModel for CannedLm {
    fn complete(&self, _request: LmRequest) -> impl Future<Output = Result<LmResponse, LmError>> + Send {
        std::future::ready(Ok(LmResponse {
            choices: vec![Choice { text: self.reply.clone(), finish_reason: None }],
            usage: Usage::new(100, 20),
            model: "canned".to_owned(),
            cache_hit: false,
        }))
    }

    fn model_name(&self) -> &str {
        "canned"
    }
}

/// How long to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverheadConfig {
    /// Calls before measuring (not timed).
    pub warmup_calls: usize,
    /// Calls per timed run.
    pub calls_per_run: usize,
    /// Timed runs; the result is the distribution of their per-call means.
    pub runs: usize,
    /// Few-shot demos on the predictor (0: zero-shot).
    pub demos: usize,
}

impl Default for OverheadConfig {
    fn default() -> Self {
        OverheadConfig { warmup_calls: 20_000, calls_per_run: 20_000, runs: 15, demos: 0 }
    }
}

impl OverheadConfig {
    /// One tiny run, for tests.
    pub fn smoke() -> Self {
        OverheadConfig { warmup_calls: 1, calls_per_run: 2, runs: 1, demos: 2 }
    }
}

/// Microseconds per `Predict::forward` call, one value per timed run.
///
/// The calls run one after another on a current-thread runtime, inside a settings scope
/// that holds the LM (as a program configured with `Settings` does).
///
/// # Panics
/// If a call fails (the canned reply always parses).
pub fn predict_overhead(config: &OverheadConfig) -> Stats {
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a tokio runtime");
    let lm: SharedLm = Arc::new(CannedLm::new(CANNED_REPLY));
    let demos = (0..config.demos)
        .map(|i| {
            let output = ContextQaOutput { answer: format!("answer {i}"), confidence: 0.5 };
            Predict::<ContextQa>::demo(&input(10_000 + i), &output).expect("a demo")
        })
        .collect();
    let program = Predict::<ContextQa>::new().with_demos(demos);
    let inputs: Vec<ContextQaInput> = (0..64).map(input).collect();
    let settings = Settings::default().with_lm(lm);
    let per_run = runtime.block_on(settings.scope(async {
        for i in 0..config.warmup_calls {
            std::hint::black_box(program.forward(inputs[i % inputs.len()].clone()).await.expect("a prediction"));
        }
        let mut per_run = Vec::with_capacity(config.runs);
        for _ in 0..config.runs {
            let started = Instant::now();
            for i in 0..config.calls_per_run {
                std::hint::black_box(program.forward(inputs[i % inputs.len()].clone()).await.expect("a prediction"));
            }
            per_run.push(started.elapsed().as_secs_f64() * 1e6 / config.calls_per_run.max(1) as f64);
        }
        per_run
    }));
    Stats::of(&per_run)
}
