// A field type must implement `Deserialize` so replies can be parsed into it.
use cognate::signature;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Serialize, JsonSchema, Clone, Debug)]
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
