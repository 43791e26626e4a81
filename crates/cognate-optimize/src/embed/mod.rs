//! [`Embedder`]: turns texts into vectors, for [`KNNFewShot`](crate::knn::KNNFewShot) and
//! other retrieval.
//!
//! - [`HashingEmbedder`]: offline, deterministic, no model download (hashed word and
//!   character n-gram counts); lexical similarity only.
//! - `cognate_lm::OpenAiEmbeddings` (feature `openai`, on by default): any OpenAI-compatible
//!   `/embeddings` endpoint, e.g. the MiniLM server of `scripts/local-lm.sh`.
//! - Your own: implement [`Embedder`]; [`SharedEmbedder`] holds any of them behind an `Arc`.
//!
//! ```
//! use cognate_optimize::embed::{Embedder, HashingEmbedder, cosine};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> cognate_core::Result<()> {
//! let texts = ["the cat sat on the mat", "a cat sat on a mat", "stock prices fell"].map(String::from);
//! let v = HashingEmbedder::default().embed(&texts).await?;
//! assert!(cosine(&v[0], &v[1]) > cosine(&v[0], &v[2]));
//! # Ok(()) }
//! ```

mod hashing;
#[cfg(feature = "openai")]
mod openai;

use futures::future::BoxFuture;
use std::future::Future;
use std::sync::Arc;

use cognate_core::Result;

pub use hashing::HashingEmbedder;

/// Embeds texts as vectors (one per text, in order, all of the same dimension).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an embedder",
    note = "use `HashingEmbedder` (offline), `cognate_lm::OpenAiEmbeddings`, or implement `cognate_optimize::embed::Embedder`"
)]
pub trait Embedder: Send + Sync {
    /// The vectors of `texts`.
    ///
    /// # Errors
    /// When the embedding model fails ([`cognate_core::Error::Lm`] for remote ones).
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

// `SharedEmbedder` must stay usable as an `Embedder`.
const _: fn() = || {
    fn is_embedder<E: Embedder>() {}
    is_embedder::<SharedEmbedder>();
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
