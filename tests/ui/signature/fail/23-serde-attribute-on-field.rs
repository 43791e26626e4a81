// Renames go through `alias`, so the descriptor and the serde form agree.
use cognate::signature;

#[signature]
struct QA {
    #[input]
    #[serde(rename = "query")]
    question: String,
    #[output]
    answer: String,
}

fn main() {}
