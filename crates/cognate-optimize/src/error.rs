//! The crate's [`Error`] type.

use std::path::PathBuf;

use cognate_core::BudgetLimit;

use crate::partial::{PartialOptimization, describe};

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
        last: cognate_runtime::Error,
    },
    /// More bootstrap runs hit infrastructure errors (the LM could not be reached or did not
    /// answer) than the [`InfraPolicy`](cognate_eval::InfraPolicy) allows, so the demos
    /// would reflect the outage rather than the program. (Evaluations report the same as
    /// [`Error::Eval`] with [`cognate_eval::Error::Infrastructure`].)
    #[error(
        "stopped: {infra_errors} of {runs} bootstrap runs hit infrastructure errors (more than {}% of {examples} examples); first: {first}",
        (max_fraction * 1000.0).round() / 10.0
    )]
    Infrastructure {
        /// Runs that hit infrastructure errors.
        infra_errors: usize,
        /// Runs attempted.
        runs: usize,
        /// Training examples.
        examples: usize,
        /// The policy's largest allowed fraction of the examples.
        max_fraction: f64,
        /// The first infrastructure error.
        #[source]
        first: cognate_runtime::Error,
    },
    /// An LM budget ran out ([`cognate_lm::Budget`]: a call was refused with
    /// [`LmError::BudgetExceeded`](cognate_core::LmError::BudgetExceeded)), so the optimizer
    /// stopped. `stopped_at` names the unit of work that was cut, with the ids of the report's
    /// trials and the checkpoint's records (`bootstrap/<example>/<round>`, `candidate/<seed>`
    /// or `candidate/<seed>/bootstrap/<example>/<round>`, `trial/<n>`); `partial` holds the
    /// trials finished and the best program so far. Finished work is in the checkpoint, if any:
    /// the same run with a larger budget resumes after it.
    #[error("{optimizer} stopped at {stopped_at}: the LM budget ran out ({limit}); {}", describe(partial))]
    BudgetExceeded {
        /// The optimizer, e.g. `VariableSearch`.
        optimizer: &'static str,
        /// The limit that ran out, with what was spent when the first call was refused.
        limit: BudgetLimit,
        /// The unit of work that was cut.
        stopped_at: String,
        /// The trials finished and the best so far.
        partial: Box<PartialOptimization>,
    },
    /// An optimizer was configured inconsistently (e.g. no training examples).
    #[error("invalid optimizer configuration: {0}")]
    Config(String),
    /// Evaluation failed.
    #[error(transparent)]
    Eval(#[from] cognate_eval::Error),
    /// The program failed (or a variable, search space or saved state was invalid).
    #[error(transparent)]
    Program(#[from] cognate_runtime::Error),
}

impl From<cognate_core::Error> for Error {
    /// A core error (an LM failure, an unparsable reply, a conversion) is the program's.
    fn from(error: cognate_core::Error) -> Self {
        Error::Program(error.into())
    }
}

impl Error {
    /// The LM budget's limit that stopped the optimizer, for [`Error::BudgetExceeded`].
    pub fn budget_limit(&self) -> Option<BudgetLimit> {
        match self {
            Error::BudgetExceeded { limit, .. } => Some(*limit),
            _ => None,
        }
    }

    /// What the optimizer had when an LM budget stopped it, for [`Error::BudgetExceeded`].
    pub fn partial(&self) -> Option<&PartialOptimization> {
        match self {
            Error::BudgetExceeded { partial, .. } => Some(partial),
            _ => None,
        }
    }

    /// Whether the optimizer stopped because of infrastructure errors (its own
    /// [`Error::Infrastructure`], an evaluation's, or an infrastructure error of the program).
    pub fn is_infrastructure(&self) -> bool {
        match self {
            Error::Infrastructure { .. } | Error::Eval(cognate_eval::Error::Infrastructure { .. }) => true,
            Error::Program(e) => e.is_infrastructure(),
            _ => false,
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
