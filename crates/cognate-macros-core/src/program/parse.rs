//! `#[program]` step 1: tokens to a syntax model.
//!
//! Parsing never stops at the first problem: a malformed `#[component(...)]` key is reported
//! and skipped, the rest is still read.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Expr, ExprLit, Fields, Generics, Ident, Lit, LitStr, Meta, Type};

use crate::errors::Errors;

/// A named field of the program struct.
pub(crate) struct FieldDef {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    /// Every `#[skip]` on the field (more than one is an error).
    pub(crate) skips: Vec<Attribute>,
    /// Every `#[component(...)]` on the field (more than one is an error).
    pub(crate) components: Vec<Attribute>,
    /// `rename = "..."`, from the first `#[component(...)]` that has one.
    pub(crate) rename: Option<LitStr>,
    /// The field's `#[cfg(...)]`s, repeated on the code that visits it.
    pub(crate) cfgs: Vec<Attribute>,
}

/// The annotated struct.
pub(crate) struct StructDef {
    pub(crate) ident: Ident,
    pub(crate) generics: Generics,
    pub(crate) fields: Vec<FieldDef>,
}

/// What `#[program]` was put on.
pub(crate) enum Item {
    /// A struct with named fields, and the struct as it must be emitted (the macro's
    /// attributes removed).
    Struct { def: Box<StructDef>, emitted: TokenStream },
    /// Anything else (already reported): emit these tokens as they are.
    Other(TokenStream),
}

fn is_marker(attr: &Attribute) -> bool {
    attr.path().is_ident("skip") || attr.path().is_ident("component")
}

const EXPECTED: &str = "`#[program]` expects a struct with named fields: `struct RAG { generate: ChainOfThought<QA>, #[skip] retriever: Retriever }`";

/// Parses the annotated item. Anything but a struct with named fields is reported here.
pub(crate) fn item(tokens: TokenStream, errors: &mut Errors) -> Item {
    let mut input: DeriveInput = match syn::parse2(tokens.clone()) {
        Ok(input) => input,
        Err(_) => {
            let span = tokens.clone().into_iter().next().map_or_else(Span::call_site, |t| t.span());
            errors.push(syn::Error::new(span, EXPECTED));
            return Item::Other(tokens);
        }
    };
    input.attrs.retain(|attr| {
        if is_marker(attr) {
            let name = attr.path().to_token_stream();
            errors.spanned(
                attr,
                format!("`#[{name}]` marks a field of a `#[program]`, not the struct: put it on a field"),
            );
        }
        !is_marker(attr)
    });
    let named = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => Some(named.named.clone()),
            Fields::Unnamed(unnamed) => {
                errors.spanned(
                    unnamed,
                    "`#[program]` needs named fields, found a tuple struct: each field's name is its path \
                     (`generate_answer.predict`), so write `struct RAG { generate_answer: ChainOfThought<QA> }`",
                );
                None
            }
            Fields::Unit => {
                errors.spanned(
                    &input.ident,
                    "`#[program]` needs named fields, found a unit struct: write `struct RAG { generate_answer: ChainOfThought<QA> }`",
                );
                None
            }
        },
        Data::Enum(e) => {
            errors.spanned(
                e.enum_token,
                "`#[program]` expects a struct with named fields, found an enum: to choose between modules at run time, \
                 use a module-choice variable as a field",
            );
            None
        }
        Data::Union(u) => {
            errors.spanned(u.union_token, "`#[program]` expects a struct with named fields, found a union");
            None
        }
    };
    let Some(named) = named else {
        strip_everywhere(&mut input);
        return Item::Other(input.into_token_stream());
    };

    let fields = named
        .iter()
        .map(|field| {
            let skips: Vec<Attribute> = field.attrs.iter().filter(|a| a.path().is_ident("skip")).cloned().collect();
            let components: Vec<Attribute> =
                field.attrs.iter().filter(|a| a.path().is_ident("component")).cloned().collect();
            let mut rename = None;
            for attr in &components {
                if let Some(lit) = component_args(attr, errors) {
                    if rename.is_none() {
                        rename = Some(lit);
                    }
                }
            }
            FieldDef {
                // Named fields always have an identifier.
                ident: field.ident.clone().unwrap_or_else(|| Ident::new("_", field.span())),
                ty: field.ty.clone(),
                skips,
                components,
                rename,
                cfgs: field.attrs.iter().filter(|a| a.path().is_ident("cfg")).cloned().collect(),
            }
        })
        .collect();
    strip_everywhere(&mut input);
    let ident = input.ident.clone();
    let generics = input.generics.clone();
    Item::Struct { def: Box::new(StructDef { ident, generics, fields }), emitted: input.into_token_stream() }
}

/// Parses `#[component(rename = "name")]`, reporting bad keys; returns the rename if given.
fn component_args(attr: &Attribute, errors: &mut Errors) -> Option<LitStr> {
    let list = match &attr.meta {
        Meta::List(list) => list,
        _ => {
            errors.spanned(attr, "expected `#[component(rename = \"...\")]`");
            return None;
        }
    };
    let mut rename: Option<LitStr> = None;
    let result = list.parse_nested_meta(|meta| {
        let key = meta.path.to_token_stream().to_string().replace(' ', "");
        if key != "rename" {
            errors.spanned(
                &meta.path,
                format!("unknown key `{key}` in `#[component(...)]`: expected `rename = \"...\"` (to leave a field out, mark it `#[skip]`)"),
            );
            skip_value(meta.input)?;
            return Ok(());
        }
        if !meta.input.peek(syn::Token![=]) {
            errors.spanned(&meta.path, "expected `rename = \"...\"`");
            skip_value(meta.input)?;
            return Ok(());
        }
        match meta.value()?.parse::<Expr>()? {
            Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => {
                if rename.is_some() {
                    errors.spanned(&meta.path, "duplicate `rename` key in `#[component(...)]`");
                } else {
                    rename = Some(s);
                }
            }
            other => errors.spanned(&other, "expected a string literal: `rename = \"...\"`"),
        }
        Ok(())
    });
    if let Err(e) = result {
        errors.push(e);
    }
    rename
}

/// Skips what follows an unknown key: `= expr`, `(...)` or nothing.
fn skip_value(input: ParseStream<'_>) -> syn::Result<()> {
    if input.peek(syn::Token![=]) {
        input.parse::<syn::Token![=]>()?;
        input.parse::<Expr>()?;
    } else if input.peek(syn::token::Paren) {
        input.parse::<proc_macro2::Group>()?;
    }
    Ok(())
}

/// Removes `#[skip]` and `#[component]` wherever they are (they are not real attributes).
fn strip_everywhere(input: &mut DeriveInput) {
    input.attrs.retain(|a| !is_marker(a));
    let strip = |fields: &mut Fields| {
        for f in fields.iter_mut() {
            f.attrs.retain(|a| !is_marker(a));
        }
    };
    match &mut input.data {
        Data::Struct(s) => strip(&mut s.fields),
        Data::Enum(e) => {
            for v in &mut e.variants {
                v.attrs.retain(|a| !is_marker(a));
                strip(&mut v.fields);
            }
        }
        Data::Union(u) => {
            for f in &mut u.fields.named {
                f.attrs.retain(|a| !is_marker(a));
            }
        }
    }
}
