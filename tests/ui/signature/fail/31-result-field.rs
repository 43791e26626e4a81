// A `Result` is one of two shapes; a DSPy field has one.
use cognate::signature;

#[signature]
struct Extract {
    #[input]
    text: String,
    #[output]
    answer: Result<String, String>,
}

fn main() {}
