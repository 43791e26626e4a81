// An alias is a field name in prompts: letters, digits and `_`.
use cognate::signature;

#[signature]
struct QA {
    #[input(alias = "the-question")]
    question: String,
    #[output]
    answer: String,
}

fn main() {}
