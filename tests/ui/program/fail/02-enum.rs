// `#[program]` on an enum: to switch modules at run time, use a module-choice variable.
use cognate::prelude::*;

#[program]
enum Strategy {
    Fast,
    Careful,
}

fn main() {}
