//! Integration tests of cognate-eval, one binary: `Evaluate`, datasets and exports, and the
//! text metrics against DSPy 3.4.1.

mod dspy_metrics;
mod evaluate;
