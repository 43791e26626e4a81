//! Integration tests of cognate-bench, one binary.

mod smoke;
