// `desc` takes a string literal.
use cognate::signature;

#[signature]
struct QA {
    #[input(desc = question_desc)]
    question: String,
    #[output]
    answer: String,
}

fn main() {}
