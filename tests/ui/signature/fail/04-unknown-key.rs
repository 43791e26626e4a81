// `#[input(...)]` takes `desc`, `alias` and `prefix` only.
use cognate::signature;

#[signature]
struct QA {
    #[input(description = "a trivia question")]
    question: String,
    #[output]
    answer: String,
}

fn main() {}
