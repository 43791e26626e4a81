// A key given twice in one attribute.
use cognate::signature;

#[signature]
struct QA {
    #[input(desc = "a question", desc = "a trivia question")]
    question: String,
    #[output]
    answer: String,
}

fn main() {}
