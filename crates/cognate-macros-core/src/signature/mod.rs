//! `#[signature]`: a struct with `#[input]` and `#[output]` fields becomes a typed signature.

mod expand;
mod parse;
mod validate;

#[cfg(test)]
mod tests;

use proc_macro2::TokenStream;
use quote::quote;

use crate::errors::Errors;

/// parse → validate → expand, then every error as a `compile_error!` next to the output.
pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let krate = crate::krate::from_attr("signature", attr, &mut errors);
    let output = match parse::item(item, &mut errors) {
        parse::Item::Struct(def) => expand::expand(&validate::validate(krate, *def, &mut errors)),
        parse::Item::Other(tokens) => tokens,
    };
    let errors = errors.into_compile_errors();
    quote!(#output #errors)
}
