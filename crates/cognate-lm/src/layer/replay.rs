//! Record and replay: [`Record`] writes every call through it to a cassette (JSON Lines, one
//! request and its reply per line); [`Replay`] answers from a cassette, so a program that ran
//! once against a real model can be tested deterministically and offline.
//!
//! A cassette line is `{"request": ..., "response": ...}` with the request exactly as the
//! program sent it ([`LmRequest`]: messages and sampling options; a `LanguageModel` request
//! carries no credentials, so none reach the file) and the model's reply ([`LmResponse`]).
//! Replay matches a request by equality of those fields; identical requests recorded several
//! times are answered in recorded order, the last answer repeating.
//!
//! ```
//! use cognate_core::{LanguageModel, LanguageModelExt, LmRequest, Message};
//! use cognate_lm::layer::replay::{Record, Replay};
//! use cognate_testing::MockLm;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), cognate_core::LmError> {
//! let path = std::env::temp_dir().join(format!("cognate-doc-cassette-{}.jsonl", std::process::id()));
//! let ask = || LmRequest::new(vec![Message::user("Capital of France?")]);
//!
//! // Once, against the real model (here a mock): record.
//! let recording = MockLm::new(["Paris"]).layer(Record::to_file(&path)?);
//! assert_eq!(recording.complete(ask()).await?.choices[0].text, "Paris");
//!
//! // Then, in tests: replay, with no model at all.
//! let replay = Replay::from_file(&path)?;
//! assert_eq!(replay.complete(ask()).await?.choices[0].text, "Paris");
//! assert!(replay.complete(LmRequest::new(vec![Message::user("Other?")])).await.is_err());
//! # std::fs::remove_file(&path).ok();
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use cognate_core::{LanguageModel, Layer, LmError, LmRequest, LmResponse, SharedLm};
use serde::{Deserialize, Serialize};

/// One cassette line.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    request: LmRequest,
    response: LmResponse,
}

/// The layer that records: appends each successful call through it to a cassette file. Clones
/// share the file; lines are written whole, one call at a time.
#[derive(Debug, Clone)]
pub struct Record {
    file: Arc<Mutex<File>>,
    path: Arc<PathBuf>,
}

impl Record {
    /// Records into `path`, appending when it exists (so one cassette can gather several runs)
    /// and creating it (not its directory) otherwise.
    ///
    /// # Errors
    /// [`LmError::Config`] naming the path when it cannot be opened for appending.
    pub fn to_file(path: impl AsRef<Path>) -> Result<Self, LmError> {
        let path = path.as_ref();
        let file =
            OpenOptions::new().create(true).append(true).open(path).map_err(|e| {
                LmError::Config(format!("cannot open the cassette {} for recording: {e}", path.display()))
            })?;
        Ok(Record { file: Arc::new(Mutex::new(file)), path: Arc::new(path.to_path_buf()) })
    }

    fn write(&self, request: LmRequest, response: &LmResponse) {
        let entry = Entry { request, response: response.clone() };
        let Ok(mut line) = serde_json::to_vec(&entry) else { return };
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(e) = file.write_all(&line) {
            // The call itself succeeded; a cassette that cannot be written is reported, not fatal.
            tracing::warn!(target: "cognate::lm", cassette = %self.path.display(), error = %e, "cannot record the call");
        }
    }
}

impl<L: LanguageModel> Layer<L> for Record {
    type Lm = RecordLm<L>;

    fn layer(&self, inner: L) -> RecordLm<L> {
        RecordLm { inner, record: self.clone() }
    }
}

/// A model whose successful calls are appended to a cassette (see [`Record`]). Failed calls
/// are not recorded.
#[derive(Debug, Clone)]
pub struct RecordLm<L = SharedLm> {
    inner: L,
    record: Record,
}

impl<L: LanguageModel> LanguageModel for RecordLm<L> {
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        let kept = request.clone();
        let response = self.inner.complete(request).await?;
        self.record.write(kept, &response);
        Ok(response)
    }

    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn supports_json_schema(&self) -> bool {
        self.inner.supports_json_schema()
    }
}

/// A language model that answers from a cassette recorded by [`Record`]. A request that was
/// not recorded is an [`LmError::Other`] naming the cassette, never a call to a real model.
#[derive(Debug, Clone)]
pub struct Replay {
    shared: Arc<ReplayState>,
}

#[derive(Debug)]
struct ReplayState {
    path: PathBuf,
    model: String,
    supports_json_schema: bool,
    /// Request (as canonical JSON) → its recorded replies and how many were served.
    answers: Mutex<HashMap<String, (Vec<LmResponse>, usize)>>,
}

impl Replay {
    /// Loads a cassette. Its model name (for traces and saved state) is the first reply's.
    ///
    /// # Errors
    /// [`LmError::Config`] when the file cannot be read, or a line is not a recorded call
    /// (naming the line).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, LmError> {
        let path = path.as_ref();
        let file = File::open(path)
            .map_err(|e| LmError::Config(format!("cannot open the cassette {}: {e}", path.display())))?;
        let mut answers: HashMap<String, (Vec<LmResponse>, usize)> = HashMap::new();
        let mut model = None;
        for (number, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| {
                LmError::Config(format!("cannot read the cassette {} at line {}: {e}", path.display(), number + 1))
            })?;
            if line.trim().is_empty() {
                continue;
            }
            let entry: Entry = serde_json::from_str(&line).map_err(|e| {
                LmError::Config(format!(
                    "the cassette {} has a bad line {}: {e} (expected {{\"request\": ..., \"response\": ...}})",
                    path.display(),
                    number + 1
                ))
            })?;
            model.get_or_insert_with(|| entry.response.model.clone());
            answers.entry(key(&entry.request)).or_default().0.push(entry.response);
        }
        Ok(Replay {
            shared: Arc::new(ReplayState {
                path: path.to_path_buf(),
                model: model.unwrap_or_else(|| "replay".to_owned()),
                supports_json_schema: true,
                answers: Mutex::new(answers),
            }),
        })
    }

    /// How many distinct requests the cassette answers.
    pub fn len(&self) -> usize {
        self.shared.answers.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Whether the cassette answers nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The request as canonical JSON: field order is the struct's, so equal requests give equal
/// keys. Without its rollout id: that is never sent to the model (it only tells cache entries
/// apart) and the `Rollout` layer draws a fresh one per call, so a replayed rollout is matched
/// by what the model saw, repeated requests answered in recorded order.
fn key(request: &LmRequest) -> String {
    let json = if request.rollout_id.is_some() {
        serde_json::to_string(&LmRequest { rollout_id: None, ..request.clone() })
    } else {
        serde_json::to_string(request)
    };
    json.unwrap_or_default()
}

impl LanguageModel for Replay {
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        let mut answers = self.shared.answers.lock().unwrap_or_else(PoisonError::into_inner);
        match answers.get_mut(&key(&request)) {
            Some((replies, served)) => {
                let reply = replies[(*served).min(replies.len() - 1)].clone();
                *served += 1;
                Ok(reply)
            }
            None => Err(LmError::Other(format!(
                "the cassette {} has no recorded reply for this request (first message: {:?}); record it again",
                self.shared.path.display(),
                request.messages.first().map(|m| cognate_core::error::truncate(&m.content, 120)).unwrap_or_default()
            ))),
        }
    }

    fn model_name(&self) -> &str {
        &self.shared.model
    }

    fn supports_json_schema(&self) -> bool {
        self.shared.supports_json_schema
    }
}

#[cfg(test)]
mod tests {
    use cognate_core::{LanguageModelExt, Message};
    use cognate_testing::MockLm;

    use super::*;

    fn temp(name: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("cognate-replay-{name}-{}.jsonl", std::process::id()));
        let _ = std::fs::remove_file(&path);
        path
    }

    fn ask(text: &str, temperature: Option<f32>) -> LmRequest {
        let mut request = LmRequest::new(vec![Message::system("sys"), Message::user(text)]);
        request.temperature = temperature;
        request
    }

    #[tokio::test]
    async fn rollouts_replay_in_recorded_order_whatever_their_rollout_ids() {
        use crate::layer::rollout::Rollout;

        let path = temp("rollout");
        let lm = MockLm::new(["first", "second"]).layer(Record::to_file(&path).unwrap()).layer(Rollout);
        for _ in 0..2 {
            lm.complete(ask("q", None)).await.unwrap();
        }
        // Replayed under new (random) rollout ids, as a rerun of the program sends them.
        let replay = Replay::from_file(&path).unwrap().layer(Rollout);
        let answers = [replay.complete(ask("q", None)).await.unwrap(), replay.complete(ask("q", None)).await.unwrap()];
        assert_eq!([answers[0].choices[0].text.as_str(), answers[1].choices[0].text.as_str()], ["first", "second"]);
        std::fs::remove_file(&path).unwrap();
    }

    #[tokio::test]
    async fn replays_what_was_recorded_in_order_and_nothing_else() {
        let path = temp("order");
        let mock = MockLm::new(["a1", "b", "a2"]).with_model_name("recorded-model");
        let lm = mock.layer(Record::to_file(&path).unwrap());
        for (text, t) in [("a", None), ("b", Some(0.5)), ("a", None)] {
            lm.complete(ask(text, t)).await.unwrap();
        }
        let replay = Replay::from_file(&path).unwrap();
        assert_eq!((replay.len(), replay.model_name()), (2, "recorded-model"));
        let text = |r: LmResponse| r.choices[0].text.clone();
        assert_eq!(text(replay.complete(ask("a", None)).await.unwrap()), "a1");
        assert_eq!(text(replay.complete(ask("a", None)).await.unwrap()), "a2");
        assert_eq!(text(replay.complete(ask("a", None)).await.unwrap()), "a2", "the last answer repeats");
        assert_eq!(text(replay.complete(ask("b", Some(0.5))).await.unwrap()), "b");
        // Another temperature is another request.
        let err = replay.complete(ask("b", None)).await.unwrap_err();
        assert!(err.to_string().contains("no recorded reply"), "{err}");
        std::fs::remove_file(&path).unwrap();
    }

    #[tokio::test]
    async fn failed_calls_are_not_recorded_and_runs_append() {
        let path = temp("append");
        let lm = MockLm::new(["one"]).layer(Record::to_file(&path).unwrap());
        lm.complete(ask("q1", None)).await.unwrap();
        assert!(lm.complete(ask("q2", None)).await.is_err());
        let again = MockLm::new(["three"]).layer(Record::to_file(&path).unwrap());
        again.complete(ask("q3", None)).await.unwrap();
        let lines = std::fs::read_to_string(&path).unwrap();
        assert_eq!(lines.lines().count(), 2, "{lines}");
        assert_eq!(Replay::from_file(&path).unwrap().len(), 2);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn bad_cassettes_are_config_errors_naming_the_line() {
        let path = temp("bad");
        std::fs::write(&path, "\n{\"request\": {\"messages\": []}, \"response\": 3}\n").unwrap();
        let err = Replay::from_file(&path).unwrap_err();
        assert!(matches!(&err, LmError::Config(m) if m.contains("bad line 2")), "{err}");
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(Replay::from_file(&path), Err(LmError::Config(m)) if m.contains("cannot open the cassette")));
        let dir = std::env::temp_dir().join(format!("cognate-replay-no-such-dir-{}", std::process::id()));
        assert!(matches!(Record::to_file(dir.join("x.jsonl")), Err(LmError::Config(_))));
    }

    #[test]
    fn the_futures_are_send() {
        fn send<T: Send>(_: T) {}
        let path = temp("send");
        let lm = MockLm::new(["a"]).layer(Record::to_file(&path).unwrap());
        send(lm.complete(ask("q", None)));
        send(Replay::from_file(&path).unwrap().complete(ask("q", None)));
        std::fs::remove_file(&path).unwrap();
    }
}
