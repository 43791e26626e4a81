//! The runtime's [`Error`]: everything a module, a program or a variable can fail with.

use cognate_core::{LmError, ParseError};

/// Errors raised by `cognate-runtime`, and by modules and programs: a core error (an LM
/// failure, an unparsable reply, a conversion or signature error) or one of the runtime's
/// own (a variable value outside its domain, a search space with no valid configuration,
/// saved state that does not fit, a file that cannot be read or written).
///
/// This is the error of [`Module::forward`](crate::Module::forward) and the facade's
/// `cognate::Error`. A core error converts with `?`, and so do an [`LmError`] and a boxed
/// [`ParseError`]; [`Error::as_lm_error`] and [`Error::as_parse_error`] reach them again.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error from `cognate-core`: a language model call failed ([`cognate_core::Error::Lm`]),
    /// a reply could not be parsed ([`cognate_core::Error::Parse`]), a value could not be
    /// converted, a signature or type is malformed. Displayed as the core error is.
    #[error(transparent)]
    Core(#[from] cognate_core::Error),
    /// A variable was given a value outside its domain, or a configuration breaks a constraint.
    #[error("{}", variable_message(name, reason))]
    Variable {
        /// The variable's path in the program (or the constraint's name); empty when the
        /// variable was set directly, outside a search space, and does not know its path.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A search space could not produce a valid configuration.
    #[error("search space: {0}")]
    SearchSpace(String),
    /// Saved program state does not fit the program.
    #[error("cannot load state at `{path}`: {reason}")]
    State {
        /// Where in the state the problem is (a predictor path, `path.demos[2]`, ...).
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("{action} `{path}`: {source}")]
    Io {
        /// What was being done (`cannot read`, `cannot write`).
        action: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
}

fn variable_message(name: &str, reason: &str) -> String {
    if name.is_empty() { format!("invalid variable value: {reason}") } else { format!("variable `{name}`: {reason}") }
}

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<LmError> for Error {
    fn from(error: LmError) -> Self {
        Error::Core(error.into())
    }
}

impl From<Box<ParseError>> for Error {
    fn from(error: Box<ParseError>) -> Self {
        Error::Core(error.into())
    }
}

impl Error {
    /// Whether this error is an *infrastructure* failure (the LM could not be reached or did
    /// not answer, or the system ran out of a resource) rather than a failure of the program.
    ///
    /// A core error follows [`cognate_core::Error::is_infrastructure`] (LM failures, except
    /// HTTP statuses that reject the request itself such as `400` or `422`). An
    /// [`Error::Io`] is infrastructure when the system ran out of a resource
    /// (`Too many open files`, out of memory). Everything else (variables, search spaces,
    /// state) is a program failure.
    ///
    /// Evaluation and optimizers use it to keep LM outages from being scored as wrong answers.
    pub fn is_infrastructure(&self) -> bool {
        match self {
            Error::Core(core) => core.is_infrastructure(),
            Error::Io { source, .. } => is_resource_exhaustion(source),
            _ => false,
        }
    }

    /// The LM failure, when this is one ([`cognate_core::Error::Lm`]).
    pub fn as_lm_error(&self) -> Option<&LmError> {
        match self {
            Error::Core(cognate_core::Error::Lm(lm)) => Some(lm),
            _ => None,
        }
    }

    /// The limit that ran out, when this is a call refused by a budget
    /// ([`LmError::BudgetExceeded`]): evaluation and optimizers stop the run on it.
    pub fn budget_limit(&self) -> Option<cognate_core::BudgetLimit> {
        self.as_lm_error().and_then(LmError::budget_limit)
    }

    /// The unparsable reply, when this is one ([`cognate_core::Error::Parse`]).
    pub fn as_parse_error(&self) -> Option<&ParseError> {
        match self {
            Error::Core(cognate_core::Error::Parse(parse)) => Some(parse),
            _ => None,
        }
    }
}

/// `Too many open files` (EMFILE, ENFILE), out of memory (ENOMEM) or
/// [`std::io::ErrorKind::OutOfMemory`].
fn is_resource_exhaustion(error: &std::io::Error) -> bool {
    const ENFILE: i32 = 23;
    const EMFILE: i32 = 24;
    const ENOMEM: i32 = 12;
    error.kind() == std::io::ErrorKind::OutOfMemory
        || (cfg!(unix) && matches!(error.raw_os_error(), Some(ENFILE | EMFILE | ENOMEM)))
}

#[cfg(test)]
mod tests {
    use cognate_core::ParseErrorKind;

    use super::*;

    fn http(status: u16) -> Error {
        LmError::Http { status, message: "x".into(), retry_after: None }.into()
    }

    #[test]
    fn core_errors_keep_their_classification_and_message() {
        for status in [401, 429, 503] {
            assert!(http(status).is_infrastructure(), "{status}");
        }
        for status in [400, 422] {
            assert!(!http(status).is_infrastructure(), "{status}");
        }
        assert_eq!(http(503).to_string(), "lm returned http 503: x");
        assert_eq!(http(503).as_lm_error().and_then(LmError::status), Some(503));
        assert!(http(503).as_parse_error().is_none());
        assert_eq!(http(503).budget_limit(), None);
        let limit = cognate_core::BudgetLimit::Calls { spent: 2, max: 2 };
        let refused = Error::from(LmError::BudgetExceeded { limit });
        assert_eq!(refused.budget_limit(), Some(limit));
        assert!(refused.is_infrastructure());

        let parse = Box::new(ParseError {
            adapter: "ChatAdapter".into(),
            kind: ParseErrorKind::MissingFields,
            raw: "junk".into(),
            expected: vec!["answer".into()],
            found: Some(vec![]),
            detail: String::new(),
        });
        let error = Error::from(parse);
        assert!(!error.is_infrastructure());
        assert_eq!(error.as_parse_error().map(|p| p.raw.as_str()), Some("junk"));
        assert!(error.as_lm_error().is_none());
        assert!(error.to_string().starts_with("Adapter ChatAdapter failed to parse the LM response."), "{error}");
    }

    #[test]
    fn resource_exhaustion_is_infrastructure_and_other_io_is_not() {
        let io = |source| Error::Io { action: "cannot read", path: "f".into(), source };
        assert!(io(std::io::Error::from_raw_os_error(24)).is_infrastructure());
        assert!(io(std::io::Error::from(std::io::ErrorKind::OutOfMemory)).is_infrastructure());
        let not_found = io(std::io::Error::from(std::io::ErrorKind::NotFound));
        assert!(!not_found.is_infrastructure());
        assert!(not_found.to_string().starts_with("cannot read `f`: "), "{not_found}");
    }

    #[test]
    fn runtime_failures_are_program_failures() {
        let variable = Error::Variable { name: "hops".into(), reason: "11 is outside 1..=9".into() };
        assert!(!variable.is_infrastructure());
        assert_eq!(variable.to_string(), "variable `hops`: 11 is outside 1..=9");
        let unnamed = Error::Variable { name: String::new(), reason: "bad".into() };
        assert_eq!(unnamed.to_string(), "invalid variable value: bad");
        assert!(!Error::SearchSpace("empty".into()).is_infrastructure());
        let state = Error::State { path: "answer.demos[2]".into(), reason: "not an object".into() };
        assert!(!state.is_infrastructure());
        assert_eq!(state.to_string(), "cannot load state at `answer.demos[2]`: not an object");
    }
}
