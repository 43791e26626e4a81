//! Traces: every predictor call inside [`traced`] is recorded (predictor, inputs, outputs).
//! Bootstrapping few-shot demos is built on this. [`CallStats`] counts what happened in the
//! calls instead (adapter fallbacks), for evaluation summaries.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// Counters of what happened in the predictor calls made while it is the current
/// [`Settings::stats`] (in this scope and the tasks it spawns through
/// [`settings::spawn`](crate::settings::spawn)). Clones share the counters.
///
/// `Evaluate` installs one per example to count the adapter fallbacks of its summary.
///
/// ```
/// use std::sync::Arc;
/// use cognate_core::SignatureDesc;
/// use cognate_runtime::{CallStats, Predictor, Settings};
/// # use cognate_core::{Choice, LanguageModel, LmError, LmRequest, LmResponse, Usage};
/// # struct Lm;
/// # impl LanguageModel for Lm {
/// #     async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
/// #         let text = if request.response_format.is_some() { r#"{"answer": "4"}"# } else { "The answer is 4." };
/// #         Ok(LmResponse { choices: vec![Choice { text: text.into(), finish_reason: None }], usage: Usage::default(), model: "lm".into(), cache_hit: false })
/// #     }
/// #     fn model_name(&self) -> &str { "lm" }
/// # }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// // `Lm` answers ChatAdapter's prompt in prose, which does not parse, and JSONAdapter's
/// // retry (which asks for a JSON object) in JSON.
/// let lm = Lm;
/// let stats = CallStats::default();
/// let settings = Settings::default().with_lm(Arc::new(lm)).with_stats(stats.clone());
/// let predictor = Predictor::new(SignatureDesc::parse("question -> answer").unwrap());
/// let inputs = [("question".to_string(), "2 + 2?".into())].into_iter().collect();
/// let prediction = settings.scope(predictor.call(inputs, None)).await.unwrap();
/// assert_eq!(prediction.data["answer"], "4");
/// assert_eq!(stats.adapter_fallbacks(), 1);
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct CallStats(Arc<Counters>);

#[derive(Debug, Default)]
struct Counters {
    adapter_fallbacks: AtomicU64,
}

impl CallStats {
    /// Calls retried with the adapter's fallback because the reply did not parse
    /// (ChatAdapter → JSONAdapter, as DSPy does), whether or not the retry parsed.
    pub fn adapter_fallbacks(&self) -> u64 {
        self.0.adapter_fallbacks.load(Ordering::Relaxed)
    }

    pub(crate) fn record_adapter_fallback(&self) {
        self.0.adapter_fallbacks.fetch_add(1, Ordering::Relaxed);
    }
}
