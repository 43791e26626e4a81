//! The embedding boundary: [`Embedder`] turns texts into vectors (for `KNNFewShot` and other
//! retrieval), with its dyn-compatible twin [`DynEmbedder`]; the counterpart of
//! [`LanguageModel`](crate::LanguageModel) for embedding models.
//!
//! Implementations live where their dependencies do: `cognate_lm::OpenAiEmbeddings` (any
//! OpenAI-compatible `/embeddings` endpoint) and `cognate_optimize::embed::HashingEmbedder`
//! (offline, hashed n-grams). [`SharedEmbedder`] holds any of them behind an `Arc`.
//!
//! ```
//! use cognate_core::embed::{Embedder, cosine};
//!
//! /// Two dimensions: how many `a`s and how many `b`s.
//! struct Letters;
//!
//! impl Embedder for Letters {
//!     async fn embed(&self, texts: &[String]) -> cognate_core::Result<Vec<Vec<f32>>> {
//!         let count = |t: &String, c| t.matches(c).count() as f32;
//!         Ok(texts.iter().map(|t| vec![count(t, 'a'), count(t, 'b')]).collect())
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> cognate_core::Result<()> {
//! let v = Letters.embed(&["aab".into(), "aaaabb".into(), "bbb".into()]).await?;
//! assert!(cosine(&v[0], &v[1]) > cosine(&v[0], &v[2]));
//! # Ok(()) }
//! ```

use std::future::Future;
use std::sync::Arc;

use futures::future::BoxFuture;

use crate::error::Result;

/// Embeds texts as vectors (one per text, in order, all of the same dimension).
///
/// Like [`LanguageModel`](crate::LanguageModel), the trait is `Send + Sync` and its future
/// is `Send`, so an embedder can be shared across tasks; it is not dyn-compatible (the
/// future is an `impl Future`), so use [`DynEmbedder`] (implemented for every embedder) to
/// hold one as `Arc<dyn DynEmbedder>` ([`SharedEmbedder`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an embedder",
    note = "use `cognate::optimize::embed::HashingEmbedder` (offline), `cognate::lm::OpenAiEmbeddings`, or implement `cognate::Embedder`"
)]
pub trait Embedder: Send + Sync {
    /// The vectors of `texts`.
    ///
    /// # Errors
    /// When the embedding model fails ([`Error::Lm`](crate::Error::Lm) for remote ones).
    ///
    /// # Cancel safety
    /// Dropping the future abandons the request.
    fn embed<'a>(&'a self, texts: &'a [String]) -> impl Future<Output = Result<Vec<Vec<f32>>>> + Send + 'a;
}

/// The dyn-compatible twin of [`Embedder`], implemented for every embedder.
pub trait DynEmbedder: Send + Sync {
    /// As [`Embedder::embed`], boxed.
    fn embed_boxed<'a>(&'a self, texts: &'a [String]) -> BoxFuture<'a, Result<Vec<Vec<f32>>>>;
}

impl<E: Embedder> DynEmbedder for E {
    fn embed_boxed<'a>(&'a self, texts: &'a [String]) -> BoxFuture<'a, Result<Vec<Vec<f32>>>> {
        Box::pin(self.embed(texts))
    }
}

/// Any embedder, shared.
pub type SharedEmbedder = Arc<dyn DynEmbedder>;

impl Embedder for dyn DynEmbedder {
    fn embed<'a>(&'a self, texts: &'a [String]) -> impl Future<Output = Result<Vec<Vec<f32>>>> + Send + 'a {
        self.embed_boxed(texts)
    }
}

impl<E: Embedder + ?Sized> Embedder for Arc<E> {
    fn embed<'a>(&'a self, texts: &'a [String]) -> impl Future<Output = Result<Vec<Vec<f32>>>> + Send + 'a {
        (**self).embed(texts)
    }
}

const _: () = {
    // Compile-time checks: the twin stays dyn-compatible, and `SharedEmbedder` stays usable
    // as an `Embedder`.
    fn _assert_object_safe(_: &dyn DynEmbedder) {}
    fn _assert_shared_is_embedder() {
        fn is_embedder<E: Embedder>() {}
        is_embedder::<SharedEmbedder>();
    }
};

/// The cosine similarity of two vectors (0 when either is zero).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let n = norm(a) * norm(b);
    if n == 0.0 { 0.0 } else { dot / n }
}

/// Scales `v` to unit length in place (a zero vector stays zero).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Lengths;
    impl Embedder for Lengths {
        async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
            Ok(texts.iter().map(|t| vec![t.len() as f32, 1.0]).collect())
        }
    }

    fn assert_send<T: Send>(_: T) {}

    #[tokio::test]
    async fn shared_embedders_forward_and_are_send() {
        let texts = ["ab".to_string(), String::new()];
        let shared: SharedEmbedder = Arc::new(Lengths);
        assert_eq!(shared.embed(&texts).await.unwrap(), [vec![2.0, 1.0], vec![0.0, 1.0]]);
        assert_send(shared.embed(&texts));
        assert_send(Lengths.embed(&texts));
    }

    #[test]
    fn cosine_and_normalize() {
        assert_eq!(cosine(&[1.0, 0.0], &[0.0, 1.0]), 0.0);
        assert!((cosine(&[1.0, 1.0], &[2.0, 2.0]) - 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 1.0]), 0.0);
        let mut v = [3.0, 4.0];
        normalize(&mut v);
        assert_eq!(v, [0.6, 0.8]);
        let mut zero = [0.0, 0.0];
        normalize(&mut zero);
        assert_eq!(zero, [0.0, 0.0]);
    }
}
