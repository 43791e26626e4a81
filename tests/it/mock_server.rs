//! The mock server's own behaviour: routes, reply formats, typed values, failure plans,
//! scripted replies and shutdown.

use std::io::{Read, Write};
use std::net::SocketAddr;

use cognate_core::{LanguageModel, LmError, LmRequest, Message};
use cognate_lm::OpenAiClient;
use cognate_testing::{Failure, FailurePlan, MockServer, MockServerConfig};
use cognate_tests::{qa_request, sections};
use serde_json::Value;

/// A plain HTTP/1.1 GET, run on a blocking thread.
async fn http_get(addr: SocketAddr, path: &str) -> (u16, String) {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        let status = text[9..12].parse().unwrap();
        let body = text.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
        (status, body)
    })
    .await
    .unwrap()
}

fn client(server: &MockServer) -> OpenAiClient {
    OpenAiClient::new("mock-lm").with_base_url(server.base_url())
}

const TYPED_SYSTEM: &str = "Your input fields are:\n1. `text` (str):\nYour output fields are:\n\
1. `count` (int): \n2. `ok` (bool): \n3. `label` (Literal['spam', 'ham']): \n4. `tags` (list[str]): \n\
5. `scores` (dict[str, float]): \n6. `place` (Place): \n7. `maybe` (Union[int, NoneType]):\n\
All interactions will be structured in the following way, with the appropriate values filled in.\n\n\
[[ ## text ## ]]\n{text}\n\n[[ ## count ## ]]\n{count}        # note: the value you produce must be a single int value\n\n\
[[ ## place ## ]]\n{place}        # note: the value you produce must adhere to the JSON schema: \
{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\", \"title\": \"City\"}, \"zip\": {\"type\": \"integer\", \"title\": \"Zip\"}}, \"required\": [\"city\", \"zip\"], \"title\": \"Place\"}\n\n\
[[ ## completed ## ]]\nIn adhering to this structure, your objective is: \n        Classify.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_models_and_unknown_routes() {
    let server = MockServer::start(MockServerConfig::default().with_model("tiny")).await.unwrap();
    assert_eq!(http_get(server.addr(), "/health").await, (200, r#"{"status":"ok"}"#.to_owned()));
    let (status, body) = http_get(server.addr(), "/v1/models").await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["data"][0]["id"], "tiny");
    let (status, body) = http_get(server.addr(), "/nope").await;
    assert_eq!(status, 404);
    assert!(body.contains("no route"), "{body}");
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn chat_values_follow_the_declared_types() {
    let server = MockServer::start(MockServerConfig::default()).await.unwrap();
    let req = LmRequest::new(vec![Message::system(TYPED_SYSTEM), Message::user("[[ ## text ## ]]\nbuy now")]);
    let resp = client(&server).complete(req).await.unwrap();
    let fields: std::collections::HashMap<_, _> = sections(&resp.choices[0].text).into_iter().collect();
    assert!(fields["count"].parse::<i64>().is_ok());
    assert!(["True", "False"].contains(&fields["ok"].as_str()));
    assert!(["spam", "ham"].contains(&fields["label"].as_str()));
    let tags: Vec<String> = serde_json::from_str(&fields["tags"]).unwrap();
    assert!(!tags.is_empty());
    let scores: std::collections::HashMap<String, f64> = serde_json::from_str(&fields["scores"]).unwrap();
    assert!(!scores.is_empty());
    let place: Value = serde_json::from_str(&fields["place"]).unwrap();
    assert!(place["city"].is_string() && place["zip"].is_u64(), "{place}");
    assert!(fields["maybe"].parse::<i64>().is_ok());
}

#[tokio::test]
async fn json_adapter_prompt_and_xml_prompt_formats() {
    let server = MockServer::start(MockServerConfig::default()).await.unwrap();
    let json_system = "Your input fields are:\n1. `q` (str):\nYour output fields are:\n1. `answer` (str): \n2. `n` (int):\n\
        All interactions will be structured in the following way, with the appropriate values filled in.\n\n\
        Inputs will have the following structure:\n\n[[ ## q ## ]]\n{q}\n\nOutputs will be a JSON object with the following fields.\n\n\
        {\n  \"answer\": \"{answer}\",\n  \"n\": \"{n}        # note: the value you produce must be a single int value\"\n}\n\
        In adhering to this structure, your objective is: \n        Count.";
    let req = LmRequest::new(vec![Message::system(json_system), Message::user("[[ ## q ## ]]\nhow many?")]);
    let resp = client(&server).complete(req).await.unwrap();
    let value: Value = serde_json::from_str(&resp.choices[0].text).unwrap();
    assert!(value["answer"].is_string() && value["n"].is_u64(), "{value}");

    let xml_system = "Your input fields are:\n1. `q` (str):\nYour output fields are:\n1. `answer` (str): \n2. `tags` (list[str]):\n\
        All interactions will be structured in the following way, with the appropriate values filled in.\n\n\
        <q>\n{q}\n</q>\n\n<answer>\n{answer}\n</answer>\n\n<tags><item>...</item></tags>\n\
        In adhering to this structure, your objective is: \n        Tag.";
    let req = LmRequest::new(vec![Message::system(xml_system), Message::user("<q>\nwhat?\n</q>")]);
    let text = client(&server).complete(req).await.unwrap().choices.remove(0).text;
    assert!(text.starts_with("<answer>\n") && text.contains("<tags><item>") && text.ends_with("</tags>"), "{text}");
}

#[tokio::test]
async fn plain_chat_gets_a_sentence_and_servers_agree() {
    let a = MockServer::start(MockServerConfig::default()).await.unwrap();
    let b = MockServer::start(MockServerConfig::default()).await.unwrap();
    let req = || LmRequest::new(vec![Message::user("Tell me something.")]);
    let ra = client(&a).complete(req()).await.unwrap().choices.remove(0).text;
    let rb = client(&b).complete(req()).await.unwrap().choices.remove(0).text;
    assert!(ra.starts_with("Mock reply: "), "{ra}");
    assert_eq!(ra, rb);
}

#[tokio::test]
async fn random_failures_follow_the_seeded_plan() {
    let config = MockServerConfig::default().with_fail_probability(0.5, 42, Failure::Status500);
    let plan = config.failure_plan().unwrap();
    assert!(matches!(plan, FailurePlan::Random { seed: 42, .. }));
    let server = MockServer::start(config).await.unwrap();
    let lm = client(&server);
    let mut observed = Vec::new();
    for i in 0..16 {
        observed.push(lm.complete(qa_request(&format!("q{i}"))).await.is_err());
    }
    // The plan for seed 42, written out (computed independently in Python: request k fails when
    // the first draw of splitmix64-seeded xoshiro256** from `42 ^ k * 0xA24BAED4963EE407`,
    // as a float in [0, 1), is below 0.5): a change to the draw would silently change every
    // seeded run that relies on it, so this is pinned rather than recomputed with the server's
    // own `failure_for`.
    let expected =
        [true, true, false, false, true, true, false, true, true, true, false, false, false, true, false, false];
    assert_eq!(observed, expected);
    assert!(expected.contains(&true) && expected.contains(&false));
    assert_eq!(server.failure_count(), expected.iter().filter(|f| **f).count() as u64);
}

#[tokio::test]
async fn scripted_reply_overrides_the_prompt() {
    let config = MockServerConfig::default().with_reply(|req| format!("echo {}", req.messages.len()));
    let server = MockServer::start(config).await.unwrap();
    let mut req = qa_request("q");
    req.n = Some(2);
    let resp = client(&server).complete(req).await.unwrap();
    let texts: Vec<_> = resp.choices.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["echo 2", "echo 2"]);
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let server = MockServer::start(MockServerConfig::default()).await.unwrap();
    let lm = client(&server);
    assert!(lm.complete(qa_request("q")).await.is_ok());
    server.shutdown().await;
    // A fresh client: no pooled connection to the old server.
    let err = OpenAiClient::new("m").with_base_url(lm.base_url()).complete(qa_request("q")).await.unwrap_err();
    assert!(matches!(err, LmError::Connection(_)), "{err:?}");

    let server = MockServer::start(MockServerConfig::default()).await.unwrap();
    let url = server.base_url().to_owned();
    drop(server);
    // Whether or not the aborted accept task has run yet, the connection ends unanswered:
    // the listener (with its backlog) and every accepted connection close with the task.
    let err = OpenAiClient::new("m").with_base_url(url).complete(qa_request("q")).await.unwrap_err();
    assert!(matches!(err, LmError::Connection(_)), "{err:?}");
}
