// `#[output]` given twice on one field.
use cognate::signature;

#[signature]
struct QA {
    #[input]
    question: String,
    #[output]
    #[output(desc = "short")]
    answer: String,
}

fn main() {}
