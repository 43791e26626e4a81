// A field is an input or an output, not both.
use cognate::signature;

#[signature]
struct QA {
    #[input]
    question: String,
    #[input]
    #[output]
    answer: String,
    #[output]
    confidence: f32,
}

fn main() {}
