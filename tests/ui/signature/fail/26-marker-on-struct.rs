// `#[input]` marks a field, not the struct.
use cognate::signature;

#[signature]
#[input]
struct QA {
    #[input]
    question: String,
    #[output]
    answer: String,
}

fn main() {}
