//! Doc comments as strings: a struct's become a signature's instructions, a field's its
//! description.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, Meta};

/// The doc comment of an item: one entry per `///` line or `#[doc = ...]` attribute.
#[derive(Debug, Clone, Default)]
pub(crate) struct Doc(Vec<DocLine>);

#[derive(Debug, Clone)]
enum DocLine {
    /// A literal line, with the single space rustdoc keeps after `///` removed.
    Text(String),
    /// A non-literal value such as `#[doc = include_str!("prompt.md")]`, kept as written.
    Expr(Expr),
}

impl Doc {
    /// Collects the `#[doc = ...]` attributes (what `///` desugars to), in order.
    pub(crate) fn from_attrs(attrs: &[Attribute]) -> Doc {
        let lines = attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .filter_map(|a| match &a.meta {
                Meta::NameValue(nv) => Some(match &nv.value {
                    Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => {
                        let text = s.value();
                        DocLine::Text(text.strip_prefix(' ').map(str::to_string).unwrap_or(text))
                    }
                    other => DocLine::Expr(other.clone()),
                }),
                _ => None,
            })
            .collect();
        Doc(lines)
    }

    /// The lines joined with `\n`, as a string literal when every line is literal, else as
    /// `::core::concat!(...)` (so `include_str!` docs work).
    pub(crate) fn to_str_expr(&self) -> TokenStream {
        if let Some(text) = self.literal() {
            return quote!(#text);
        }
        let mut pieces = Vec::with_capacity(self.0.len() * 2);
        for (i, line) in self.0.iter().enumerate() {
            if i > 0 {
                pieces.push(quote!("\n"));
            }
            pieces.push(match line {
                DocLine::Text(t) => quote!(#t),
                DocLine::Expr(e) => quote!(#e),
            });
        }
        quote!(::core::concat!(#(#pieces),*))
    }

    /// The joined text, when every line is a literal.
    pub(crate) fn literal(&self) -> Option<String> {
        let mut out = Vec::with_capacity(self.0.len());
        for line in &self.0 {
            match line {
                DocLine::Text(t) => out.push(t.as_str()),
                DocLine::Expr(_) => return None,
            }
        }
        Some(out.join("\n"))
    }
}

/// A string for the generated code: a literal given in an attribute, or a doc comment.
#[derive(Debug, Clone)]
pub(crate) enum Text {
    /// `desc = "..."`.
    Lit(LitStr),
    /// The doc comment.
    Doc(Doc),
}

impl Text {
    /// The text as a `&'static str` expression.
    pub(crate) fn to_str_expr(&self) -> TokenStream {
        match self {
            Text::Lit(lit) => quote!(#lit),
            Text::Doc(doc) => doc.to_str_expr(),
        }
    }
}

#[cfg(test)]
mod tests {
    use syn::parse_quote;

    use super::*;

    #[test]
    fn joins_lines_and_strips_one_leading_space() {
        let s: syn::ItemStruct = parse_quote! {
            /// Answer questions.
            ///
            ///   Keep it short.
            #[derive(Debug)]
            #[doc = "no space"]
            struct S;
        };
        let doc = Doc::from_attrs(&s.attrs);
        assert_eq!(doc.literal().as_deref(), Some("Answer questions.\n\n  Keep it short.\nno space"));
        assert_eq!(
            doc.to_str_expr().to_string(),
            quote!("Answer questions.\n\n  Keep it short.\nno space").to_string()
        );
    }

    #[test]
    fn no_doc_is_empty() {
        let doc = Doc::from_attrs(&[]);
        assert_eq!(doc.literal().as_deref(), Some(""));
        assert_eq!(doc.to_str_expr().to_string(), quote!("").to_string());
    }

    #[test]
    fn non_literal_docs_become_concat() {
        let s: syn::ItemStruct = parse_quote! {
            /// Intro.
            #[doc = include_str!("prompt.md")]
            #[doc(hidden)]
            struct S;
        };
        let doc = Doc::from_attrs(&s.attrs);
        assert_eq!(doc.literal(), None);
        assert_eq!(
            doc.to_str_expr().to_string(),
            quote!(::core::concat!("Intro.", "\n", include_str!("prompt.md"))).to_string()
        );
    }
}
