// Programs own their parts: no lifetime parameters.
use cognate::prelude::*;

#[program]
#[derive(Clone)]
struct Borrowing<'a> {
    #[skip]
    passages: &'a [String],
}

fn main() {}
