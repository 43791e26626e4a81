// Two fields cannot share a prompt name.
use cognate::signature;

#[signature]
struct QA {
    #[input(alias = "text")]
    question: String,
    #[input(alias = "text")]
    context: String,
    #[output]
    answer: String,
}

fn main() {}
