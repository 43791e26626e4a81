//! Cognate's runnable examples (`cargo run --example <name>`), each in `examples/<name>.rs`:
//!
//! - `quickstart`: a typed signature, the exact prompt Cognate sends, `Predict` and
//!   `ChainOfThought`;
//! - `multi_hop`: a `#[program]` whose number of hops is a variable;
//! - `strategy_choice`: a module-choice variable (Predict or ChainOfThought);
//! - `evaluate`: a dataset, a metric and `Evaluate`;
//! - `optimize`: `BootstrapFewShot`, checkpointed;
//! - `gsm8k`: a real optimization run (the figures in docs/gsm8k.md).
//!
//! Each example sets itself up in the open, in its `main`: a `tracing` subscriber
//! (`RUST_LOG=cognate::lm=debug` shows every LM call) and the language model from
//! [`cognate_testing::LmOrMock`] — the model `COGNATE_LM` names, else the built-in mock server
//! on 127.0.0.1, so every example runs offline by default. This library holds nothing else.
