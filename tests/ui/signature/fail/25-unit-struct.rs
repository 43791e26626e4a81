// A signature needs fields.
use cognate::signature;

#[signature]
struct QA;

fn main() {}
