//! `#[signature]` step 1: tokens to a syntax model.
//!
//! Parsing never stops at the first problem: a malformed key is reported and skipped, the
//! rest of the attribute is still read, so one typo gives one error.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Expr, ExprLit, Fields, Generics, Ident, Lit, LitStr, Meta, Type, Visibility};

use crate::docs::Doc;
use crate::errors::Errors;

/// Whether a field is marked `#[input]` or `#[output]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Input,
    Output,
}

impl Role {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Role::Input => "input",
            Role::Output => "output",
        }
    }
}

/// One `#[input(...)]` or `#[output(...)]` attribute.
pub(crate) struct Marker {
    pub(crate) role: Role,
    /// The whole attribute, for spans.
    pub(crate) attr: Attribute,
    pub(crate) desc: Option<LitStr>,
    pub(crate) alias: Option<LitStr>,
    pub(crate) prefix: Option<LitStr>,
}

/// A named field of the annotated struct.
pub(crate) struct FieldDef {
    /// The field's other attributes (docs, lints, ...), `#[input]`/`#[output]` removed.
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    pub(crate) markers: Vec<Marker>,
    pub(crate) doc: Doc,
}

/// The annotated struct, when it is one with named fields.
pub(crate) struct StructDef {
    /// The struct's attributes, misplaced `#[input]`/`#[output]` removed.
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) ident: Ident,
    pub(crate) generics: Generics,
    pub(crate) doc: Doc,
    pub(crate) fields: Vec<FieldDef>,
}

/// What `#[signature]` was put on.
pub(crate) enum Item {
    /// A struct with named fields.
    Struct(Box<StructDef>),
    /// Anything else (already reported): emit these tokens as they are.
    Other(TokenStream),
}

/// Parses the annotated item. Anything but a struct with named fields is reported here.
pub(crate) fn item(tokens: TokenStream, errors: &mut Errors) -> Item {
    let input: DeriveInput = match syn::parse2(tokens.clone()) {
        Ok(input) => input,
        Err(_) => {
            errors.push(syn::Error::new(
                first_span(&tokens),
                "`#[signature]` expects a struct with named fields: `struct QA { #[input] question: String, #[output] answer: String }`",
            ));
            return Item::Other(tokens);
        }
    };
    // What to emit when nothing can be generated: the item without the macro's attributes.
    let fallback = || strip(input.clone()).into_token_stream();
    let named = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => named,
            Fields::Unnamed(unnamed) => {
                errors.spanned(
                    unnamed,
                    "`#[signature]` needs named fields, found a tuple struct: write `struct QA { #[input] question: String, ... }`",
                );
                return Item::Other(fallback());
            }
            Fields::Unit => {
                errors.spanned(
                    &input.ident,
                    "`#[signature]` needs named fields, found a unit struct: write `struct QA { #[input] question: String, ... }`",
                );
                return Item::Other(fallback());
            }
        },
        Data::Enum(e) => {
            errors.spanned(e.enum_token, "`#[signature]` expects a struct with named fields, found an enum");
            return Item::Other(fallback());
        }
        Data::Union(u) => {
            errors.spanned(u.union_token, "`#[signature]` expects a struct with named fields, found a union");
            return Item::Other(fallback());
        }
    };

    let mut attrs = Vec::with_capacity(input.attrs.len());
    for attr in &input.attrs {
        match role_of(attr) {
            Some(role) => {
                errors.spanned(attr, format!("`#[{}]` marks a field, not the struct: put it on a field", role.name()))
            }
            None => attrs.push(attr.clone()),
        }
    }
    let fields = named
        .named
        .iter()
        .map(|field| {
            let mut markers = Vec::new();
            let mut other = Vec::new();
            for attr in &field.attrs {
                match role_of(attr) {
                    Some(role) => markers.push(marker(role, attr, errors)),
                    None => other.push(attr.clone()),
                }
            }
            FieldDef {
                doc: Doc::from_attrs(&other),
                attrs: other,
                vis: field.vis.clone(),
                // Named fields always have an identifier.
                ident: field.ident.clone().unwrap_or_else(|| Ident::new("_", field.span())),
                ty: field.ty.clone(),
                markers,
            }
        })
        .collect();
    Item::Struct(Box::new(StructDef {
        doc: Doc::from_attrs(&attrs),
        attrs,
        vis: input.vis,
        ident: input.ident,
        generics: input.generics,
        fields,
    }))
}

fn role_of(attr: &Attribute) -> Option<Role> {
    if attr.path().is_ident("input") {
        Some(Role::Input)
    } else if attr.path().is_ident("output") {
        Some(Role::Output)
    } else {
        None
    }
}

/// Parses `#[input]` / `#[input(desc = "...", alias = "...", prefix = "...")]`, reporting
/// each bad key and keeping the good ones.
fn marker(role: Role, attr: &Attribute, errors: &mut Errors) -> Marker {
    let mut m = Marker { role, attr: attr.clone(), desc: None, alias: None, prefix: None };
    let name = role.name();
    let list = match &attr.meta {
        Meta::Path(_) => return m,
        Meta::List(list) => list,
        Meta::NameValue(nv) => {
            errors.spanned(
                nv,
                format!("expected `#[{name}]` or `#[{name}(desc = \"...\", alias = \"...\", prefix = \"...\")]`"),
            );
            return m;
        }
    };
    let result = list.parse_nested_meta(|meta| {
        let key = meta.path.to_token_stream().to_string().replace(' ', "");
        let slot = match key.as_str() {
            "desc" => &mut m.desc,
            "alias" => &mut m.alias,
            "prefix" => &mut m.prefix,
            _ => {
                errors.spanned(
                    &meta.path,
                    format!("unknown key `{key}` in `#[{name}(...)]`: expected `desc`, `alias` or `prefix`"),
                );
                skip_value(meta.input)?;
                return Ok(());
            }
        };
        if !meta.input.peek(syn::Token![=]) {
            errors.spanned(&meta.path, format!("expected `{key} = \"...\"`"));
            skip_value(meta.input)?;
            return Ok(());
        }
        let value: Expr = meta.value()?.parse()?;
        match value {
            Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => {
                if slot.is_some() {
                    errors.spanned(&meta.path, format!("duplicate `{key}` key in `#[{name}(...)]`"));
                } else {
                    *slot = Some(s);
                }
            }
            other => errors.spanned(&other, format!("expected a string literal: `{key} = \"...\"`")),
        }
        Ok(())
    });
    if let Err(e) = result {
        errors.push(e);
    }
    m
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

/// The item with every `#[input]`/`#[output]` removed (what to emit when nothing can be
/// generated, so the only errors are the macro's).
fn strip(mut input: DeriveInput) -> DeriveInput {
    let keep = |a: &Attribute| role_of(a).is_none();
    input.attrs.retain(keep);
    let strip_fields = |fields: &mut Fields| {
        for f in fields.iter_mut() {
            f.attrs.retain(keep);
        }
    };
    match &mut input.data {
        Data::Struct(s) => strip_fields(&mut s.fields),
        Data::Enum(e) => {
            for v in &mut e.variants {
                v.attrs.retain(keep);
                strip_fields(&mut v.fields);
            }
        }
        Data::Union(u) => {
            for f in &mut u.fields.named {
                f.attrs.retain(keep);
            }
        }
    }
    input
}

fn first_span(tokens: &TokenStream) -> Span {
    tokens.clone().into_iter().next().map_or_else(Span::call_site, |t| t.span())
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn messages(errors: Errors) -> Vec<String> {
        let out = errors.into_compile_errors();
        let file: syn::File = syn::parse2(out).unwrap();
        file.items
            .iter()
            .map(|i| match i {
                syn::Item::Macro(m) => m.mac.parse_body::<LitStr>().unwrap().value(),
                other => panic!("not a compile_error: {}", other.to_token_stream()),
            })
            .collect()
    }

    #[test]
    fn parses_markers_and_keeps_other_attributes() {
        let mut errors = Errors::default();
        let Item::Struct(def) = item(
            quote! {
                /// Doc.
                #[allow(dead_code)]
                pub struct QA {
                    /// the question
                    #[input(desc = "q", alias = "query", prefix = "Query:")]
                    question: String,
                    #[output]
                    pub answer: String,
                }
            },
            &mut errors,
        ) else {
            panic!("not a struct")
        };
        assert!(errors.is_empty());
        assert_eq!(def.ident, "QA");
        assert_eq!(def.attrs.len(), 2);
        assert_eq!(def.doc.literal().as_deref(), Some("Doc."));
        let q = &def.fields[0];
        assert_eq!(q.ident, "question");
        assert_eq!(q.attrs.len(), 1, "the doc stays, `#[input]` is removed");
        assert_eq!(q.doc.literal().as_deref(), Some("the question"));
        let m = &q.markers[0];
        assert_eq!(m.role, Role::Input);
        let lit = |l: &Option<LitStr>| l.as_ref().map(LitStr::value);
        assert_eq!(
            (lit(&m.desc), lit(&m.alias), lit(&m.prefix)),
            (Some("q".into()), Some("query".into()), Some("Query:".into()))
        );
        assert_eq!(def.fields[1].markers[0].role, Role::Output);
        assert!(matches!(def.fields[1].vis, Visibility::Public(_)));
    }

    #[test]
    fn bad_keys_are_reported_and_the_rest_kept() {
        let mut errors = Errors::default();
        let Item::Struct(def) = item(
            quote! {
                struct QA {
                    #[input(desc = "kept", typo = "x", nested(a), alias = 3, prefix, desc = "again")]
                    question: String,
                    #[output = "x"]
                    answer: String,
                }
            },
            &mut errors,
        ) else {
            panic!("not a struct")
        };
        let m = &def.fields[0].markers[0];
        assert_eq!(m.desc.as_ref().map(LitStr::value).as_deref(), Some("kept"));
        assert!(m.alias.is_none() && m.prefix.is_none());
        assert_eq!(def.fields[1].markers.len(), 1);
        assert_eq!(
            messages(errors),
            [
                "unknown key `typo` in `#[input(...)]`: expected `desc`, `alias` or `prefix`",
                "unknown key `nested` in `#[input(...)]`: expected `desc`, `alias` or `prefix`",
                "expected a string literal: `alias = \"...\"`",
                "expected `prefix = \"...\"`",
                "duplicate `desc` key in `#[input(...)]`",
                "expected `#[output]` or `#[output(desc = \"...\", alias = \"...\", prefix = \"...\")]`",
            ]
        );
    }

    #[test]
    fn non_structs_are_reported_and_re_emitted_without_markers() {
        for (tokens, needle) in [
            (
                quote!(
                    enum E {
                        A,
                    }
                ),
                "found an enum",
            ),
            (quote!(union U { #[input] a: u8 }), "found a union"),
            (
                quote!(
                    struct T(#[input] String);
                ),
                "found a tuple struct",
            ),
            (
                quote!(
                    struct U;
                ),
                "found a unit struct",
            ),
            (
                quote!(
                    fn f() {}
                ),
                "expects a struct with named fields",
            ),
        ] {
            let mut errors = Errors::default();
            let Item::Other(out) = item(tokens.clone(), &mut errors) else { panic!("{tokens} accepted") };
            assert!(!out.to_string().contains("input"), "{out}");
            let msgs = messages(errors);
            assert!(msgs.len() == 1 && msgs[0].contains(needle), "{tokens}: {msgs:?}");
        }
    }

    #[test]
    fn markers_on_the_struct_are_reported() {
        let mut errors = Errors::default();
        let Item::Struct(def) = item(
            quote!(
                #[output]
                struct QA {
                    #[input]
                    a: String,
                }
            ),
            &mut errors,
        ) else {
            panic!()
        };
        assert!(def.attrs.is_empty());
        assert_eq!(messages(errors), ["`#[output]` marks a field, not the struct: put it on a field"]);
    }
}
