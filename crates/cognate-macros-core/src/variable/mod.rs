//! `variable!`: a typed, validated variable declaration, e.g.
//! `variable!(int(1..=5, step = 1), default = 2)`.
//!
//! The facade's `macro_rules! variable` forwards `$crate; <tokens>` here (sqlx `query!`
//! style), so the expansion names the runtime through `$crate::__private` (the prefix is read
//! by [`crate::krate::split_prefix`], the parser `crate = path` uses too).

mod expand;
mod parse;
mod validate;

#[cfg(test)]
mod tests;

use proc_macro2::TokenStream;
use quote::quote;

use crate::errors::Errors;

/// parse → validate → expand. On errors: the `compile_error!`s in a block whose value is the
/// expansion when there is one, else `unreachable!()` (which type-checks anywhere), so the
/// surrounding code reports nothing more.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let (krate, tokens) = crate::krate::split_prefix(input, &mut errors);
    let decl = parse::parse(tokens, &mut errors);
    let decl = decl.and_then(|decl| validate::validate(decl, &mut errors));
    let body = match decl {
        Some(decl) => expand::expand(&krate, &decl),
        None => quote!(::core::unreachable!()),
    };
    let errors = errors.into_compile_errors();
    if errors.is_empty() { body } else { quote!({ #errors #body }) }
}
