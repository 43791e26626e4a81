//! Integration tests of cognate-adapters, one binary: every DSPy 3.4.1 reference vector
//! (format and parse) and the hostile replies.

mod common;
mod format_vectors;
mod hostile;
mod parse_vectors;
