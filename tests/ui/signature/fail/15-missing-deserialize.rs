// A field type must implement `Deserialize` so replies can be parsed into it. The derive on
// the generated `CiteOutput` reports it, at the field's type (serde's messages name serde
// internals: re-bless with `TRYBUILD=overwrite` after a serde upgrade).
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
