//! Runtime string signatures and type spellings: any text is a signature or a typed error.
#![no_main]

use cognate_core::{SignatureDesc, TypeDesc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(sig) = SignatureDesc::parse(text) {
        // A parsed signature prints and re-parses its types.
        for field in sig.inputs.iter().chain(&sig.outputs) {
            let spelled = field.ty.to_string();
            TypeDesc::parse(&spelled, &field.ty.models()).expect("a printed type parses");
        }
    }
    let _ = TypeDesc::parse(text, &[]);
});
