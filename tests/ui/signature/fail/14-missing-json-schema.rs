// A field type must implement `schemars::JsonSchema` so its type can be described;
// the error points at the field's type.
use cognate::signature;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug)]
struct Citation {
    source: String,
}

#[signature]
struct Cite {
    #[input]
    question: String,
    #[output]
    citation: Citation,
}

fn main() {}
