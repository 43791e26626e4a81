//! Traces: every predictor call inside [`traced`] is recorded (predictor, inputs, outputs).
//! Bootstrapping few-shot demos is built on this.

use std::future::Future;
use std::sync::{Arc, Mutex};

use cognate_core::Values;

use crate::settings::Settings;

/// One recorded predictor call.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceEntry {
    /// The predictor's name (its path in a program, or its signature's name).
    pub predictor: String,
    /// The inputs it was called with.
    pub inputs: Values,
    /// The outputs it produced.
    pub outputs: Values,
}

/// A shared, append-only list of [`TraceEntry`]s.
#[derive(Debug, Clone, Default)]
pub struct TraceSink(Arc<Mutex<Vec<TraceEntry>>>);

impl TraceSink {
    /// Appends an entry.
    pub fn record(&self, entry: TraceEntry) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(entry);
    }

    /// A copy of the entries so far.
    pub fn entries(&self) -> Vec<TraceEntry> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Runs `fut` with tracing on and returns its output with the calls it made, in the order
/// they completed.
pub async fn traced<F: Future>(fut: F) -> (F::Output, Vec<TraceEntry>) {
    let sink = TraceSink::default();
    let settings = Settings { trace: Some(sink.clone()), ..Settings::current() };
    let out = settings.scope(fut).await;
    (out, sink.entries())
}
