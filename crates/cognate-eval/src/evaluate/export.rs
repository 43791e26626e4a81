//! Exports of an [`EvaluationResult`] to JSON Lines and CSV.

use std::io::{BufWriter, Write};
use std::path::Path;

use cognate_runtime::fs::AtomicFile;
use serde_json::Value;

use super::record::EvaluationResult;
use crate::error::{Error, Result};

fn export_error(e: impl std::fmt::Display) -> Error {
    Error::Export(e.to_string())
}

/// A cell: strings as they are, other values as JSON text, absent values empty.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Keys in order of first appearance.
fn union_keys<'a>(maps: impl Iterator<Item = &'a cognate_core::Values>) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for map in maps {
        for key in map.keys() {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
    }
    keys
}

impl EvaluationResult {
    /// Writes one JSON object per record ([`Record::to_json`](super::Record::to_json)), in
    /// dataset order.
    ///
    /// # Errors
    /// [`Error::Export`] when writing fails.
    pub fn write_jsonl(&self, writer: impl Write) -> Result<()> {
        let mut writer = BufWriter::new(writer);
        for record in &self.records {
            serde_json::to_writer(&mut writer, &record.to_json()).map_err(export_error)?;
            writer.write_all(b"\n").map_err(export_error)?;
        }
        writer.flush().map_err(export_error)
    }

    /// Writes a CSV table, one row per record in dataset order, with the columns `index`,
    /// `example.<field>`... (every field any example has), `prediction.<field>`...,
    /// `score`, `feedback`, `error` and `elapsed_ms`. Non-string values are written as JSON.
    ///
    /// # Errors
    /// [`Error::Export`] when writing fails.
    pub fn write_csv(&self, writer: impl Write) -> Result<()> {
        let example_keys = union_keys(self.records.iter().map(|r| &r.example.data));
        let prediction_keys = union_keys(self.records.iter().filter_map(|r| r.prediction.as_ref()).map(|p| &p.data));
        let mut csv = csv::Writer::from_writer(writer);
        let mut header = vec!["index".to_string()];
        header.extend(example_keys.iter().map(|k| format!("example.{k}")));
        header.extend(prediction_keys.iter().map(|k| format!("prediction.{k}")));
        header.extend(["score", "feedback", "error", "elapsed_ms"].map(String::from));
        csv.write_record(&header).map_err(export_error)?;
        for r in &self.records {
            let mut row = vec![r.index.to_string()];
            row.extend(example_keys.iter().map(|k| cell(r.example.get(k))));
            row.extend(prediction_keys.iter().map(|k| cell(r.prediction.as_ref().and_then(|p| p.get(k)))));
            row.push(r.score.value.to_string());
            row.push(r.score.feedback.clone().unwrap_or_default());
            row.push(r.error.as_ref().map(ToString::to_string).unwrap_or_default());
            row.push(format!("{:.3}", r.elapsed.as_secs_f64() * 1000.0));
            csv.write_record(&row).map_err(export_error)?;
        }
        csv.flush().map_err(export_error)
    }

    /// Writes [`write_jsonl`](Self::write_jsonl) to a file, atomically
    /// ([`AtomicFile`]): until it is complete the file keeps its previous content (or does
    /// not exist), and on an error it is left as it was.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be created or replaced, [`Error::Export`] when
    /// writing fails.
    pub fn save_jsonl(&self, path: impl AsRef<Path>) -> Result<()> {
        save(path.as_ref(), |file| self.write_jsonl(file))
    }

    /// Writes [`write_csv`](Self::write_csv) to a file, atomically, as
    /// [`save_jsonl`](Self::save_jsonl) does.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be created or replaced, [`Error::Export`] when
    /// writing fails.
    pub fn save_csv(&self, path: impl AsRef<Path>) -> Result<()> {
        save(path.as_ref(), |file| self.write_csv(file))
    }
}

/// Streams `write` into a temporary file next to `path`, then renames it over `path`. On an
/// error the temporary file is removed (by dropping it) and `path` is untouched.
fn save(path: &Path, write: impl FnOnce(&mut AtomicFile) -> Result<()>) -> Result<()> {
    let io = |source| Error::Io { path: path.to_path_buf(), source };
    let mut file = AtomicFile::create(path).map_err(io)?;
    write(&mut file)?;
    file.commit().map_err(io)
}
