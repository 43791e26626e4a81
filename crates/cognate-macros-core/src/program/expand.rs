//! `#[program]` step 3: the generated code.
//!
//! For `struct RAG { generate: ChainOfThought<QA>, #[skip] k: usize }` this emits the struct
//! (its `#[skip]`/`#[component]` markers removed) and two `#[automatically_derived]` impls:
//!
//! - `impl Component for RAG`: `visit` enters `"RAG"` at the path, visits each component
//!   field at `path.name` and exits; `visit_mut` destructures the struct, so each field is
//!   borrowed mutably on its own, and visits them the same way;
//! - `impl Program for RAG`: `type_name()` is `"RAG"`. Its supertraits (`Module`, `Clone`,
//!   `Send + Sync + 'static`) are checked by rustc at the struct's name.
//!
//! A field's `#[cfg(...)]`s are repeated on its visits and its destructuring pattern, so a
//! configured-out field is simply not visited.
//!
//! Each field's visit is written `<FieldType as Component>::visit` spanned at the field's
//! type, so a field that is not a component is an error there. Generic structs get a
//! `FieldType: Component` bound for each field type that mentions a type parameter, and the
//! `Program` impl requires the supertraits of the concrete instantiation instead of checking
//! them for every parameter.

use proc_macro2::{TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Ident, Type, WherePredicate};

use super::validate::Program;

/// The `Component` and `Program` impls (the struct itself is emitted by the caller).
pub(crate) fn expand(program: &Program) -> TokenStream {
    let Program { krate, ident, generics, type_params, components } = program;
    let rt = quote!(#krate::__private::cognate_runtime);
    let component = quote!(#rt::program::Component);
    let name = ident.unraw().to_string();
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();

    let mut component_bounds: Vec<WherePredicate> =
        where_clause.map(|w| w.predicates.iter().cloned().collect()).unwrap_or_default();
    for c in components {
        if mentions_any(&c.ty, type_params) {
            let ty = &c.ty;
            component_bounds.push(syn::parse_quote_spanned!(ty.span()=> #ty: #component));
        }
    }
    let mut program_bounds = component_bounds.clone();
    if !type_params.is_empty() {
        program_bounds.push(syn::parse_quote!(
            #ident #ty_generics: #rt::Module
                + ::core::clone::Clone
                + ::core::marker::Send
                + ::core::marker::Sync
                + 'static
        ));
    }
    let where_of = |bounds: &[WherePredicate]| (!bounds.is_empty()).then(|| quote!(where #(#bounds,)*));
    let component_where = where_of(&component_bounds);
    let program_where = where_of(&program_bounds);

    let visits = components.iter().map(|c| {
        let (field, ty, fname, cfgs) = (&c.ident, &c.ty, &c.name, &c.cfgs);
        let visit = quote_spanned!(ty.span()=> <#ty as #component>::visit);
        quote!(#(#cfgs)* #visit(&self.#field, &#rt::program::child_path(__cognate_path, #fname), __cognate_visitor);)
    });
    let bindings: Vec<Ident> = (0..components.len()).map(|i| format_ident!("__cognate_field_{}", i)).collect();
    let destructure = components.iter().zip(&bindings).map(|(c, b)| {
        let (field, cfgs) = (&c.ident, &c.cfgs);
        quote!(#(#cfgs)* #field: #b,)
    });
    let visits_mut = components.iter().zip(&bindings).map(|(c, b)| {
        let (ty, fname, cfgs) = (&c.ty, &c.name, &c.cfgs);
        let visit_mut = quote_spanned!(ty.span()=> <#ty as #component>::visit_mut);
        quote!(#(#cfgs)* #visit_mut(#b, &#rt::program::child_path(__cognate_path, #fname), __cognate_visitor);)
    });
    // Spanned at the struct's name: a missing `Module` or `Clone` impl is reported there.
    let program_impl = quote_spanned!(ident.span()=>
        #[automatically_derived]
        impl #impl_generics #rt::program::Program for #ident #ty_generics #program_where {
            fn type_name(&self) -> &'static ::core::primitive::str {
                #name
            }
        }
    );

    quote! {
        #[automatically_derived]
        impl #impl_generics #component for #ident #ty_generics #component_where {
            fn visit<'__cognate>(
                &'__cognate self,
                __cognate_path: &::core::primitive::str,
                __cognate_visitor: &mut dyn #rt::program::Visitor<'__cognate>,
            ) {
                #rt::program::Visitor::enter(__cognate_visitor, __cognate_path, #name);
                #(#visits)*
                #rt::program::Visitor::exit(__cognate_visitor, __cognate_path);
            }

            fn visit_mut<'__cognate>(
                &'__cognate mut self,
                __cognate_path: &::core::primitive::str,
                __cognate_visitor: &mut dyn #rt::program::VisitorMut<'__cognate>,
            ) {
                let _ = (&__cognate_path, &__cognate_visitor);
                let Self { #(#destructure)* .. } = self;
                #(#visits_mut)*
            }
        }

        #program_impl
    }
}

/// Whether `ty` names one of `params` anywhere (token-wise, as serde's bound inference does).
fn mentions_any(ty: &Type, params: &[Ident]) -> bool {
    fn walk(tokens: TokenStream, params: &[Ident]) -> bool {
        tokens.into_iter().any(|t| match t {
            TokenTree::Ident(i) => params.contains(&i),
            TokenTree::Group(g) => walk(g.stream(), params),
            _ => false,
        })
    }
    !params.is_empty() && walk(quote!(#ty), params)
}
