//! Parse, validate and expand Cognate's macros. A plain library so it can be unit-tested.

use proc_macro2::TokenStream;

/// Expands `#[signature]`.
pub fn signature(attr: TokenStream, item: TokenStream) -> TokenStream {
    let _ = attr;
    item
}
