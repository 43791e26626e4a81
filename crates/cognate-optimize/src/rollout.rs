//! [`RolloutLm`]: the LM a bootstrap round after the first uses (DSPy copies the LM with a
//! fresh `rollout_id` and `temperature=1.0`, so the call misses caches and samples anew).

use cognate_core::{LanguageModel, LmError, LmRequest, LmResponse, SharedLm};

/// Forwards to another LM with `temperature` 1.0 unless the call set its own (a predictor's
/// configured temperature wins, as in DSPy, where call options override the LM's).
#[derive(Clone)]
pub(crate) struct RolloutLm {
    inner: SharedLm,
}

impl RolloutLm {
    pub(crate) fn new(inner: SharedLm) -> Self {
        RolloutLm { inner }
    }
}

impl LanguageModel for RolloutLm {
    async fn complete(&self, mut request: LmRequest) -> Result<LmResponse, LmError> {
        request.temperature.get_or_insert(1.0);
        self.inner.complete_boxed(request).await
    }

    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn supports_json_schema(&self) -> bool {
        self.inner.supports_json_schema()
    }
}
