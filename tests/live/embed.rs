//! The embedding model (all-MiniLM-L6-v2): `OpenAiEmbeddings` and `Knn` on real vectors.

use cognate_core::{Example, Values};
use cognate_lm::OpenAiEmbeddings;
use cognate_optimize::knn::Knn;

fn texts(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    dot / (a.iter().map(|x| x * x).sum::<f32>().sqrt() * b.iter().map(|x| x * x).sum::<f32>().sqrt())
}

pub(crate) async fn minilm_ranks_related_sentences_closer(embedder: OpenAiEmbeddings) {
    let out = embedder
        .embed(&texts(&["The cat sat on the mat.", "A cat was sitting on a rug.", "Stock markets fell sharply today."]))
        .await
        .expect("live embeddings");
    let (related, unrelated) = (cosine(&out[0], &out[1]), cosine(&out[0], &out[2]));
    println!("live MiniLM: dimension {}, cos(related) {related:.3}, cos(unrelated) {unrelated:.3}", out[0].len());
    assert_eq!(out.len(), 3);
    assert_eq!(out[0].len(), 384);
    assert!(related > unrelated + 0.3, "{related} vs {unrelated}");
}

fn qa(question: &str, answer: &str) -> Example {
    Example::default().with("question", question).with("answer", answer).with_inputs(["question"])
}

pub(crate) async fn knn_finds_the_semantic_neighbour(embedder: OpenAiEmbeddings) {
    let trainset = vec![qa("How many legs does a spider have?", "8"), qa("Which city is France's capital?", "Paris")];
    let knn = Knn::new(1, trainset, embedder).await.expect("the training set embeds");
    // No shared words with the right neighbour: only a semantic model finds it.
    let mut query = Values::new();
    query.insert("question".into(), "Where is the seat of the French government?".into());
    let nearest = knn.nearest(&query).await.expect("the query embeds");
    assert_eq!(nearest.len(), 1);
    assert_eq!(nearest[0].get("answer").unwrap(), "Paris");
}
