// The struct becomes a marker type with its own derives.
use cognate::signature;

#[signature]
#[derive(Debug, Clone)]
struct QA {
    #[input]
    question: String,
    #[output]
    answer: String,
}

fn main() {}
