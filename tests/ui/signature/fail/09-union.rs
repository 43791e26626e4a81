// `#[signature]` goes on a struct, not a union.
use cognate::signature;

#[signature]
union QA {
    #[input]
    question: u32,
    #[output]
    answer: u32,
}

fn main() {}
