// DSPy dictionaries have string keys.
use std::collections::HashMap;

use cognate::signature;

#[signature]
struct Scores {
    #[input]
    text: String,
    #[output]
    by_line: HashMap<u32, f64>,
}

fn main() {}
