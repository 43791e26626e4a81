// Tuples have no DSPy type, even nested in a `Vec`.
use cognate::signature;

#[signature]
struct Pairs {
    #[input]
    text: String,
    #[output]
    pairs: Vec<(String, u32)>,
}

fn main() {}
