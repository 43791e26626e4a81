//! `variable!` step 3: a call to a `Variable` constructor.
//!
//! `variable!(int(1..=5, step = 1), default = 2)` becomes
//! `<krate>::__private::expect_declared(<krate>::__private::Variable::int(1, 5, 1, 2))`. The
//! constructor is spanned at the kind keyword, so a field type that cannot hold the kind
//! (`float` for a `u32`) is reported there. String literal choices become `String`s.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::{Expr, Lit};

use super::validate::{Valid, ValidKind};

/// The constructor call.
pub(crate) fn expand(krate: &syn::Path, decl: &Valid) -> TokenStream {
    let private = quote!(#krate::__private);
    let span = decl.keyword.span();
    let default = &decl.default;
    let call = match &decl.kind {
        ValidKind::Float { low, high, default, log } => {
            let ctor = if *log { quote_spanned!(span=> float_log) } else { quote_spanned!(span=> float) };
            quote_spanned!(span=> #private::Variable::#ctor(#low, #high, #default))
        }
        ValidKind::Int { low, high, step } => {
            quote_spanned!(span=> #private::Variable::int(#low, #high, #step, #default))
        }
        ValidKind::Bool => return quote_spanned!(span=> #private::Variable::bool(#default)),
        ValidKind::Choice { options } => {
            let options = options.iter().map(owned);
            let default = owned(default);
            quote_spanned!(span=> #private::Variable::choice([#(#options),*], #default))
        }
        ValidKind::Variants { ty } => quote_spanned!(span=> #private::Variable::<#ty>::variants(#default)),
    };
    quote_spanned!(span=> #private::expect_declared(#call))
}

/// A string literal as an owned `String` (a `Variable<&str>` could not be deserialized).
fn owned(expr: &Expr) -> TokenStream {
    match expr {
        Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) => quote!(::std::string::String::from(#s)),
        other => quote!(#other),
    }
}
