// Several mistakes in one struct: each is reported once, at its own span, in one build.
use cognate::signature;

#[signature]
struct QA {
    #[input(desc = 42)]
    question: String,
    context: String,
    #[output(prefx = "Answer:")]
    answer: (String, String),
}

fn main() {}
