//! [`Checkpoint`]: an append-only JSON Lines file of finished work, so a killed optimization
//! resumes where it stopped.
//!
//! # Format
//!
//! One JSON object per line, each a finished unit of work keyed by a stable id:
//!
//! ```text
//! {"id":"candidate/seed=-3","value":{"score":40.0,"demos":{}}}
//! {"id":"candidate/seed=-2","value":{"score":60.0,"demos":{"predict":[...]}}}
//! ```
//!
//! * `id` is chosen by the optimizer and must identify the work deterministically (the same
//!   optimizer configuration on the same data produces the same ids in the same order). The
//!   optimizers in this crate prefix ids with the stage (`bootstrap/...`, `candidate/...`).
//! * `value` is whatever the optimizer needs to skip the work on resume (a score, the
//!   bootstrapped demos, a trial's configuration...).
//! * Records are only appended. When an id appears twice, the last record wins.
//! * Each record is written with a single `write` of the whole line followed by a flush (and
//!   an `fsync` with [`Checkpoint::with_fsync`]), so a killed process loses at most the work in
//!   flight. A torn last line (no newline, or not valid JSON) is dropped on open and the file is
//!   truncated back to the last complete record; a bad line anywhere else is an error.
//!
//! The file holds no fingerprint of the data or program: reuse a checkpoint only with the run
//! that wrote it (a new configuration should get a new file).
//!
//! ```
//! use cognate_optimize::Checkpoint;
//!
//! let path = std::env::temp_dir().join(format!("cognate-doc-{}.jsonl", std::process::id()));
//! # let _ = std::fs::remove_file(&path);
//! let checkpoint = Checkpoint::open(&path)?;
//! checkpoint.record("trial/0", &serde_json::json!({"score": 0.5}))?;
//!
//! let reopened = Checkpoint::open(&path)?; // e.g. after a crash
//! assert_eq!(reopened.get("trial/0"), Some(serde_json::json!({"score": 0.5})));
//! assert_eq!(reopened.get("trial/1"), None);
//! # std::fs::remove_file(&path).unwrap();
//! # Ok::<(), cognate_optimize::Error>(())
//! ```

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};

/// An append-only record of finished work, backed by a JSON Lines file (see the
/// [module docs](self) for the format). Clones share the file; recording is safe from
/// concurrent tasks.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    fsync: AtomicBool,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    file: File,
    records: HashMap<String, Value>,
    order: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Line {
    id: String,
    value: Value,
}

#[derive(Serialize)]
struct LineRef<'a, T: ?Sized> {
    id: &'a str,
    value: &'a T,
}

impl Checkpoint {
    /// Opens (creating if needed) the checkpoint at `path` and loads its records.
    ///
    /// # Errors
    ///
    /// [`Error::CheckpointIo`] if the file cannot be opened, read or repaired;
    /// [`Error::CorruptCheckpoint`] if a line other than the last is not a record.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let io = |source| Error::CheckpointIo { path: path.clone(), source };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut file =
            OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io)?;
        let mut records = HashMap::new();
        let mut order = Vec::new();
        let mut good_end = 0u64;
        let mut reader = BufReader::new(&file);
        let mut pending_error: Option<(usize, String)> = None;
        let mut line_no = 0usize;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = reader.read_until(b'\n', &mut buf).map_err(io)?;
            if n == 0 {
                break;
            }
            line_no += 1;
            if let Some((line, message)) = pending_error.take() {
                // A bad line followed by more data: not a torn tail but corruption.
                return Err(Error::CorruptCheckpoint { path, line, message });
            }
            let complete = buf.last() == Some(&b'\n');
            let text = String::from_utf8_lossy(&buf);
            if text.trim().is_empty() {
                if complete {
                    good_end += n as u64;
                }
                continue;
            }
            match serde_json::from_str::<Line>(text.trim_end()) {
                Ok(record) if complete => {
                    if records.insert(record.id.clone(), record.value).is_none() {
                        order.push(record.id);
                    }
                    good_end += n as u64;
                }
                Ok(_) => pending_error = Some((line_no, "record without a trailing newline".into())),
                Err(e) => pending_error = Some((line_no, e.to_string())),
            }
        }
        drop(reader);
        if let Some((line, message)) = pending_error {
            tracing::warn!(
                target: "cognate::optimize",
                path = %path.display(), line, %message,
                "dropping a torn last record from the checkpoint"
            );
        }
        let len = file.metadata().map_err(io)?.len();
        if len != good_end {
            file.set_len(good_end).map_err(io)?;
        }
        file.seek(SeekFrom::End(0)).map_err(io)?;
        let state = State { file, records, order };
        Ok(Checkpoint { inner: Arc::new(Inner { path, fsync: AtomicBool::new(false), state: Mutex::new(state) }) })
    }

    /// Also `fsync`s the file after each record (slower; survives a power loss, not just a
    /// killed process). Applies to every clone.
    #[must_use]
    pub fn with_fsync(self, fsync: bool) -> Self {
        self.inner.fsync.store(fsync, Ordering::Relaxed);
        self
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The value last recorded under `id`.
    pub fn get(&self, id: &str) -> Option<Value> {
        self.lock().records.get(id).cloned()
    }

    /// The value last recorded under `id`, deserialized.
    ///
    /// # Errors
    ///
    /// [`Error::CheckpointMismatch`] if the value does not deserialize as `T`.
    pub fn get_as<T: DeserializeOwned>(&self, id: &str) -> Result<Option<T>> {
        match self.get(id) {
            None => Ok(None),
            Some(value) => serde_json::from_value(value)
                .map(Some)
                .map_err(|e| Error::CheckpointMismatch { id: id.to_owned(), message: e.to_string() }),
        }
    }

    /// Whether a record exists for `id`.
    pub fn contains(&self, id: &str) -> bool {
        self.lock().records.contains_key(id)
    }

    /// The number of distinct ids recorded.
    pub fn len(&self) -> usize {
        self.lock().records.len()
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The ids recorded, in the order they were first recorded.
    pub fn ids(&self) -> Vec<String> {
        self.lock().order.clone()
    }

    /// Appends a record for `id` and flushes it to the file.
    ///
    /// # Errors
    ///
    /// [`Error::CheckpointIo`] if the record cannot be written; [`Error::CheckpointMismatch`]
    /// if `value` does not serialize to JSON.
    pub fn record<T: Serialize + ?Sized>(&self, id: &str, value: &T) -> Result<()> {
        let json = serde_json::to_value(value)
            .map_err(|e| Error::CheckpointMismatch { id: id.to_owned(), message: e.to_string() })?;
        let mut line = serde_json::to_vec(&LineRef { id, value: &json })
            .map_err(|e| Error::CheckpointMismatch { id: id.to_owned(), message: e.to_string() })?;
        line.push(b'\n');
        let io = |source| Error::CheckpointIo { path: self.inner.path.clone(), source };
        let mut state = self.lock();
        state.file.write_all(&line).map_err(io)?;
        state.file.flush().map_err(io)?;
        if self.inner.fsync.load(Ordering::Relaxed) {
            state.file.sync_data().map_err(io)?;
        }
        if state.records.insert(id.to_owned(), json).is_none() {
            state.order.push(id.to_owned());
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cognate-checkpoint-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("run.jsonl")
    }

    #[test]
    fn records_survive_reopening_and_the_last_record_wins() {
        let path = temp("reopen");
        let c = Checkpoint::open(&path).unwrap();
        assert!(c.is_empty());
        c.record("a", &1).unwrap();
        c.record("b", &serde_json::json!({"x": [1, 2]})).unwrap();
        c.record("a", &3).unwrap();
        drop(c);
        let c = Checkpoint::open(&path).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c.get("a"), Some(serde_json::json!(3)));
        assert_eq!(c.get_as::<serde_json::Value>("b").unwrap().unwrap()["x"][1], 2);
        assert_eq!(c.ids(), vec!["a".to_owned(), "b".to_owned()]);
        assert!(c.get_as::<String>("a").is_err());
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_the_file_repaired() {
        let path = temp("torn");
        let c = Checkpoint::open(&path).unwrap();
        c.record("done", &"yes").unwrap();
        drop(c);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"id":"half","val"#).unwrap();
        drop(f);
        let c = Checkpoint::open(&path).unwrap();
        assert_eq!(c.len(), 1);
        assert!(!c.contains("half"));
        c.record("next", &2).unwrap();
        drop(c);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert_eq!(Checkpoint::open(&path).unwrap().get("next"), Some(serde_json::json!(2)));
    }

    #[test]
    fn a_complete_but_unterminated_last_record_is_dropped() {
        let path = temp("unterminated");
        std::fs::write(&path, "{\"id\":\"a\",\"value\":1}\n{\"id\":\"b\",\"value\":2}").unwrap();
        let c = Checkpoint::open(&path).unwrap();
        assert!(c.contains("a"));
        assert!(!c.contains("b"));
    }

    #[test]
    fn corruption_before_the_last_line_is_an_error() {
        let path = temp("corrupt");
        std::fs::write(&path, "{\"id\":\"a\",\"value\":1}\nnot json\n{\"id\":\"b\",\"value\":2}\n").unwrap();
        let err = Checkpoint::open(&path).unwrap_err();
        assert!(matches!(err, Error::CorruptCheckpoint { line: 2, .. }), "{err}");
    }

    #[test]
    fn a_million_levels_of_nesting_is_dropped_or_reported_without_overflowing() {
        let deep = format!("{{\"id\":\"x\",\"value\":{}", "[".repeat(1_000_000));
        let path = temp("deep-tail");
        std::fs::write(&path, format!("{{\"id\":\"a\",\"value\":1}}\n{deep}")).unwrap();
        let c = Checkpoint::open(&path).unwrap();
        assert_eq!(c.ids(), ["a"]);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"id\":\"a\",\"value\":1}\n", "the torn tail is cut");
        let path = temp("deep-middle");
        std::fs::write(&path, format!("{deep}\n{{\"id\":\"a\",\"value\":1}}\n")).unwrap();
        let err = Checkpoint::open(&path).unwrap_err();
        assert!(
            matches!(&err, Error::CorruptCheckpoint { line: 1, message, .. } if message.contains("recursion limit")),
            "{err}"
        );
    }

    #[test]
    fn fsync_mode_writes_records() {
        let path = temp("fsync");
        let c = Checkpoint::open(&path).unwrap().with_fsync(true);
        c.record("a", &1).unwrap();
        assert_eq!(Checkpoint::open(&path).unwrap().get("a"), Some(serde_json::json!(1)));
    }
}
