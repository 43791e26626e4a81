//! The crate's [`Error`] type.

use std::path::PathBuf;

/// Errors raised by optimizers.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A checkpoint file could not be opened, read or written.
    #[error("checkpoint {}: {source}", path.display())]
    CheckpointIo {
        /// The checkpoint file.
        path: PathBuf,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// A checkpoint line other than the last is not a valid record (a torn last line, as left
    /// by a killed process, is tolerated and dropped).
    #[error("checkpoint {}:{line}: corrupt record: {message}", path.display())]
    CorruptCheckpoint {
        /// The checkpoint file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A checkpointed value does not have the shape this optimizer expects (e.g. the file was
    /// written by another optimizer).
    #[error("checkpoint record {id:?} does not match this optimizer: {message}")]
    CheckpointMismatch {
        /// The record's key.
        id: String,
        /// What is wrong.
        message: String,
    },
    /// An example's inputs could not be turned into the program's input type.
    #[error("example {index}: cannot build the program's input: {message}")]
    Input {
        /// The example's index in the training set.
        index: usize,
        /// The deserialization error.
        message: String,
    },
    /// A run of the program (or of the metric) failed more times than `max_errors` allows.
    #[error("stopped after {errors} errors (max_errors = {max_errors}); last: {last}")]
    TooManyErrors {
        /// Errors seen.
        errors: usize,
        /// The budget.
        max_errors: usize,
        /// The last error.
        #[source]
        last: cognate_core::Error,
    },
    /// An optimizer was configured inconsistently (e.g. no training examples).
    #[error("invalid optimizer configuration: {0}")]
    Config(String),
    /// Evaluation failed.
    #[error(transparent)]
    Eval(#[from] cognate_eval::Error),
    /// The program failed.
    #[error(transparent)]
    Program(#[from] cognate_core::Error),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
