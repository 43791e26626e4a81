//! Where the `cognate` facade is, for every macro: the one parser of `crate = path`.
//!
//! Generated code names everything through `<krate>::__private`. The path is `::cognate`
//! unless overridden:
//!
//! - `#[signature(crate = path)]` and `#[program(crate = path)]` take it as their only
//!   argument ([`from_attr`]);
//! - the facade's `macro_rules! variable` forwards `$crate; <declaration>` to the proc macro
//!   ([`split_prefix`]).
//!
//! Either way the path is written as a path (`::my::facade`, `$crate`) or as a string literal
//! holding one (`"::my::facade"`, as serde's `crate = "..."` is spelled).

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{ParseStream, Parser};
use syn::{LitStr, Path};

use crate::errors::Errors;

/// The facade's path when nothing overrides it.
pub(crate) fn default_path() -> Path {
    syn::parse_quote!(::cognate)
}

/// Parses an attribute macro's arguments: nothing, or `crate = path`. Returns the facade's
/// path (`::cognate` by default); a bad argument is reported and the default kept.
/// `macro_name` (`signature`, `program`) is for the messages.
pub(crate) fn from_attr(macro_name: &str, attr: TokenStream, errors: &mut Errors) -> Path {
    let mut krate: Option<Path> = None;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("crate") {
            let path = path(meta.value()?)?;
            if krate.is_some() {
                return Err(meta.error("duplicate `crate` argument"));
            }
            krate = Some(path);
            Ok(())
        } else {
            Err(meta.error(format!(
                "unknown argument `{}`: expected `crate = path`, as in `#[{macro_name}(crate = ::cognate)]`",
                meta.path.to_token_stream().to_string().replace(' ', "")
            )))
        }
    });
    if let Err(e) = parser.parse2(attr) {
        errors.push(e);
    }
    krate.unwrap_or_else(default_path)
}

/// Splits `krate ; tokens` (what a facade `macro_rules!` forwards) into the facade's path and
/// the rest. With no top-level `;` the whole input is the rest and the path is `::cognate`;
/// a prefix that is not a path is reported and the default kept.
pub(crate) fn split_prefix(input: TokenStream, errors: &mut Errors) -> (Path, TokenStream) {
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let Some(semi) = tokens.iter().position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';')) else {
        return (default_path(), tokens.into_iter().collect());
    };
    let prefix: TokenStream = tokens[..semi].iter().cloned().collect();
    let rest = tokens[semi + 1..].iter().cloned().collect();
    let krate = match path.parse2(prefix) {
        Ok(krate) => krate,
        Err(e) => {
            errors.push(syn::Error::new(
                e.span(),
                "expected the path of the `cognate` crate before `;`, as in `::cognate; float(0.0..=1.0), default = 0.5`",
            ));
            default_path()
        }
    };
    (krate, rest)
}

/// A path, or a string literal holding one.
fn path(input: ParseStream<'_>) -> syn::Result<Path> {
    if input.peek(LitStr) { input.parse::<LitStr>()?.parse() } else { Path::parse_mod_style(input) }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn messages(errors: Errors) -> Vec<String> {
        let file: syn::File = syn::parse2(errors.into_compile_errors()).unwrap();
        file.items
            .iter()
            .map(|i| match i {
                syn::Item::Macro(m) => m.mac.parse_body::<LitStr>().unwrap().value(),
                other => panic!("not a compile_error: {}", other.to_token_stream()),
            })
            .collect()
    }

    fn compact(path: &Path) -> String {
        path.to_token_stream().to_string().replace(' ', "")
    }

    #[test]
    fn attribute_arguments_are_nothing_or_a_crate_path() {
        let mut errors = Errors::default();
        assert_eq!(compact(&from_attr("signature", quote!(), &mut errors)), "::cognate");
        assert_eq!(compact(&from_attr("signature", quote!(crate = ::my::facade), &mut errors)), "::my::facade");
        assert_eq!(compact(&from_attr("program", quote!(crate = "::my::facade"), &mut errors)), "::my::facade");
        assert_eq!(compact(&from_attr("program", quote!(crate = reexport), &mut errors)), "reexport");
        assert!(errors.is_empty());
    }

    #[test]
    fn attribute_arguments_report_unknown_duplicate_and_malformed_keys() {
        let mut errors = Errors::default();
        assert_eq!(compact(&from_attr("signature", quote!(name = "x"), &mut errors)), "::cognate");
        assert_eq!(compact(&from_attr("program", quote!(krate = ::x), &mut errors)), "::cognate");
        assert_eq!(compact(&from_attr("program", quote!(crate = ::a, crate = ::b), &mut errors)), "::a");
        from_attr("program", quote!(crate = "not a path"), &mut errors);
        from_attr("program", quote!(crate = ::a<u8>), &mut errors);
        let msgs = messages(errors);
        assert_eq!(msgs.len(), 5, "{msgs:?}");
        assert_eq!(
            msgs[0],
            "unknown argument `name`: expected `crate = path`, as in `#[signature(crate = ::cognate)]`"
        );
        assert_eq!(msgs[1], "unknown argument `krate`: expected `crate = path`, as in `#[program(crate = ::cognate)]`");
        assert_eq!(msgs[2], "duplicate `crate` argument");
    }

    #[test]
    fn prefixes_split_at_the_first_top_level_semicolon() {
        let mut errors = Errors::default();
        let (krate, rest) = split_prefix(quote!(::my::facade; bool, default = { a; b }), &mut errors);
        assert_eq!(compact(&krate), "::my::facade");
        assert_eq!(
            rest.to_string(),
            quote!(
                bool,
                default = {
                    a;
                    b
                }
            )
            .to_string()
        );
        let (krate, rest) = split_prefix(quote!("::quoted"; bool), &mut errors);
        assert_eq!((compact(&krate), rest.to_string()), ("::quoted".into(), "bool".into()));
        let (krate, rest) = split_prefix(
            quote!(
                bool,
                default = {
                    a;
                    b
                }
            ),
            &mut errors,
        );
        assert_eq!(compact(&krate), "::cognate", "no top-level `;`: the default");
        assert_eq!(
            rest.to_string(),
            quote!(
                bool,
                default = {
                    a;
                    b
                }
            )
            .to_string()
        );
        assert!(errors.is_empty());

        let (krate, rest) = split_prefix(quote!(1 + 2; bool), &mut errors);
        assert_eq!((compact(&krate), rest.to_string()), ("::cognate".into(), "bool".into()));
        let msgs = messages(errors);
        assert_eq!(msgs.len(), 1);
        assert!(msgs[0].starts_with("expected the path of the `cognate` crate before `;`"), "{msgs:?}");
    }
}
