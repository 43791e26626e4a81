// An alias cannot take another field's name (inputs and outputs share one namespace).
use cognate::signature;

#[signature]
struct QA {
    #[input]
    question: String,
    #[output(alias = "question")]
    answer: String,
}

fn main() {}
