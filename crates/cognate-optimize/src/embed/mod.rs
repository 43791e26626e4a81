//! Embedders for [`KNNFewShot`](crate::knn::KNNFewShot) and other retrieval.
//!
//! The [`Embedder`] trait lives in `cognate-core` beside `LanguageModel` and is re-exported
//! here with its helpers. Embedders:
//!
//! - [`HashingEmbedder`]: offline, deterministic, no model download (hashed word and
//!   character n-gram counts); lexical similarity only.
//! - `cognate_lm::OpenAiEmbeddings`: any OpenAI-compatible `/embeddings` endpoint, e.g. the
//!   MiniLM server of `scripts/local-lm.sh` (`cognate::lm::OpenAiEmbeddings` with the
//!   facade's `lm` feature).
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

pub use cognate_core::embed::{DynEmbedder, Embedder, SharedEmbedder, cosine, normalize};
pub use hashing::HashingEmbedder;
