//! `#[program]`: a struct of modules, variables and sub-programs becomes an introspectable
//! program (`impl Component` + `impl Program`).

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
    let krate = crate::krate::from_attr("program", attr, &mut errors);
    let output = match parse::item(item, &mut errors) {
        parse::Item::Struct { def, emitted } => match validate::validate(krate, *def, &mut errors) {
            Some(program) => {
                let impls = expand::expand(&program);
                quote!(#emitted #impls)
            }
            None => emitted,
        },
        parse::Item::Other(tokens) => tokens,
    };
    let errors = errors.into_compile_errors();
    quote!(#output #errors)
}
