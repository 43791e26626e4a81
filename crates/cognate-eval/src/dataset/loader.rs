//! [`Loader`]: read examples from JSON Lines or CSV files, whole or streaming.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cognate_core::{Example, Values};
use serde_json::Value;

use super::Dataset;
use super::mapping::{Expect, FieldMap, FieldSpec};
use super::read::{QuoteTracker, Unterminated, skip_bom};
use crate::error::{Error, Result, RowErrorKind};

/// The file formats a [`Loader`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// JSON Lines: one JSON object per line; blank lines are skipped. A key repeated within
    /// an object and nesting deeper than [`cognate_runtime::json::MAX_DEPTH`] are errors.
    JsonLines,
    /// CSV with a header row (RFC 4180 quoting; cells may span lines).
    Csv,
}

/// Reads [`Example`]s from a file, with a field mapping.
///
/// With no [`field`](Self::field) calls every key or column becomes a field of the same name
/// ([`rename`](Self::rename) changes names); once fields are selected, only they are kept,
/// in the order selected. [`expect`](Self::expect) checks each row's value kind. Every bad
/// row is an [`Error::Row`] naming the file, line, column (for syntax errors) and field.
/// A UTF-8 byte order mark at the start of the file is skipped.
///
/// ```no_run
/// use cognate_eval::dataset::{Expect, Loader};
///
/// # fn main() -> Result<(), cognate_eval::Error> {
/// // GSM8K as shipped in /work/shared/data: question, answer ("18"), solution ("...#### 18").
/// let dataset = Loader::jsonl("gsm8k/test.jsonl")
///     .field("question")
///     .field_as("answer", "answer")
///     .field_as("solution", "reasoning")
///     .expect("answer", Expect::String)
///     .with_inputs(["question"])
///     .load()?;
/// let splits = dataset.split(cognate_eval::dataset::Split::counts(200, 300, 500), 0)?;
/// # let _ = splits; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Loader {
    path: PathBuf,
    format: Format,
    map: FieldMap,
    inputs: Option<Vec<String>>,
    delimiter: u8,
}

impl Loader {
    /// A loader for a JSON Lines file.
    pub fn jsonl(path: impl AsRef<Path>) -> Self {
        Self::new(path, Format::JsonLines)
    }

    /// A loader for a CSV file with a header row.
    pub fn csv(path: impl AsRef<Path>) -> Self {
        Self::new(path, Format::Csv)
    }

    /// A loader for `path` in `format`.
    pub fn new(path: impl AsRef<Path>, format: Format) -> Self {
        Loader { path: path.as_ref().to_path_buf(), format, map: FieldMap::default(), inputs: None, delimiter: b',' }
    }

    /// Keeps the field `name` under the same name.
    #[must_use]
    pub fn field(self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.field_as(name.clone(), name)
    }

    /// Keeps the column or key `source`, stored as the field `target`.
    #[must_use]
    pub fn field_as(mut self, source: impl Into<String>, target: impl Into<String>) -> Self {
        self.map.selected.push(FieldSpec { source: source.into(), target: target.into(), expect: Expect::Any });
        self
    }

    /// Renames `source` to `target` when all fields are kept (without selection).
    #[must_use]
    pub fn rename(mut self, source: impl Into<String>, target: impl Into<String>) -> Self {
        self.map.renames.push((source.into(), target.into()));
        self
    }

    /// Requires the field `target` (its example name) to hold a value of this kind.
    #[must_use]
    pub fn expect(mut self, target: impl Into<String>, expect: Expect) -> Self {
        self.map.expects.push((target.into(), expect));
        self
    }

    /// Marks the input fields of every example (DSPy's `with_inputs`).
    #[must_use]
    pub fn with_inputs<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.inputs = Some(keys.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the CSV delimiter (default `,`).
    #[must_use]
    pub fn with_delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// The file this loader reads.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the whole file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::Row`] for the first bad row.
    pub fn load(&self) -> Result<Dataset> {
        self.rows()?.collect::<Result<Vec<_>>>().map(Dataset::from)
    }

    /// Streams the file: an iterator that reads one row at a time, never the whole file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be opened; for CSV, [`Error::Row`] when the header
    /// lacks a mapped column. Row errors come from the iterator.
    pub fn rows(&self) -> Result<Rows> {
        let file = File::open(&self.path).map_err(|source| Error::Io { path: self.path.clone(), source })?;
        self.rows_from_reader(file)
    }

    /// Streams rows from `reader`, naming [`path`](Self::path) in errors.
    ///
    /// # Errors
    /// As [`rows`](Self::rows).
    pub fn rows_from_reader(&self, reader: impl Read + Send + 'static) -> Result<Rows> {
        let reader = skip_bom(Box::new(reader)).map_err(|source| Error::Io { path: self.path.clone(), source })?;
        let source = match self.format {
            Format::JsonLines => Source::Json { lines: BufReader::new(reader), line: 0, buf: String::new() },
            Format::Csv => {
                let unterminated = Arc::new(Unterminated::default());
                let reader: Box<dyn Read + Send> =
                    Box::new(QuoteTracker::new(reader, self.delimiter, Arc::clone(&unterminated)));
                let mut csv = csv::ReaderBuilder::new().delimiter(self.delimiter).has_headers(true).from_reader(reader);
                let headers = csv.headers().map_err(|e| self.csv_error(&e, 1));
                self.check_quotes(&unterminated)?;
                let headers = headers?.clone();
                let columns = self.csv_columns(&headers)?;
                Source::Csv { csv, columns, record: csv::StringRecord::new(), unterminated }
            }
        };
        Ok(Rows { loader: self.clone(), source, done: false })
    }

    /// For each kept field, its example name and column index.
    fn csv_columns(&self, headers: &csv::StringRecord) -> Result<Vec<(String, usize)>> {
        let index = |name: &str| headers.iter().position(|h| h == name);
        if self.map.selected.is_empty() {
            return Ok(headers.iter().enumerate().map(|(i, h)| (self.map.rename(h).to_string(), i)).collect());
        }
        self.map
            .selected
            .iter()
            .map(|spec| match index(&spec.source) {
                Some(i) => Ok((spec.target.clone(), i)),
                None => Err(self.row_error(1, None, Some(&spec.target), missing(&spec.source))),
            })
            .collect()
    }

    /// The error for a quoted field left open at the end of the file, once the CSV reader
    /// has reached it (it then holds the rest of the file as one field).
    fn check_quotes(&self, unterminated: &Unterminated) -> Result<()> {
        match unterminated.get() {
            None => Ok(()),
            Some((start_line, end)) => {
                Err(self.row_error(end, None, None, RowErrorKind::UnterminatedQuote { start_line }))
            }
        }
    }

    fn row_error(&self, line: u64, column: Option<u64>, field: Option<&str>, kind: RowErrorKind) -> Error {
        Error::Row { path: self.path.clone(), line, column, field: field.map(str::to_string), kind }
    }

    fn csv_error(&self, error: &csv::Error, fallback_line: u64) -> Error {
        let line = error.position().map_or(fallback_line, csv::Position::line);
        match error.kind() {
            csv::ErrorKind::Io(e) => {
                Error::Io { path: self.path.clone(), source: std::io::Error::new(e.kind(), e.to_string()) }
            }
            _ => self.row_error(line, None, None, RowErrorKind::InvalidCsv(error.to_string())),
        }
    }

    fn finish(&self, data: Values) -> Example {
        let example = Example::new(data);
        match &self.inputs {
            Some(keys) => example.with_inputs(keys.iter().cloned()),
            None => example,
        }
    }

    fn json_row(&self, text: &str, line: u64) -> Result<Example> {
        let value: Value = cognate_runtime::json::from_str(text).map_err(|e| {
            self.row_error(line, Some(e.column() as u64), None, RowErrorKind::InvalidJson(strip_position(&e)))
        })?;
        let Value::Object(mut object) = value else {
            return Err(self.row_error(line, None, None, RowErrorKind::NotAnObject(kind_name(&value))));
        };
        let mut data = Values::new();
        if self.map.selected.is_empty() {
            for (key, value) in object {
                let target = self.map.rename(&key).to_string();
                let value = self.check(line, &target, value)?;
                data.insert(target, value);
            }
        } else {
            for spec in &self.map.selected {
                let value = object
                    .remove(&spec.source)
                    .ok_or_else(|| self.row_error(line, None, Some(&spec.target), missing(&spec.source)))?;
                let value = self.check(line, &spec.target, value)?;
                data.insert(spec.target.clone(), value);
            }
        }
        Ok(self.finish(data))
    }

    fn check(&self, line: u64, target: &str, value: Value) -> Result<Value> {
        self.map.expect_for(target).check_json(value).map_err(|kind| self.row_error(line, None, Some(target), kind))
    }

    fn csv_row(&self, record: &csv::StringRecord, columns: &[(String, usize)]) -> Result<Example> {
        let line = record.position().map_or(0, csv::Position::line);
        let mut data = Values::new();
        for (target, index) in columns {
            let cell = record.get(*index).unwrap_or_default();
            let value = self
                .map
                .expect_for(target)
                .convert_cell(cell)
                .map_err(|kind| self.row_error(line, None, Some(target), kind))?;
            data.insert(target.clone(), value);
        }
        Ok(self.finish(data))
    }
}

fn missing(source: &str) -> RowErrorKind {
    RowErrorKind::MissingField { source_name: source.to_string() }
}

fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// serde_json's message without its trailing ` at line L column C` (the error names those).
pub(super) fn strip_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    }
}

enum Source {
    Json {
        lines: BufReader<Box<dyn Read + Send>>,
        line: u64,
        buf: String,
    },
    Csv {
        csv: csv::Reader<Box<dyn Read + Send>>,
        columns: Vec<(String, usize)>,
        record: csv::StringRecord,
        unterminated: Arc<Unterminated>,
    },
}

/// A streaming iterator over a file's examples, from [`Loader::rows`]. It holds one row in
/// memory at a time. After the first error it ends.
pub struct Rows {
    loader: Loader,
    source: Source,
    done: bool,
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rows").field("path", &self.loader.path).field("done", &self.done).finish_non_exhaustive()
    }
}

impl Iterator for Rows {
    type Item = Result<Example>;

    fn next(&mut self) -> Option<Result<Example>> {
        if self.done {
            return None;
        }
        let item = match &mut self.source {
            Source::Json { lines, line, buf } => loop {
                buf.clear();
                *line += 1;
                match lines.read_line(buf) {
                    Ok(0) => break None,
                    Ok(_) if buf.trim().is_empty() => continue,
                    Ok(_) => break Some(self.loader.json_row(buf.trim_end_matches(['\n', '\r']), *line)),
                    Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                        let kind = RowErrorKind::InvalidJson("the line is not valid UTF-8".into());
                        break Some(Err(self.loader.row_error(*line, None, None, kind)));
                    }
                    Err(source) => break Some(Err(Error::Io { path: self.loader.path.clone(), source })),
                }
            },
            Source::Csv { csv, columns, record, unterminated } => {
                let read = csv.read_record(record);
                match (self.loader.check_quotes(unterminated), read) {
                    (Err(e), _) => Some(Err(e)),
                    (Ok(()), Ok(false)) => None,
                    (Ok(()), Ok(true)) => Some(self.loader.csv_row(record, columns)),
                    (Ok(()), Err(e)) => Some(Err(self.loader.csv_error(&e, 0))),
                }
            }
        };
        self.done = !matches!(item, Some(Ok(_)));
        item
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn load(loader: &Loader, text: &'static str) -> Result<Vec<Value>, String> {
        let rows = loader.rows_from_reader(text.as_bytes()).map_err(|e| e.to_string())?;
        rows.map(|r| r.map(|e| Value::Object(e.data)).map_err(|e| e.to_string())).collect()
    }

    fn check(loader: Loader, text: &'static str, expected: Result<Value, &str>) {
        let got = load(&loader, text).map(Value::Array);
        assert_eq!(got, expected.map_err(str::to_string), "input: {text:?}");
    }

    #[test]
    fn jsonl_rows() {
        let l = || Loader::jsonl("data.jsonl");
        check(
            l(),
            "{\"q\": \"a\", \"n\": 1}\n\n{\"q\": \"b\", \"n\": 2}\n",
            Ok(json!([{"q": "a", "n": 1}, {"q": "b", "n": 2}])),
        );
        check(l().rename("q", "question"), "{\"q\": \"a\", \"n\": 1}", Ok(json!([{"question": "a", "n": 1}])));
        check(
            l().field_as("n", "answer").field_as("q", "question"),
            "{\"q\": \"a\", \"n\": 1, \"x\": 0}",
            Ok(json!([{"answer": 1, "question": "a"}])),
        );
        check(
            l().field("q").field_as("n", "answer"),
            "{\"q\": \"a\", \"n\": 1}\n{\"q\": \"b\"}\n",
            Err("data.jsonl:2: field \"answer\": missing column `n`"),
        );
        check(
            l().field("q").field("answer").expect("answer", Expect::String),
            "{\"q\": \"a\", \"answer\": \"1\"}\n{\"q\": \"a\", \"answer\": null}\n",
            Err("data.jsonl:2: field \"answer\": expected a string, got null"),
        );
        check(
            l().expect("answer", Expect::String),
            "\n\n{\"answer\": 3}",
            Err("data.jsonl:3: field \"answer\": expected a string, got a number (3)"),
        );
        check(l(), "{\"q\": \"a\",, }", Err("data.jsonl:1:11: invalid JSON: key must be a string"));
        check(l(), "[1, 2]", Err("data.jsonl:1: expected a JSON object, got a list"));
    }

    #[test]
    fn csv_rows() {
        let l = || Loader::csv("data.csv");
        check(
            l(),
            "q,a\nhi,1\n\"multi\nline\",2\n",
            Ok(json!([{"q": "hi", "a": "1"}, {"q": "multi\nline", "a": "2"}])),
        );
        check(
            l().field_as("q", "question").field_as("a", "answer").expect("answer", Expect::Integer),
            "q,a\nhi,1\n",
            Ok(json!([{"question": "hi", "answer": 1}])),
        );
        check(
            l().field("q").field("answer"),
            "q,a\nhi,1\n",
            Err("data.csv:1: field \"answer\": missing column `answer`"),
        );
        check(
            l().expect("a", Expect::Number),
            "q,a\nhi,1\n\"multi\nline\",x\n",
            Err("data.csv:3: field \"a\": expected a number, got \"x\""),
        );
        let err = load(&l(), "q,a\nhi,1\nho\n").unwrap_err();
        assert!(err.starts_with("data.csv:3: invalid CSV: "), "{err}");
        check(Loader::csv("t.tsv").with_delimiter(b'\t'), "q\ta\nx\ty\n", Ok(json!([{"q": "x", "a": "y"}])));
    }

    #[test]
    fn inputs_are_marked_and_iteration_stops_after_an_error() {
        let loader = Loader::jsonl("d.jsonl").with_inputs(["q"]);
        let rows: Vec<_> =
            loader.rows_from_reader("{\"q\": 1, \"a\": 2}\nnot json\n{\"q\": 3}".as_bytes()).unwrap().collect();
        assert_eq!(rows.len(), 2);
        let first = rows[0].as_ref().unwrap();
        assert_eq!(Value::Object(first.inputs()), json!({"q": 1}));
        assert_eq!(Value::Object(first.labels()), json!({"a": 2}));
        assert!(rows[1].is_err());
    }

    fn load_bytes(loader: &Loader, bytes: Vec<u8>) -> Result<Vec<Value>, String> {
        let rows = loader.rows_from_reader(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
        rows.map(|r| r.map(|e| Value::Object(e.data)).map_err(|e| e.to_string())).collect()
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped() {
        check(
            Loader::jsonl("d.jsonl"),
            "\u{feff}{\"q\": \"a\"}\n{\"q\": \"b\"}\n",
            Ok(json!([{"q": "a"}, {"q": "b"}])),
        );
        check(Loader::csv("d.csv").field("q"), "\u{feff}q,a\nx,1\n", Ok(json!([{"q": "x"}])));
        check(Loader::csv("d.csv"), "\u{feff}\"q\",a\nx,1\n", Ok(json!([{"q": "x", "a": "1"}])));
        // Only at the start of the file: elsewhere it is data.
        check(
            Loader::jsonl("d.jsonl"),
            "{\"q\": \"a\"}\n\u{feff}{\"q\": \"b\"}\n",
            Err("d.jsonl:2:1: invalid JSON: expected value"),
        );
    }

    #[test]
    fn an_unterminated_csv_quote_is_reported_as_such() {
        let l = || Loader::csv("data.csv");
        check(l(), "q,a\n\"hi,1\nho,2\n", Err("data.csv:3: invalid CSV: unterminated quoted field starting at line 2"));
        check(l(), "q,a\nx,1\ny,\"2\n", Err("data.csv:3: invalid CSV: unterminated quoted field starting at line 3"));
        // Where the swallowed rest of the file happens to have the right number of fields.
        check(
            l(),
            "q,a\nx,1\n\"y,2\nz\",3\nw,\"4\n",
            Err("data.csv:5: invalid CSV: unterminated quoted field starting at line 5"),
        );
        check(l(), "\"q,a\nx,1\n", Err("data.csv:2: invalid CSV: unterminated quoted field starting at line 1"));
        // Rows before the broken one are still delivered by streaming.
        let rows: Vec<_> = l().rows_from_reader(&b"q,a\nx,1\ny,\"2\n"[..]).unwrap().collect();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].is_ok() && rows[1].is_err());
    }

    #[test]
    fn duplicate_keys_are_an_error_naming_the_key() {
        let l = || Loader::jsonl("d.jsonl");
        check(
            l(),
            "{\"q\": \"a\"}\n{\"q\": \"a\", \"q\": \"b\"}\n",
            Err("d.jsonl:2:14: invalid JSON: duplicate key `q`"),
        );
        check(l(), "{\"q\": {\"x\": 1, \"x\": 2}}", Err("d.jsonl:1:18: invalid JSON: duplicate key `x`"));
        check(
            Loader::csv("d.csv").expect("a", Expect::List),
            "a\n\"[{\"\"k\"\": 1, \"\"k\"\": 2}]\"\n",
            Err("d.csv:2: field \"a\": invalid JSON: duplicate key `k`"),
        );
    }

    #[test]
    fn a_million_levels_of_nesting_is_an_error_naming_the_limit() {
        let deep = "[".repeat(1_000_000);
        let line = format!("{{\"q\": \"a\", \"answer\": {deep}{}}}\n", "]".repeat(1_000_000));
        let err = load_bytes(&Loader::jsonl("d.jsonl"), line.into_bytes()).unwrap_err();
        assert_eq!(err, "d.jsonl:1:121: invalid JSON: nested deeper than 100 levels (the limit)");
        let cell = format!("a\n{deep}\n");
        let err = load_bytes(&Loader::csv("d.csv").expect("a", Expect::List), cell.into_bytes()).unwrap_err();
        assert_eq!(err, "d.csv:2: field \"a\": invalid JSON: nested deeper than 100 levels (the limit)");
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let rows = Loader::jsonl("d.jsonl").rows_from_reader(&b"{\"a\": 1}\n{\"a\": \"\xff\"}\n"[..]).unwrap();
        let errors: Vec<String> = rows.filter_map(|r| r.err().map(|e| e.to_string())).collect();
        assert_eq!(errors, ["d.jsonl:2: invalid JSON: the line is not valid UTF-8"]);
    }

    #[test]
    fn missing_file_is_an_io_error_naming_it() {
        let err = Loader::jsonl("/nonexistent/x.jsonl").load().unwrap_err();
        assert!(matches!(err, Error::Io { .. }));
        assert!(err.to_string().starts_with("/nonexistent/x.jsonl: "), "{err}");
    }
}
