//! `variable!` step 1: tokens to a syntax model.
//!
//! The grammar (keys after the kind, separated by commas, in any order):
//!
//! ```text
//! variable!( KIND , default = EXPR )
//! KIND := float(LOW..=HIGH)            | float(LOW..=HIGH, log)
//!       | int(LOW..=HIGH)              | int(LOW..=HIGH, step = STEP)
//!       | bool
//!       | choice[EXPR, EXPR, ...]      (strings, numbers, enum variants, ...)
//!       | choice(TYPE)                 (every variant of a unit-variant enum)
//! ```

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, RangeLimits, Token, Type};

use crate::errors::Errors;

/// A parsed declaration.
pub(crate) struct Decl {
    pub(crate) kind: Kind,
    /// The kind keyword (`float`, `int`, ...), for spans.
    pub(crate) keyword: Ident,
    pub(crate) default: Option<Expr>,
}

/// What kind of variable, with its arguments.
pub(crate) enum Kind {
    Float { low: Expr, high: Expr, range: TokenStream, log: Option<Ident> },
    Int { low: Expr, high: Expr, range: TokenStream, step: Option<Expr> },
    Bool,
    Choice { options: Vec<Expr>, brackets: Span },
    Variants { ty: Type },
}

/// Parses the declaration, recording every problem; `None` if it cannot be understood.
pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Option<Decl> {
    let parser = |input: ParseStream<'_>| parse_decl(input, errors);
    match parser.parse2(tokens) {
        Ok(decl) => decl,
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

fn parse_decl(input: ParseStream<'_>, errors: &mut Errors) -> syn::Result<Option<Decl>> {
    if input.is_empty() {
        return Err(input.error(
            "expected a variable kind: `float(0.0..=1.0)`, `int(1..=5)`, `bool`, `choice[...]` or `choice(Enum)`, then `, default = ...`",
        ));
    }
    let keyword: Ident = input.call(syn::ext::IdentExt::parse_any)?;
    let kind = match keyword.to_string().as_str() {
        "float" => {
            let content = parenthesized(input, &keyword, "float(0.0..=1.0)")?;
            let (low, high, range, rest) = range(&content)?;
            let mut log = None;
            for flag in rest {
                match flag {
                    Arg::Flag(ident) if ident == "log" && log.is_none() => log = Some(ident),
                    Arg::Flag(ident) if ident == "log" => errors.spanned(&ident, "`log` is given twice"),
                    other => errors.spanned(
                        other.tokens(),
                        "unexpected argument: `float(...)` takes a range and optionally `log`",
                    ),
                }
            }
            Kind::Float { low, high, range, log }
        }
        "int" => {
            let content = parenthesized(input, &keyword, "int(1..=5)")?;
            let (low, high, range, rest) = range(&content)?;
            let mut step = None;
            for arg in rest {
                match arg {
                    Arg::Key(ident, value) if ident == "step" && step.is_none() => step = Some(value),
                    Arg::Key(ident, _) if ident == "step" => errors.spanned(&ident, "`step` is given twice"),
                    other => errors.spanned(
                        other.tokens(),
                        "unexpected argument: `int(...)` takes a range and optionally `step = N`",
                    ),
                }
            }
            Kind::Int { low, high, range, step }
        }
        "bool" => Kind::Bool,
        "choice" => {
            if input.peek(syn::token::Bracket) {
                let content;
                let brackets = syn::bracketed!(content in input);
                let options = Punctuated::<Expr, Token![,]>::parse_terminated(&content)?;
                Kind::Choice { options: options.into_iter().collect(), brackets: brackets.span.join() }
            } else if input.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in input);
                let ty: Type = content.parse()?;
                if !content.is_empty() {
                    return Err(content.error("expected one enum type: `choice(Style)`"));
                }
                Kind::Variants { ty }
            } else {
                return Err(syn::Error::new(
                    keyword.span(),
                    "expected the options after `choice`: `choice[\"a\", \"b\"]`, or an enum type: `choice(Style)`",
                ));
            }
        }
        other => {
            return Err(syn::Error::new(
                keyword.span(),
                format!("unknown variable kind `{other}`: expected `float`, `int`, `bool` or `choice`"),
            ));
        }
    };

    let mut default = None;
    while !input.is_empty() {
        input.parse::<Token![,]>()?;
        if input.is_empty() {
            break;
        }
        let key: Ident = input.call(syn::ext::IdentExt::parse_any)?;
        input.parse::<Token![=]>()?;
        let value: Expr = input.parse()?;
        if key != "default" {
            errors.spanned(&key, format!("unknown key `{key}`: expected `default = ...`"));
        } else if default.is_some() {
            errors.spanned(&key, "`default` is given twice");
        } else {
            default = Some(value);
        }
    }
    Ok(Some(Decl { kind, keyword, default }))
}

fn parenthesized<'a>(
    input: ParseStream<'a>,
    keyword: &Ident,
    example: &str,
) -> syn::Result<syn::parse::ParseBuffer<'a>> {
    if !input.peek(syn::token::Paren) {
        return Err(syn::Error::new(keyword.span(), format!("expected a range after `{keyword}`: `{example}`")));
    }
    let content;
    syn::parenthesized!(content in input);
    Ok(content)
}

/// An argument after the range: `log` or `step = 2`.
pub(crate) enum Arg {
    Flag(Ident),
    Key(Ident, Expr),
}

impl Arg {
    fn tokens(&self) -> TokenStream {
        match self {
            Arg::Flag(i) => i.to_token_stream(),
            Arg::Key(i, e) => quote!(#i = #e),
        }
    }
}

/// `LOW..=HIGH` then `, arg`s.
fn range(content: &syn::parse::ParseBuffer<'_>) -> syn::Result<(Expr, Expr, TokenStream, Vec<Arg>)> {
    let expr: Expr = content.parse()?;
    let Expr::Range(range) = expr else {
        return Err(syn::Error::new_spanned(expr, "expected an inclusive range `low..=high`"));
    };
    let tokens = range.to_token_stream();
    let (Some(low), Some(high), RangeLimits::Closed(_)) = (range.start, range.end, range.limits) else {
        return Err(syn::Error::new_spanned(tokens, "expected an inclusive range with both bounds: `low..=high`"));
    };
    let mut args = Vec::new();
    while !content.is_empty() {
        content.parse::<Token![,]>()?;
        if content.is_empty() {
            break;
        }
        let ident: Ident = content.call(syn::ext::IdentExt::parse_any)?;
        if content.peek(Token![=]) {
            content.parse::<Token![=]>()?;
            args.push(Arg::Key(ident, content.parse()?));
        } else {
            args.push(Arg::Flag(ident));
        }
    }
    Ok((*low, *high, tokens, args))
}
