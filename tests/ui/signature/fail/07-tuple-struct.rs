// A signature's fields need names.
use cognate::signature;

#[signature]
struct QA(#[input] String, #[output] String);

fn main() {}
