// `PhantomData` holds no value, so it has no DSPy type.
use std::marker::PhantomData;

use cognate::signature;

#[signature]
struct Extract {
    #[input]
    text: String,
    #[input]
    marker: PhantomData<u8>,
    #[output]
    answer: String,
}

fn main() {}
