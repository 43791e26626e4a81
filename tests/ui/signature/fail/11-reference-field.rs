// The generated structs own their data: `&str` cannot be a field type.
use cognate::signature;

#[signature]
struct QA {
    #[input]
    question: &'static str,
    #[output]
    answer: String,
}

fn main() {}
