//! Procedural macro entry points of Cognate. The logic lives in `cognate-macros-core`.

use proc_macro::TokenStream;

/// Declares a typed signature. See the `cognate` crate's documentation.
#[proc_macro_attribute]
pub fn signature(attr: TokenStream, item: TokenStream) -> TokenStream {
    cognate_macros_core::signature(attr.into(), item.into()).into()
}
