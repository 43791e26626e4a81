//! Settings: the process-wide default LM and adapter, and task-local scoped overrides.
//!
//! ```
//! use std::sync::Arc;
//! use cognate_runtime::Settings;
//! # use cognate_core::{LanguageModel, LmError, LmRequest, LmResponse, SharedLm};
//! # struct Lm;
//! # impl LanguageModel for Lm {
//! #     async fn complete(&self, _: LmRequest) -> Result<LmResponse, LmError> { Err(LmError::Other("x".into())) }
//! #     fn model_name(&self) -> &str { "lm" }
//! # }
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! // Inside `scope`, this task (and what it spawns through `settings::spawn`) sees `Lm`.
//! let lm: SharedLm = Arc::new(Lm);
//! Settings::current().with_lm(lm).scope(async {
//!     assert_eq!(Settings::current().lm.unwrap().model_name(), "lm");
//! }).await;
//! # }
//! ```

use std::future::Future;
use std::sync::{Arc, RwLock};

use cognate_adapters::Adapter;
use cognate_core::SharedLm;

use crate::trace::{CallStats, TraceSink};

/// What modules use when they are not given an LM or adapter of their own.
#[derive(Clone, Default)]
pub struct Settings {
    /// The default language model.
    pub lm: Option<SharedLm>,
    /// The default adapter; `None` means [`cognate_adapters::ChatAdapter`] (with JSON fallback).
    pub adapter: Option<Arc<dyn Adapter>>,
    /// Where predictor calls are recorded, when tracing is on (see [`crate::trace::traced`]).
    pub trace: Option<TraceSink>,
    /// Counters of what happens in predictor calls (adapter fallbacks), when set.
    pub stats: Option<CallStats>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("lm", &self.lm.as_ref().map(|lm| lm.model_name().to_string()))
            .field("adapter", &self.adapter.as_ref().map(|a| a.name()))
            .field("trace", &self.trace.is_some())
            .field("stats", &self.stats)
            .finish()
    }
}

static GLOBAL: RwLock<Option<Settings>> = RwLock::new(None);

tokio::task_local! {
    static SCOPED: Settings;
}

impl Settings {
    /// The settings in force here: the innermost [`Settings::scope`] of this task, or the
    /// process default set with [`configure`].
    pub fn current() -> Settings {
        SCOPED.try_with(Clone::clone).unwrap_or_else(|_| global())
    }

    /// Sets the language model.
    #[must_use]
    pub fn with_lm(mut self, lm: SharedLm) -> Self {
        self.lm = Some(lm);
        self
    }

    /// Sets the adapter.
    #[must_use]
    pub fn with_adapter(mut self, adapter: Arc<dyn Adapter>) -> Self {
        self.adapter = Some(adapter);
        self
    }

    /// Counts what happens in predictor calls in [`stats`](Self::stats).
    #[must_use]
    pub fn with_stats(mut self, stats: CallStats) -> Self {
        self.stats = Some(stats);
        self
    }

    /// Runs `fut` with these settings as the current ones. Scopes nest, and concurrent
    /// scopes in different tasks (or different futures joined in one task) never see each
    /// other's settings.
    ///
    /// # Cancel safety
    /// Dropping the returned future drops `fut`; nothing is left behind.
    pub fn scope<F: Future>(self, fut: F) -> impl Future<Output = F::Output> {
        SCOPED.scope(self, fut)
    }
}

fn global() -> Settings {
    GLOBAL.read().unwrap_or_else(|e| e.into_inner()).clone().unwrap_or_default()
}

/// Sets the process-wide default settings (DSPy's `dspy.configure`).
pub fn configure(settings: Settings) {
    *GLOBAL.write().unwrap_or_else(|e| e.into_inner()) = Some(settings);
}

/// Wraps `fut` so that it runs with the settings current *now*, wherever it is polled.
/// Use it for futures handed to other tasks.
pub fn propagate<F: Future>(fut: F) -> impl Future<Output = F::Output> {
    Settings::current().scope(fut)
}

/// Spawns `fut` on the tokio runtime carrying the current settings into the new task.
///
/// # Panics
/// Outside a tokio runtime, as [`tokio::spawn`] does.
pub fn spawn<F>(fut: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(propagate(fut))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognate_core::{LanguageModel, LmError, LmRequest, LmResponse};

    struct Named(&'static str);
    impl LanguageModel for Named {
        async fn complete(&self, _: LmRequest) -> Result<LmResponse, LmError> {
            Err(LmError::Other("not called".into()))
        }
        fn model_name(&self) -> &str {
            self.0
        }
    }

    fn current_lm() -> Option<String> {
        Settings::current().lm.map(|lm| lm.model_name().to_string())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_scopes_do_not_leak() {
        let mut handles = Vec::new();
        for i in 0..16 {
            let name: &'static str = Box::leak(format!("lm-{i}").into_boxed_str());
            handles.push(tokio::spawn(Settings::default().with_lm(Arc::new(Named(name))).scope(async move {
                for _ in 0..50 {
                    assert_eq!(current_lm().as_deref(), Some(name));
                    tokio::task::yield_now().await;
                }
                // Nested scope overrides, then restores.
                Settings::current()
                    .with_lm(Arc::new(Named("inner")))
                    .scope(async { assert_eq!(current_lm().as_deref(), Some("inner")) })
                    .await;
                assert_eq!(current_lm().as_deref(), Some(name));
            })));
        }
        for h in handles {
            h.await.unwrap();
        }
    }

    #[tokio::test]
    async fn joined_futures_in_one_task_keep_their_own_scope() {
        let a = Settings::default().with_lm(Arc::new(Named("a"))).scope(async {
            tokio::task::yield_now().await;
            current_lm()
        });
        let b = Settings::default().with_lm(Arc::new(Named("b"))).scope(async {
            tokio::task::yield_now().await;
            current_lm()
        });
        let (a, b) = tokio::join!(a, b);
        assert_eq!((a.as_deref(), b.as_deref()), (Some("a"), Some("b")));
    }

    #[tokio::test]
    async fn spawn_carries_the_scope_and_plain_spawn_does_not() {
        Settings::default()
            .with_lm(Arc::new(Named("scoped")))
            .scope(async {
                let carried = spawn(async { current_lm() }).await.unwrap();
                assert_eq!(carried.as_deref(), Some("scoped"));
                let plain = tokio::spawn(async { current_lm() }).await.unwrap();
                assert_ne!(plain.as_deref(), Some("scoped"));
            })
            .await;
    }

    #[test]
    fn configure_sets_the_process_default() {
        configure(Settings::default().with_lm(Arc::new(Named("global"))));
        assert_eq!(current_lm().as_deref(), Some("global"));
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let inner = rt.block_on(Settings::default().with_lm(Arc::new(Named("local"))).scope(async { current_lm() }));
        assert_eq!(inner.as_deref(), Some("local"));
    }

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn scoped_futures_are_send() {
        let fut = Settings::default().scope(async {});
        assert_send(&fut);
        assert_send(&propagate(async {}));
    }
}
