// A program is a struct with named fields: each field's name is its path.
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
struct Tuple(Predict<QA>);

fn main() {}
