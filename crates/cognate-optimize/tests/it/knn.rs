//! Knn and KNNFewShot (DSPy's `dspy.KNN` and `dspy.KNNFewShot`): retrieval order, the text
//! embedded, per-call bootstrapping from the nearest examples, with the offline embedder. (With
//! the real MiniLM embedder: the live lane, `tests/live/embed.rs` in the `cognate-tests` package.)

use std::sync::{Arc, Mutex};

use cognate::core::{Example, Prediction, Values};
use cognate::prelude::*;
use cognate_optimize::BootstrapFewShot;
use cognate_optimize::embed::{Embedder, HashingEmbedder, SharedEmbedder};
use cognate_optimize::knn::{KNNFewShot, Knn};
use cognate_testing::MockLm;

/// Answer the question.
#[signature]
struct QA {
    #[input]
    question: String,
    #[output]
    answer: String,
}

#[program]
#[derive(Clone, Debug)]
struct Simple {
    predict: Predict<QA>,
}

impl Simple {
    fn new() -> Self {
        Simple { predict: Predict::new() }
    }
}

impl Module for Simple {
    type Input = QAInput;
    type Output = QAOutput;

    async fn forward(&self, input: QAInput) -> cognate::Result<QAOutput> {
        self.predict.forward(input).await
    }
}

/// An embedder with fixed vectors per text (unknown texts → zero), recording what it saw.
#[derive(Default)]
struct Table {
    vectors: Vec<(String, Vec<f32>)>,
    seen: Mutex<Vec<String>>,
}

impl Embedder for Table {
    fn embed<'a>(
        &'a self,
        texts: &'a [String],
    ) -> impl std::future::Future<Output = cognate::core::Result<Vec<Vec<f32>>>> + Send + 'a {
        self.seen.lock().unwrap().extend(texts.iter().cloned());
        let out = texts
            .iter()
            .map(|t| self.vectors.iter().find(|(k, _)| k == t).map_or(vec![0.0, 0.0], |(_, v)| v.clone()))
            .collect();
        std::future::ready(Ok(out))
    }
}

fn qa(question: &str, answer: &str) -> Example {
    Example::default().with("question", question).with("answer", answer).with_inputs(["question"])
}

fn fields(question: &str) -> Values {
    let mut v = Values::new();
    v.insert("question".into(), question.into());
    v
}

#[tokio::test]
async fn knn_embeds_input_fields_and_orders_by_similarity_like_dspy() {
    let trainset = vec![
        Example::default()
            .with("question", "a")
            .with("context", "x")
            .with("answer", "1")
            .with_inputs(["question", "context"]),
        qa("b", "2"),
        qa("c", "3"),
        qa("d", "4"),
    ];
    let table = Arc::new(Table {
        vectors: vec![
            ("question: a | context: x".into(), vec![1.0, 0.0]),
            ("question: b".into(), vec![0.0, 1.0]),
            // Not normalized: cosine, not the raw dot product, decides.
            ("question: c".into(), vec![10.0, 10.0]),
            ("question: d".into(), vec![0.0, 3.0]),
            ("question: q".into(), vec![0.2, 1.0]),
        ],
        seen: Mutex::default(),
    });
    let knn = Knn::new(3, trainset, table.clone()).await.unwrap();
    // Only input fields are embedded, `key: value` joined with ` | `; answers never are.
    assert_eq!(
        *table.seen.lock().unwrap(),
        vec!["question: a | context: x", "question: b", "question: c", "question: d"]
    );
    let nearest = knn.nearest(&fields("q")).await.unwrap();
    let order: Vec<&str> = nearest.iter().map(|e| e.get("question").unwrap().as_str().unwrap()).collect();
    // b and d tie (same direction): the later example first, as DSPy's argsort()[-k:][::-1].
    assert_eq!(order, vec!["d", "b", "c"]);
    assert_eq!(table.seen.lock().unwrap().last().unwrap(), "question: q");
    // k larger than the training set returns everything.
    let all = Knn::new(10, vec![qa("a", "1"), qa("b", "2")], HashingEmbedder::default()).await.unwrap();
    assert_eq!(all.nearest(&fields("b")).await.unwrap().len(), 2);
}

fn trainset() -> Vec<Example> {
    vec![
        qa("What is 2 + 2?", "4"),
        qa("What is the capital of France?", "Paris"),
        qa("What is 3 + 5?", "8"),
        qa("What is the capital of Peru?", "Lima"),
        qa("What is 7 + 1?", "8"),
        qa("What is the capital of Japan?", "Tokyo"),
    ]
}

/// Answers every training question correctly (and Spain's capital), by lookup.
fn lookup_lm() -> Arc<MockLm> {
    Arc::new(MockLm::from_fn(|request| {
        let last = &request.messages.last().unwrap().content;
        let answer = trainset()
            .iter()
            .find(|e| last.contains(e.get("question").unwrap().as_str().unwrap()))
            .map_or("Madrid".to_string(), |e| e.get("answer").unwrap().as_str().unwrap().to_string());
        Ok(format!("[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]"))
    }))
}

fn exact(e: &Example, p: &Prediction) -> bool {
    e.get("answer") == p.get("answer")
}

#[tokio::test]
async fn knn_few_shot_bootstraps_demos_from_the_nearest_examples_at_each_call() {
    let bootstrap = BootstrapFewShot::new(exact).with_max_bootstrapped_demos(2).with_max_labeled_demos(0);
    let program =
        KNNFewShot::new(3, trainset(), HashingEmbedder::default(), bootstrap).compile(&Simple::new()).await.unwrap();
    // Between calls the program shows the reset student (no demos).
    assert!(program.named_predictors().iter().all(|(_, p)| p.demos.is_empty()));

    let lm = lookup_lm();
    let output = Settings::default()
        .with_lm(lm.clone())
        .scope(program.forward(QAInput { question: "What is the capital of Spain?".into() }))
        .await
        .unwrap();
    assert_eq!(output.answer, "Madrid");
    let requests = lm.requests();
    // Two bootstrap runs (max_bootstrapped_demos = 2, of the 3 neighbours), then the answer.
    assert_eq!(requests.len(), 3);
    let asked = |i: usize| requests[i].messages.last().unwrap().content.clone();
    assert!(asked(0).contains("capital of"), "{}", asked(0));
    assert!(asked(1).contains("capital of"), "{}", asked(1));
    let prompt: String = requests[2].messages.iter().map(|m| m.content.as_str()).collect();
    assert!(prompt.contains("What is the capital of Spain?"));
    let capitals = ["France", "Peru", "Japan"].iter().filter(|c| prompt.contains(&format!("capital of {c}"))).count();
    assert_eq!(capitals, 2, "{prompt}");
    assert!(!prompt.contains(" + "), "no arithmetic demos: {prompt}");

    // An arithmetic question gets arithmetic demos.
    let before = lm.call_count();
    let output = Settings::default()
        .with_lm(lm.clone())
        .scope(program.forward(QAInput { question: "What is 3 + 5?".into() }))
        .await
        .unwrap();
    assert_eq!(output.answer, "8");
    let last: String = lm.requests()[lm.call_count() - 1].messages.iter().map(|m| m.content.as_str()).collect();
    assert!(last.contains("What is 2 + 2?") || last.contains("What is 7 + 1?"), "{last}");
    assert!(!last.contains("capital"), "{last}");
    assert_eq!(lm.call_count() - before, 3);
}

#[tokio::test]
async fn labeled_only_knn_attaches_the_neighbours_without_bootstrap_calls() {
    let bootstrap = BootstrapFewShot::new(exact).with_max_bootstrapped_demos(0).with_max_labeled_demos(2);
    let embedder: SharedEmbedder = Arc::new(HashingEmbedder::new(512));
    let program = KNNFewShot::new(2, trainset(), embedder, bootstrap).compile(&Simple::new()).await.unwrap();
    let lm = lookup_lm();
    let compiled = program.compile_for(&fields("What is the capital of Peru, again?")).await.unwrap();
    let demos: Vec<String> =
        compiled.predict.predictor().demos.iter().map(|d| d.get("question").unwrap().to_string()).collect();
    assert_eq!(demos.len(), 2);
    assert!(demos.iter().all(|q| q.contains("capital")), "{demos:?}");
    Settings::default()
        .with_lm(lm.clone())
        .scope(program.forward(QAInput { question: "What is the capital of Peru, again?".into() }))
        .await
        .unwrap();
    assert_eq!(lm.call_count(), 1, "labeled demos need no LM call");
}
