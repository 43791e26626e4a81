//! The live lane's chat tests, replayed offline from a cassette of a real run
//! (`tests/data/live-chat.jsonl`, recorded from the local Qwen2.5 0.5B model by the live lane
//! with `COGNATE_LIVE_RECORD`): the real model's replies, byte for byte, through the same
//! programs — so every CI run checks that Cognate still sends the same prompts and still
//! parses what a real small model answers, with no model running.
//!
//! Re-record after a deliberate prompt change:
//!
//! ```sh
//! bash scripts/local-lm.sh setup && eval "$(bash scripts/local-lm.sh start)"
//! rm tests/data/live-chat.jsonl
//! COGNATE_LIVE_LM=1 COGNATE_LIVE_RECORD=$PWD/tests/data/live-chat.jsonl \
//!     cargo test -p cognate-tests --test live -- chat::
//! ```

use std::path::Path;
use std::sync::Arc;

use cognate_core::SharedLm;
use cognate_lm::Replay;

#[path = "../live/chat.rs"]
mod chat;

fn cassette() -> SharedLm {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/live-chat.jsonl");
    Arc::new(Replay::from_file(&path).expect("the recorded cassette"))
}

#[tokio::test]
async fn completion() {
    chat::completion(cassette()).await;
}

#[tokio::test]
async fn dspy_marker_prompt() {
    chat::dspy_marker_prompt(cassette()).await;
}

#[tokio::test]
async fn predict_typed_outputs_parse() {
    chat::predict_typed_outputs_parse(cassette()).await;
}

#[tokio::test]
async fn chain_of_thought_typed_outputs_parse() {
    chat::chain_of_thought_typed_outputs_parse(cassette()).await;
}
