// Const generic parameters are not supported; a tunable number is a `Variable`.
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
struct Hops<const N: usize> {
    hops: Vec<Predict<QA>>,
}

fn main() {}
