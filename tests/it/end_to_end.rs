//! Typed modules over the real HTTP client against the loopback mock server, with each
//! adapter: the server reads the DSPy-style prompt and the typed outputs must parse.

use std::sync::Arc;

use cognate::adapters::{Adapter, ChatAdapter, JsonAdapter, XmlAdapter};
use cognate::lm::OpenAiClient;
use cognate::prelude::*;
use cognate_testing::{MockServer, MockServerConfig};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Label {
    Positive,
    Negative,
}

/// Classify a review and extract its keywords.
#[signature]
struct Review {
    #[input]
    text: String,
    #[output]
    label: Label,
    #[output]
    keywords: Vec<String>,
    #[output]
    stars: i64,
    #[output]
    recommended: bool,
}

async fn server_and_lm() -> (MockServer, Settings) {
    let server = MockServer::start(MockServerConfig::default()).await.unwrap();
    let lm = OpenAiClient::new("mock").with_base_url(server.base_url());
    (server, Settings::default().with_lm(Arc::new(lm)))
}

fn input(i: usize) -> ReviewInput {
    ReviewInput { text: format!("review number {i}: it was fine") }
}

#[tokio::test]
async fn predict_parses_typed_outputs_with_every_adapter() {
    let (server, settings) = server_and_lm().await;
    let adapters: [Arc<dyn Adapter>; 3] = [Arc::new(ChatAdapter), Arc::new(JsonAdapter), Arc::new(XmlAdapter)];
    for adapter in adapters {
        let name = adapter.name();
        let predict = Predict::<Review>::new().with_adapter(adapter);
        let out = settings.clone().scope(predict.forward(input(1))).await;
        let out = out.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!out.keywords.is_empty(), "{name}: {out:?}");
        // Deterministic: the same input gives the same answer.
        let again = settings.clone().scope(predict.forward(input(1))).await.unwrap();
        assert_eq!(out.label, again.label, "{name}");
        assert_eq!(out.stars, again.stars, "{name}");
    }
    assert_eq!(server.request_count(), 6, "no fallback retries were needed");
}

#[tokio::test]
async fn chain_of_thought_over_http() {
    let (_server, settings) = server_and_lm().await;
    let out = settings.scope(ChainOfThought::<Review>::new().forward(input(2))).await.unwrap();
    assert!(!out.reasoning.is_empty());
    assert!(!out.keywords.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_over_http_keeps_order() {
    let (server, settings) = server_and_lm().await;
    let predict = Predict::<Review>::new();
    let inputs: Vec<ReviewInput> = (0..200).map(input).collect();
    let results = settings.clone().scope(predict.batch(inputs, 32)).await;
    assert_eq!(results.len(), 200);
    for (i, r) in results.into_iter().enumerate() {
        let expected = settings.clone().scope(predict.forward(input(i))).await.unwrap();
        assert_eq!(format!("{:?}", r.unwrap()), format!("{expected:?}"), "result {i} is out of order");
    }
    assert_eq!(server.request_count(), 400);
}
