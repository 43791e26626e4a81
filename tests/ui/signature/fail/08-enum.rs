// `#[signature]` goes on a struct, not an enum.
use cognate::signature;

#[signature]
enum QA {
    Question(String),
    Answer(String),
}

fn main() {}
