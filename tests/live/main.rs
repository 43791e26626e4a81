//! The live lane: Cognate against a real local LM — the Qwen2.5 0.5B chat model and the
//! MiniLM embedder that `scripts/local-lm.sh` serves on 127.0.0.1.
//!
//! ```sh
//! bash scripts/local-lm.sh setup && eval "$(bash scripts/local-lm.sh start)"
//! COGNATE_LIVE_LM=1 cargo test -p cognate-tests --test live
//! ```
//!
//! A test harness of its own (`libtest-mimic`), because a live test must never pass without
//! doing anything: with the lane off (`COGNATE_LIVE_LM` unset), its settings missing or its
//! server unreachable, a test is reported as *ignored* with the reason — and under `CI=true`
//! (as `.ci/run` sets it) it *fails* with that reason instead. See [`lane`].
//!
//! The chat tests read the endpoint from `OPENAI_BASE_URL` (and `OPENAI_API_KEY`) and the
//! model from `COGNATE_LM`, else `LOCAL_LM_CHAT_MODEL`; the embedding tests read
//! `LOCAL_LM_EMBED_URL` and `LOCAL_LM_EMBED_MODEL`. `local-lm.sh start` prints all of them.

mod chat;
mod embed;
mod lane;

use libtest_mimic::Arguments;

fn main() {
    let trials = vec![
        lane::chat("chat::completion", chat::completion),
        lane::chat("chat::dspy_marker_prompt", chat::dspy_marker_prompt),
        lane::chat("chat::predict_typed_outputs_parse", chat::predict_typed_outputs_parse),
        lane::chat("chat::chain_of_thought_typed_outputs_parse", chat::chain_of_thought_typed_outputs_parse),
        lane::embeddings("embed::minilm_ranks_related_sentences_closer", embed::minilm_ranks_related_sentences_closer),
        lane::embeddings("embed::knn_finds_the_semantic_neighbour", embed::knn_finds_the_semantic_neighbour),
    ];
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}
