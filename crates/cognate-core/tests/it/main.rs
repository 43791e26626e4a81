//! Integration tests of cognate-core, one binary: error messages, and properties of type
//! spellings and string signatures.

mod errors;
mod types;
