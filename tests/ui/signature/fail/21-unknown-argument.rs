// `#[signature(...)]` takes `crate = path` only.
use cognate::signature;

#[signature(name = "QuestionAnswer")]
struct QA {
    #[input]
    question: String,
    #[output]
    answer: String,
}

fn main() {}
