//! [`Embedder`] for `cognate_lm::OpenAiEmbeddings` (feature `openai`).

use cognate_core::Result;
use cognate_lm::OpenAiEmbeddings;

use super::Embedder;

/// Calls the endpoint; errors are [`cognate_core::Error::Lm`].
impl Embedder for OpenAiEmbeddings {
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        Ok(OpenAiEmbeddings::embed(self, texts).await?)
    }
}
