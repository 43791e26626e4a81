// A function pointer cannot be rendered in a prompt or parsed from a reply.
use cognate::signature;

#[signature]
struct QA {
    #[input]
    question: String,
    #[output]
    callback: fn(String) -> String,
}

fn main() {}
