// A signature needs at least one `#[input]` field.
use cognate::signature;

#[signature]
struct Answer {
    #[output]
    answer: String,
}

fn main() {}
