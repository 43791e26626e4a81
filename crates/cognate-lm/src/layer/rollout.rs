//! [`Rollout`]: asks for a fresh sample. DSPy copies the LM with a new `rollout_id` and
//! `temperature=1.0` when an optimizer wants a different answer to a question it has asked
//! before (a bootstrap round after the first); this layer does the same to any model.
//!
//! ```
//! use cognate_core::{LanguageModel, LanguageModelExt, LmRequest, Message};
//! use cognate_lm::layer::rollout::Rollout;
//! use cognate_testing::MockLm;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let mock = MockLm::new(["a", "b"]);
//! let lm = mock.clone().layer(Rollout);
//! lm.complete(LmRequest::new(vec![Message::user("q")])).await.unwrap();
//! let mut own = LmRequest::new(vec![Message::user("q")]);
//! own.temperature = Some(0.3);
//! lm.complete(own).await.unwrap();
//! let sent: Vec<_> = mock.requests().iter().map(|r| r.temperature).collect();
//! assert_eq!(sent, [Some(1.0), Some(0.3)]); // a call's own temperature wins
//! # }
//! ```

use cognate_core::{LanguageModel, Layer, LmError, LmRequest, LmResponse, SharedLm};

/// The layer: wraps a model in a [`RolloutLm`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rollout;

impl<L: LanguageModel> Layer<L> for Rollout {
    type Lm = RolloutLm<L>;

    fn layer(&self, inner: L) -> RolloutLm<L> {
        RolloutLm::new(inner)
    }
}

/// Forwards to another LM with `temperature` 1.0 unless the call set its own (a predictor's
/// configured temperature wins, as in DSPy, where call options override the LM's).
#[derive(Debug, Clone)]
pub struct RolloutLm<L = SharedLm> {
    inner: L,
}

impl<L> RolloutLm<L> {
    /// Wraps `inner`.
    pub fn new(inner: L) -> Self {
        RolloutLm { inner }
    }
}

impl<L: LanguageModel> LanguageModel for RolloutLm<L> {
    async fn complete(&self, mut request: LmRequest) -> Result<LmResponse, LmError> {
        request.temperature.get_or_insert(1.0);
        self.inner.complete(request).await
    }

    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn supports_json_schema(&self) -> bool {
        self.inner.supports_json_schema()
    }
}
