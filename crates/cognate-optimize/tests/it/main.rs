//! Integration tests of cognate-optimize, one binary.

mod bootstrap;
mod budget;
mod common;
mod ensemble;
mod infra;
mod knn;
mod labeled;
mod parity;
mod random_search;
mod search;
