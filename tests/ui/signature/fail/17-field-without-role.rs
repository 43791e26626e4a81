// Every field is marked `#[input]` or `#[output]`.
use cognate::signature;

#[signature]
struct QA {
    #[input]
    question: String,
    context: String,
    #[output]
    answer: String,
}

fn main() {}
