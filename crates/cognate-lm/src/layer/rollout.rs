//! [`Rollout`]: asks for a fresh sample. DSPy copies the LM with a new `rollout_id` and
//! `temperature=1.0` when an optimizer wants a different answer to a question it has asked
//! before (a bootstrap round after the first); this layer does the same to any model: every
//! call gets a fresh [`rollout_id`](LmRequest::rollout_id) (so it misses a
//! [cache](super::cache) below it) and temperature 1.0, unless the request set its own.
//!
//! ```
//! use cognate_core::{LanguageModel, LanguageModelExt, LmRequest, Message};
//! use cognate_lm::layer::{cache::Cache, rollout::Rollout};
//! use cognate_testing::MockLm;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let mock = MockLm::new(["a", "b", "c"]);
//! let lm = mock.clone().layer(Cache::memory(100)).layer(Rollout);
//! lm.complete(LmRequest::new(vec![Message::user("q")])).await.unwrap();
//! let mut own = LmRequest::new(vec![Message::user("q")]);
//! own.temperature = Some(0.3);
//! lm.complete(own).await.unwrap();
//! let sent: Vec<_> = mock.requests().iter().map(|r| r.temperature).collect();
//! assert_eq!(sent, [Some(1.0), Some(0.3)]); // a call's own temperature wins
//!
//! // The same request again is a fresh sample: a new rollout id misses the cache.
//! let again = lm.complete(LmRequest::new(vec![Message::user("q")])).await.unwrap();
//! assert_eq!((again.choices[0].text.as_str(), again.cache_hit), ("c", false));
//! let ids: Vec<_> = mock.requests().iter().map(|r| r.rollout_id).collect();
//! assert!(ids.iter().all(Option::is_some) && ids[0] != ids[2]);
//! # }
//! ```

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

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
/// configured temperature wins, as in DSPy, where call options override the LM's), and a
/// fresh `rollout_id` unless the call set one (see [`fresh_rollout_id`]).
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
        request.rollout_id.get_or_insert_with(fresh_rollout_id);
        self.inner.complete(request).await
    }

    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn supports_json_schema(&self) -> bool {
        self.inner.supports_json_schema()
    }
}

/// A rollout id no other call of this process has had, and (with overwhelming probability)
/// no other process either: a per-process random start (from the OS-seeded keys of std's
/// `RandomState`), plus a counter, through SplitMix64's bijective finalizer. So a fresh
/// rollout misses even a disk cache written by earlier runs.
pub fn fresh_rollout_id() -> u64 {
    static START: OnceLock<u64> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let start = *START.get_or_init(|| RandomState::new().hash_one(std::process::id()));
    mix(start.wrapping_add(NEXT.fetch_add(1, Relaxed)))
}

/// SplitMix64's finalizer: a bijection on `u64`, so distinct inputs give distinct ids.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use cognate_core::Message;
    use cognate_testing::MockLm;

    use super::*;

    #[tokio::test]
    async fn every_call_gets_a_fresh_rollout_id_unless_it_has_one() {
        let mock = MockLm::from_fn(|_| Ok("x".into()));
        let lm = RolloutLm::new(mock.clone());
        for _ in 0..100 {
            lm.complete(LmRequest::new(vec![Message::user("q")])).await.unwrap();
        }
        let mut own = LmRequest::new(vec![Message::user("q")]);
        own.rollout_id = Some(7);
        lm.complete(own).await.unwrap();
        let ids: Vec<u64> = mock.requests().iter().map(|r| r.rollout_id.unwrap()).collect();
        assert_eq!(ids.iter().take(100).collect::<HashSet<_>>().len(), 100, "ids repeat: {ids:?}");
        assert_eq!(ids[100], 7, "a call's own rollout id wins");
    }

    #[test]
    fn the_mix_is_a_bijection_on_a_sample() {
        let ids: HashSet<u64> = (0..10_000u64).map(mix).collect();
        assert_eq!(ids.len(), 10_000);
        assert_ne!(mix(0), mix(1));
    }
}
