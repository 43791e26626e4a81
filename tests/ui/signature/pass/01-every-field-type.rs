// Every supported field type, and the descriptor built from them.

use std::collections::{BTreeMap, HashMap};

use cognate::TypeDesc;
use cognate::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
#[serde(rename_all = "lowercase")]
enum Mood {
    Happy,
    Sad,
}

/// A citation.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug)]
struct Citation {
    /// where it comes from
    source: String,
    page: Option<u32>,
}

/// Exercise every type.
#[signature]
struct Everything {
    #[input]
    text: String,
    #[input]
    flag: bool,
    #[input]
    small: i8,
    #[input]
    big: u128,
    #[input]
    size: usize,
    #[input]
    ratio: f32,
    #[input]
    precise: f64,
    #[input]
    tags: Vec<String>,
    #[input]
    counts: HashMap<String, i64>,
    #[input]
    sorted: BTreeMap<String, Vec<bool>>,
    #[input]
    maybe: Option<i32>,
    #[output]
    mood: Mood,
    #[output]
    citations: Vec<Citation>,
    #[output]
    best: Option<Citation>,
    #[output]
    fixed: [u8; 2],
}

fn main() {
    let desc = Everything::descriptor();
    let types: Vec<String> = desc.inputs.iter().chain(&desc.outputs).map(|f| f.ty.python_name()).collect();
    assert_eq!(
        types,
        [
            "str",
            "bool",
            "int",
            "int",
            "int",
            "float",
            "float",
            "list[str]",
            "dict[str, int]",
            "dict[str, list[bool]]",
            "Union[int, NoneType]",
            "Literal['happy', 'sad']",
            "list[Citation]",
            "Union[Citation, NoneType]",
            "list[int]",
        ]
    );
    let models = desc.outputs[1].ty.models();
    assert_eq!(models[0].name, "Citation");
    assert_eq!(models[0].description.as_deref(), Some("A citation."));
    let TypeDesc::Optional(best) = &desc.outputs[2].ty else { unreachable!() };
    let TypeDesc::Model(best) = best.as_ref() else { unreachable!() };
    assert_eq!(best.fields[0].description.as_deref(), Some("where it comes from"));
    assert!(best.fields[0].required && !best.fields[1].required);
    let output = EverythingOutput {
        mood: Mood::Sad,
        citations: vec![Citation { source: "a".into(), page: None }],
        best: None,
        fixed: [1, 2],
    };
    let _ = output.clone();
}
