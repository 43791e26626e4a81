//! The crate's [`Error`] type.

use std::path::PathBuf;

use crate::evaluate::EvaluationResult;

/// Errors raised by `cognate-eval`: bad dataset rows, bad split requests, export failures, an
/// exhausted error budget, runs failed by infrastructure errors and runs stopped by a spent LM
/// budget.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A dataset row could not be read: the message names the file, line and (when known) the
    /// column and field, as in `data.jsonl:17: field "answer": expected a string, got null`.
    #[error("{}{kind}", location(path, *line, *column, field.as_deref()))]
    Row {
        /// The file.
        path: PathBuf,
        /// The 1-based line number of the row.
        line: u64,
        /// The 1-based column, for syntax errors.
        column: Option<u64>,
        /// The field (after mapping, the signature's name for it), when one field is at fault.
        field: Option<String>,
        /// What is wrong.
        kind: RowErrorKind,
    },
    /// A dataset file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// A split or sample asked for more examples than there are, or for bad fractions.
    #[error("invalid split: {0}")]
    Split(String),
    /// Results could not be written.
    #[error("cannot export results: {0}")]
    Export(String),
    /// The failures reached `max_errors`. The evaluation stopped issuing calls; `partial`
    /// holds the records completed so far (in dataset order) and their totals, and
    /// [`EvaluationResult::failures`] lists what failed.
    #[error("evaluation stopped: {errors} errors reached the budget of {max_errors}")]
    TooManyErrors {
        /// Errors seen when the evaluation stopped.
        errors: usize,
        /// The budget.
        max_errors: usize,
        /// What was completed before stopping.
        partial: Box<EvaluationResult>,
    },
    /// More examples than the [`InfraPolicy`](crate::InfraPolicy) allows hit infrastructure
    /// errors (the LM could not be reached or did not answer), so the score would measure the
    /// outage rather than the program. The evaluation stopped issuing calls; `partial` holds
    /// the records completed so far.
    #[error(
        "evaluation failed: {infra_errors} of {examples} examples hit infrastructure errors (more than {}) after {completed} completed; first: {first}",
        percent(max_fraction)
    )]
    Infrastructure {
        /// Examples that hit infrastructure errors when the evaluation stopped.
        infra_errors: usize,
        /// Examples in the dataset.
        examples: usize,
        /// Examples completed when the evaluation stopped.
        completed: usize,
        /// The policy's largest allowed fraction.
        max_fraction: f64,
        /// The first infrastructure error.
        #[source]
        first: std::sync::Arc<cognate_runtime::Error>,
        /// What was completed before stopping.
        partial: Box<EvaluationResult>,
    },
    /// The LM budget ran out ([`cognate_lm::Budget`]: a call was refused with
    /// [`LmError::BudgetExceeded`](cognate_core::LmError::BudgetExceeded)). The evaluation
    /// started no more examples and let those already running finish; `partial` holds every
    /// example evaluated, in dataset order, and their totals. Examples whose call was refused
    /// are not in it (they were not evaluated, so they are neither scored nor counted as
    /// errors).
    #[error("evaluation stopped: the LM budget ran out ({limit}) after {completed} of {examples} examples")]
    BudgetExceeded {
        /// The limit that ran out, with what was spent when the first call was refused.
        limit: cognate_core::BudgetLimit,
        /// Examples evaluated.
        completed: usize,
        /// Examples in the dataset.
        examples: usize,
        /// What was completed before stopping.
        partial: Box<EvaluationResult>,
    },
}

impl Error {
    /// The partial results of a stopped evaluation ([`Error::TooManyErrors`],
    /// [`Error::Infrastructure`], [`Error::BudgetExceeded`]).
    pub fn partial(&self) -> Option<&EvaluationResult> {
        match self {
            Error::TooManyErrors { partial, .. }
            | Error::Infrastructure { partial, .. }
            | Error::BudgetExceeded { partial, .. } => Some(partial),
            _ => None,
        }
    }

    /// The LM budget's limit that ran out, for [`Error::BudgetExceeded`].
    pub fn budget_limit(&self) -> Option<cognate_core::BudgetLimit> {
        match self {
            Error::BudgetExceeded { limit, .. } => Some(*limit),
            _ => None,
        }
    }
}

fn percent(fraction: &f64) -> String {
    format!("{}%", (fraction * 1000.0).round() / 10.0)
}

/// What is wrong with one dataset row (see [`Error::Row`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RowErrorKind {
    /// The line is not valid JSON.
    InvalidJson(String),
    /// The JSON line is not an object.
    NotAnObject(&'static str),
    /// The CSV record could not be parsed.
    InvalidCsv(String),
    /// A CSV quoted field is still open at the end of the file (reported at the file's last
    /// line).
    UnterminatedQuote {
        /// The 1-based line of the field's opening quote.
        start_line: u64,
    },
    /// A mapped column or key is absent.
    MissingField {
        /// The column or key as named in the file.
        source_name: String,
    },
    /// A field's value does not have the expected kind.
    WrongType {
        /// What was expected, e.g. `a string`.
        expected: &'static str,
        /// What was found, e.g. `null`.
        found: String,
    },
}

impl std::fmt::Display for RowErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RowErrorKind::InvalidJson(e) => write!(f, "invalid JSON: {e}"),
            RowErrorKind::NotAnObject(found) => write!(f, "expected a JSON object, got {found}"),
            RowErrorKind::InvalidCsv(e) => write!(f, "invalid CSV: {e}"),
            RowErrorKind::UnterminatedQuote { start_line } => {
                write!(f, "invalid CSV: unterminated quoted field starting at line {start_line}")
            }
            RowErrorKind::MissingField { source_name } => write!(f, "missing column `{source_name}`"),
            RowErrorKind::WrongType { expected, found } => write!(f, "expected {expected}, got {found}"),
        }
    }
}

fn location<'a>(
    path: &'a std::path::Path,
    line: u64,
    column: Option<u64>,
    field: Option<&'a str>,
) -> LocationDisplay<'a> {
    LocationDisplay { path, line, column, field }
}

struct LocationDisplay<'a> {
    path: &'a std::path::Path,
    line: u64,
    column: Option<u64>,
    field: Option<&'a str>,
}

impl std::fmt::Display for LocationDisplay<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)?;
        if let Some(column) = self.column {
            write!(f, ":{column}")?;
        }
        f.write_str(": ")?;
        if let Some(field) = self.field {
            write!(f, "field {field:?}: ")?;
        }
        Ok(())
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
