//! `#[program]` end to end on tokens: what is generated, and every error message.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::LitStr;

fn run(attr: TokenStream, item: TokenStream) -> syn::File {
    syn::parse2(super::expand(attr, item)).expect("the output parses as items")
}

/// The `compile_error!` messages in the output.
fn errors(file: &syn::File) -> Vec<String> {
    file.items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Macro(m) if m.mac.path.segments.last().is_some_and(|s| s.ident == "compile_error") => {
                Some(m.mac.parse_body::<LitStr>().unwrap().value())
            }
            _ => None,
        })
        .collect()
}

fn check_error(item: TokenStream, expected: &str) {
    let file = run(quote!(), item.clone());
    let errs = errors(&file);
    assert!(errs.iter().any(|e| e.contains(expected)), "{item}\nexpected {expected:?}\ngot {errs:?}");
}

fn flat(tokens: impl ToTokens) -> String {
    tokens.to_token_stream().to_string().replace(' ', "")
}

#[test]
fn generates_the_struct_and_both_impls() {
    let file = run(
        quote!(),
        quote! {
            #[derive(Clone)]
            pub struct RAG {
                generate_answer: ChainOfThought<QA>,
                #[component(rename = "hop")]
                hops: Vec<Predict<Hop>>,
                #[skip]
                k: usize,
            }
        },
    );
    assert!(errors(&file).is_empty());
    assert_eq!(file.items.len(), 3, "struct, impl Component, impl Program");
    let syn::Item::Struct(s) = &file.items[0] else { panic!("struct first") };
    assert!(s.fields.iter().all(|f| f.attrs.is_empty()), "markers are removed");
    assert_eq!(s.attrs.len(), 1, "other attributes are kept");
    let component = flat(&file.items[1]);
    assert!(component.starts_with("#[automatically_derived]impl"), "{component}");
    assert!(component.contains("impl::cognate::__private::cognate_runtime::program::ComponentforRAG"), "{component}");
    assert!(component.contains("enter(__cognate_visitor,__cognate_path,\"RAG\")"), "{component}");
    assert!(component.contains("<ChainOfThought<QA>as::cognate::__private::cognate_runtime::program::Component>::visit(&self.generate_answer,&::cognate::__private::cognate_runtime::program::child_path(__cognate_path,\"generate_answer\")"), "{component}");
    assert!(component.contains("child_path(__cognate_path,\"hop\")"), "renamed: {component}");
    assert!(!component.contains("\"k\""), "skipped fields are not visited: {component}");
    assert!(
        component.contains("letSelf{generate_answer:__cognate_field_0,hops:__cognate_field_1,..}=self;"),
        "{component}"
    );
    let program = flat(&file.items[2]);
    assert!(program.starts_with("#[automatically_derived]impl"), "{program}");
    assert!(program.contains("program::ProgramforRAG"), "{program}");
    assert!(program.contains("\"RAG\""), "{program}");
}

#[test]
fn crate_argument_changes_every_path() {
    let file = run(
        quote!(crate = ::my::facade),
        quote!(
            struct P {
                a: Predict<QA>,
            }
        ),
    );
    let all = flat(quote!(#file));
    assert!(all.contains("::my::facade::__private::cognate_runtime"), "{all}");
    assert!(!all.contains("::cognate::"), "{all}");
}

#[test]
fn raw_identifiers_are_named_without_r_hash() {
    let file = run(
        quote!(),
        quote!(
            struct r#Loop {
                r#type: Predict<QA>,
            }
        ),
    );
    let all = flat(quote!(#file));
    assert!(all.contains("\"type\"") && all.contains("\"Loop\""), "{all}");
}

#[test]
fn type_parameters_get_component_bounds() {
    let file = run(
        quote!(),
        quote!(
            struct Wrap<M: Clone> {
                inner: M,
                list: Vec<M>,
                fixed: Predict<QA>,
                #[skip]
                data: M,
            }
        ),
    );
    assert!(errors(&file).is_empty());
    let component = flat(&file.items[1]);
    assert!(
        component.contains("whereM:::cognate::__private::cognate_runtime::program::Component,Vec<M>:::cognate"),
        "{component}"
    );
    assert!(!component.contains("Predict<QA>:::cognate"), "concrete types get no bound: {component}");
    let program = flat(&file.items[2]);
    assert!(
        program.contains("Wrap<M>:::cognate::__private::cognate_runtime::Module+::core::clone::Clone"),
        "{program}"
    );
}

#[test]
fn a_program_with_no_components_is_fine() {
    let file = run(
        quote!(),
        quote!(
            struct Empty {
                #[skip]
                config: String,
            }
        ),
    );
    assert!(errors(&file).is_empty());
    assert_eq!(file.items.len(), 3);
}

#[test]
fn not_a_named_struct() {
    check_error(
        quote!(
            struct T(Predict<QA>);
        ),
        "found a tuple struct",
    );
    check_error(
        quote!(
            struct U;
        ),
        "found a unit struct",
    );
    check_error(
        quote!(
            enum E {
                A(Predict<QA>),
            }
        ),
        "found an enum",
    );
    check_error(quote!(union U { a: u8 }), "found a union");
    check_error(
        quote!(
            fn f() {}
        ),
        "expects a struct with named fields",
    );
}

#[test]
fn rejected_items_are_re_emitted_without_markers() {
    let file = run(
        quote!(),
        quote!(
            enum E {
                #[skip]
                A,
            }
        ),
    );
    assert_eq!(file.items.len(), 2, "the enum and one error");
    assert!(!flat(&file.items[0]).contains("skip"));
}

#[test]
fn unsupported_generics() {
    check_error(
        quote!(
            struct P<'a> {
                a: &'a Predict<QA>,
            }
        ),
        "cannot have lifetime parameters",
    );
    check_error(
        quote!(
            struct P<const N: usize> {
                a: Predict<QA>,
            }
        ),
        "does not support const generic parameters",
    );
    // Nothing is generated, the struct is kept.
    let file = run(
        quote!(),
        quote!(
            struct P<'a> {
                #[skip]
                a: &'a str,
            }
        ),
    );
    assert_eq!(file.items.len(), 2);
    assert!(!flat(&file.items[0]).contains("skip"));
}

#[test]
fn attribute_mistakes() {
    check_error(
        quote!(
            struct P {
                #[skip(always)]
                a: u8,
            }
        ),
        "`#[skip]` takes no arguments",
    );
    check_error(
        quote!(
            struct P {
                #[skip = "x"]
                a: u8,
            }
        ),
        "`#[skip]` takes no arguments",
    );
    check_error(
        quote!(
            struct P {
                #[skip]
                #[skip]
                a: u8,
            }
        ),
        "duplicate `#[skip]` on field `a`",
    );
    check_error(
        quote!(
            struct P {
                #[skip]
                #[component(rename = "b")]
                a: u8,
            }
        ),
        "field `a` is marked `#[skip]`, so it is not a component",
    );
    check_error(
        quote!(
            struct P {
                #[component]
                a: Predict<QA>,
            }
        ),
        "expected `#[component(rename = \"...\")]`",
    );
    check_error(
        quote!(
            struct P {
                #[component(name = "b")]
                a: Predict<QA>,
            }
        ),
        "unknown key `name` in `#[component(...)]`",
    );
    check_error(
        quote!(
            struct P {
                #[component(rename)]
                a: Predict<QA>,
            }
        ),
        "expected `rename = \"...\"`",
    );
    check_error(
        quote!(
            struct P {
                #[component(rename = b)]
                a: Predict<QA>,
            }
        ),
        "expected a string literal",
    );
    check_error(
        quote!(
            struct P {
                #[component(rename = "a", rename = "b")]
                a: Predict<QA>,
            }
        ),
        "duplicate `rename` key",
    );
    check_error(
        quote!(
            struct P {
                #[component(rename = "a")]
                #[component(rename = "b")]
                a: Predict<QA>,
            }
        ),
        "duplicate `#[component(...)]` on field `a`",
    );
    check_error(
        quote!(
            struct P {
                #[component(rename = "a.b")]
                a: Predict<QA>,
            }
        ),
        "`a.b` is not a valid component name",
    );
    check_error(
        quote!(
            #[skip]
            struct P {
                a: Predict<QA>,
            }
        ),
        "`#[skip]` marks a field of a `#[program]`, not the struct",
    );
    check_error(
        quote!(
            #[component(rename = "x")]
            struct P {
                a: Predict<QA>,
            }
        ),
        "`#[component]` marks a field",
    );
}

#[test]
fn duplicate_names_are_reported_at_the_second() {
    let file = run(
        quote!(),
        quote!(
            struct P {
                answer: Predict<QA>,
                #[component(rename = "answer")]
                other: Predict<QA>,
                r#type: Predict<QA>,
                #[component(rename = "type")]
                t: Predict<QA>,
            }
        ),
    );
    let errs = errors(&file);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs[0].starts_with("duplicate component name `answer`: field `answer` already uses it"), "{errs:?}");
    assert!(errs[1].starts_with("duplicate component name `type`: field `r#type` already uses it"), "{errs:?}");
    // The code is still generated.
    assert!(file.items.iter().filter(|i| matches!(i, syn::Item::Impl(_))).count() == 2);
}

#[test]
fn bad_arguments() {
    let file = run(
        quote!(name = "x"),
        quote!(
            struct P {
                a: Predict<QA>,
            }
        ),
    );
    assert!(errors(&file)[0].starts_with("unknown argument `name`: expected `crate = path`"));
    let file = run(
        quote!(crate = ::a, crate = ::b),
        quote!(
            struct P {
                a: Predict<QA>,
            }
        ),
    );
    assert_eq!(errors(&file), ["duplicate `crate` argument"]);
}

#[test]
fn cfg_attributes_follow_the_field() {
    let file = run(
        quote!(),
        quote!(
            struct P {
                #[cfg(feature = "x")]
                a: Predict<QA>,
                b: Predict<QA>,
            }
        ),
    );
    let component = flat(&file.items[1]);
    assert_eq!(component.matches("#[cfg(feature=\"x\")]").count(), 3, "visit, pattern, visit_mut: {component}");
    assert!(component.contains("#[cfg(feature=\"x\")]a:__cognate_field_0,"), "{component}");
}
