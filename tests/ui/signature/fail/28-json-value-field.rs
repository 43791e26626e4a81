// `serde_json::Value` accepts any JSON, and a DSPy field has one type. The field is kept, so
// code naming it reports nothing more.
use cognate::signature;

#[signature]
struct Extract {
    #[input]
    text: String,
    #[output]
    data: serde_json::Value,
}

fn main() {
    let out = ExtractOutput { data: serde_json::Value::Null };
    let _ = out.data;
}
