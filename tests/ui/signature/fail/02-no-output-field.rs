// A signature needs at least one `#[output]` field.
use cognate::signature;

#[signature]
struct Ask {
    #[input]
    question: String,
}

fn main() {}
