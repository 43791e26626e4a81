//! What the fuzz targets share.

use cognate_adapters::Adapter;
use cognate_core::SignatureDesc;

/// Parses `data` (when it is UTF-8) with `adapter` and then its fallback, as `Predictor` does,
/// for a signature with outputs of every type, so the lenient JSON, Python-literal and
/// validation paths all run. Formats any error, which must not panic either.
pub fn parse_reply(adapter: &dyn Adapter, data: &[u8]) {
    let Ok(reply) = std::str::from_utf8(data) else { return };
    let sig = SignatureDesc::parse(
        "question -> answer, n: int, x: float, items: list[int], flag: bool, kind: Literal['a', 'b'], \
         extra: Optional[dict[str, list[str]]]",
    )
    .expect("valid signature");
    let parsed = adapter.parse(&sig, reply).or_else(|e| match adapter.fallback() {
        Some(fallback) => fallback.parse(&sig, reply),
        None => Err(e),
    });
    if let Err(e) = parsed {
        let _ = e.to_string();
    }
}
