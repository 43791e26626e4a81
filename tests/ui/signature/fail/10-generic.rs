// A signature is one fixed contract: no type or lifetime parameters.
use cognate::signature;

#[signature]
struct QA<T> {
    #[input]
    question: T,
    #[output]
    answer: String,
}

fn main() {}
