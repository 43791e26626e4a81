//! Integration tests of cognate-runtime, one binary.

mod kill_during_save;
