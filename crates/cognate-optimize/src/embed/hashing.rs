//! [`HashingEmbedder`]: an offline embedder from hashed word and character n-gram counts.

use std::future::Future;
use std::hash::Hasher;

use cognate_core::Result;
use cognate_core::hash::Fnv1a;

use cognate_core::embed::{Embedder, normalize};

/// Common English words, left out entirely (they would make every question look alike).
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "in", "is", "it", "its", "of", "on", "or",
    "that", "the", "to", "was", "were", "with",
];

/// An embedder that needs no model: each text becomes a signed feature-hashing vector of
///
/// - its words (lowercased runs of letters and digits, stop words removed), weight 1;
/// - adjacent word pairs, weight 0.5;
/// - character 3- to 5-grams of each word padded with spaces (`" cat "` → `" ca"`, `"cat"`,
///   `"at "`, ...), weight 0.3 each,
///
/// with sublinear counts (`1 + ln tf`), then L2-normalized, so a dot product is a cosine.
/// Deterministic across runs and platforms (FNV-1a hashing).
///
/// # Quality
///
/// It measures *lexical* overlap: shared words, word pairs and word pieces (so `optimize`
/// and `optimizer` are close). It knows no synonyms or meaning (`car` and `automobile` are
/// unrelated; `not good` is close to `good`), has no corpus statistics (no IDF: frequent
/// words weigh as much as rare ones, beyond the small stop-word list), and hash collisions
/// add a little noise (fewer with more dimensions). Good enough to pick demos that share
/// vocabulary with the question and for tests; for semantic neighbours use a real model
/// (`cognate_lm::OpenAiEmbeddings`, e.g. MiniLM).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingEmbedder {
    dimensions: usize,
}

impl Default for HashingEmbedder {
    /// 1024 dimensions.
    fn default() -> Self {
        HashingEmbedder { dimensions: 1024 }
    }
}

impl HashingEmbedder {
    /// An embedder producing vectors of `dimensions` components (at least 1).
    pub fn new(dimensions: usize) -> Self {
        HashingEmbedder { dimensions: dimensions.max(1) }
    }

    /// The vectors' dimension.
    pub fn dimensions(&self) -> usize {
        self.dimensions
    }

    /// The vector of one text.
    pub fn embed_one(&self, text: &str) -> Vec<f32> {
        let lower = text.to_lowercase();
        let words: Vec<&str> =
            lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty() && !STOP_WORDS.contains(w)).collect();
        let mut features: Vec<(u64, f32)> = Vec::new();
        for word in &words {
            features.push((fnv(&["w:", word]), 1.0));
            let padded: Vec<char> = format!(" {word} ").chars().collect();
            let grams: Vec<String> = (3..=5)
                .flat_map(|n| padded.windows(n).map(|w| w.iter().collect::<String>()).collect::<Vec<_>>())
                .collect();
            for gram in &grams {
                features.push((fnv(&["c:", gram]), 0.3));
            }
        }
        for pair in words.windows(2) {
            features.push((fnv(&["b:", pair[0], " ", pair[1]]), 0.5));
        }
        // Counts per (bucket, sign) feature, then sublinear scaling.
        features.sort_by_key(|(h, _)| *h);
        let mut vector = vec![0.0f32; self.dimensions];
        let mut i = 0;
        while i < features.len() {
            let (hash, weight) = features[i];
            let mut tf = 0.0;
            while i < features.len() && features[i].0 == hash {
                tf += 1.0;
                i += 1;
            }
            let sign = if hash >> 63 == 1 { -1.0 } else { 1.0 };
            let bucket = (hash % self.dimensions as u64) as usize;
            vector[bucket] += sign * weight * (1.0 + f32::ln(tf));
        }
        normalize(&mut vector);
        vector
    }
}

impl Embedder for HashingEmbedder {
    fn embed<'a>(&'a self, texts: &'a [String]) -> impl Future<Output = Result<Vec<Vec<f32>>>> + Send + 'a {
        std::future::ready(Ok(texts.iter().map(|t| self.embed_one(t)).collect()))
    }
}

/// 64-bit FNV-1a of the concatenated parts.
fn fnv(parts: &[&str]) -> u64 {
    let mut hasher = Fnv1a::default();
    for part in parts {
        hasher.write(part.as_bytes());
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognate_core::embed::cosine;

    #[test]
    fn vectors_are_unit_length_and_deterministic() {
        let e = HashingEmbedder::new(256);
        let v = e.embed_one("What is the capital of France?");
        assert_eq!(v.len(), 256);
        assert!((v.iter().map(|x| x * x).sum::<f32>() - 1.0).abs() < 1e-5);
        assert_eq!(v, e.embed_one("What is the capital of France?"));
        assert!(e.embed_one("  ... ").iter().all(|x| *x == 0.0));
        assert!(e.embed_one("the of and").iter().all(|x| *x == 0.0), "stop words only");
    }

    #[test]
    fn lexical_neighbours_are_closer() {
        let e = HashingEmbedder::default();
        let q = e.embed_one("What is the capital of France?");
        let near = e.embed_one("Which city is the capital of France");
        let far = e.embed_one("How many legs does a spider have?");
        assert!(cosine(&q, &near) > 0.5, "{}", cosine(&q, &near));
        assert!(cosine(&q, &far) < 0.2, "{}", cosine(&q, &far));
        // Word pieces link inflections.
        let a = e.embed_one("optimizer");
        let b = e.embed_one("optimizers");
        let c = e.embed_one("banana");
        assert!(cosine(&a, &b) > 0.5 && cosine(&a, &c) < 0.2, "{} {}", cosine(&a, &b), cosine(&a, &c));
        // Case and punctuation do not matter.
        assert!((cosine(&q, &e.embed_one("WHAT is the CAPITAL of france")) - 1.0).abs() < 1e-5);
    }
}
