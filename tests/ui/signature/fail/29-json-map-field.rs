// A `serde_json::Map`'s values can be any JSON: use `HashMap<String, T>` with a concrete `T`.
use cognate::signature;

#[signature]
struct Extract {
    #[input]
    text: String,
    #[output]
    fields: Vec<serde_json::Map<String, serde_json::Value>>,
}

fn main() {}
