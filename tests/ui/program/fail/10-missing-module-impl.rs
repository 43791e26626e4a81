// A program needs its `forward`: `impl Module for Rag`.
use cognate::prelude::*;

/// Answer.
#[signature]
struct QA {
    #[input]
    question: String,
    #[output]
    answer: String,
}

#[program]
#[derive(Clone)]
struct Rag {
    answer: Predict<QA>,
}

fn main() {}
