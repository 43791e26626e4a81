//! `XmlAdapter` parsing (with its fallback, as `Predictor` does) of any reply: never a panic, a
//! stack overflow or a stall. Outputs of every type, so the lenient JSON, Python-literal and
//! validation paths all run.
#![no_main]

use cognate_adapters::{Adapter, XmlAdapter};
use cognate_core::SignatureDesc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(reply) = std::str::from_utf8(data) else { return };
    let sig = SignatureDesc::parse(
        "question -> answer, n: int, x: float, items: list[int], flag: bool, kind: Literal['a', 'b'], \
         extra: Optional[dict[str, list[str]]]",
    )
    .expect("valid signature");
    let adapter = XmlAdapter;
    let parsed = adapter.parse(&sig, reply).or_else(|e| match adapter.fallback() {
        Some(fallback) => fallback.parse(&sig, reply),
        None => Err(e),
    });
    if let Err(e) = parsed {
        // Formatting the error must not panic either.
        let _ = e.to_string();
    }
});
