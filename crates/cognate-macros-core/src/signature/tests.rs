//! End-to-end tests of `#[signature]`'s expansion: the generated items and the errors.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{Item, ItemImpl, ItemStruct, LitStr};

fn expand(attr: TokenStream, item: TokenStream) -> syn::File {
    syn::parse2(super::expand(attr, item)).expect("the expansion parses as Rust items")
}

fn errors_of(file: &syn::File) -> Vec<String> {
    file.items
        .iter()
        .filter_map(|i| match i {
            Item::Macro(m) if m.mac.path.segments.last().is_some_and(|s| s.ident == "compile_error") => {
                Some(m.mac.parse_body::<LitStr>().unwrap().value())
            }
            _ => None,
        })
        .collect()
}

fn errors(item: TokenStream) -> Vec<String> {
    errors_of(&expand(quote!(), item))
}

fn structure<'a>(file: &'a syn::File, name: &str) -> &'a ItemStruct {
    file.items
        .iter()
        .find_map(|i| match i {
            Item::Struct(s) if s.ident == name => Some(s),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no struct `{name}`"))
}

fn signature_impl(file: &syn::File) -> &ItemImpl {
    file.items
        .iter()
        .find_map(|i| match i {
            Item::Impl(i) => Some(i),
            _ => None,
        })
        .expect("an impl")
}

fn field_names(s: &ItemStruct) -> Vec<String> {
    s.fields.iter().map(|f| f.ident.as_ref().unwrap().to_string()).collect()
}

fn compact(tokens: impl ToTokens) -> String {
    tokens.to_token_stream().to_string().replace(' ', "")
}

fn compact_attrs(attrs: &[syn::Attribute]) -> String {
    compact(quote!(#(#attrs)*))
}

fn qa() -> TokenStream {
    quote! {
        /// Answer questions with short factoid answers.
        ///
        ///   Be brief.
        pub struct QA {
            /// a trivia question
            #[input]
            question: String,
            #[input(desc = "facts", alias = "passages", prefix = "Context:")]
            pub(crate) context: Option<Vec<String>>,
            /// often between 1 and 5 words
            #[output]
            answer: String,
            #[output]
            r#type: u8,
        }
    }
}

#[test]
fn generates_marker_input_output_and_impl() {
    let file = expand(quote!(), qa());
    assert!(errors_of(&file).is_empty());
    assert_eq!(file.items.len(), 4);

    let marker = structure(&file, "QA");
    assert!(matches!(marker.fields, syn::Fields::Unit), "the struct becomes a marker");
    assert!(compact_attrs(&marker.attrs).contains("Answerquestions"), "docs stay on the marker");
    assert!(compact_attrs(&marker.attrs).contains("::core::marker::Copy"));

    let input = structure(&file, "QAInput");
    assert_eq!(field_names(input), ["question", "context"]);
    assert!(matches!(input.vis, syn::Visibility::Public(_)));
    let fields: Vec<&syn::Field> = input.fields.iter().collect();
    assert!(matches!(fields[0].vis, syn::Visibility::Public(_)), "fields take the struct's visibility");
    assert!(matches!(fields[1].vis, syn::Visibility::Restricted(_)), "an explicit visibility is kept");
    assert_eq!(compact_attrs(&fields[0].attrs), r#"#[doc=r"atriviaquestion"]"#);
    assert_eq!(
        compact_attrs(&fields[1].attrs),
        compact(quote!(#[doc = " facts"] #[serde(rename = "passages")] #[serde(default)])),
        "an undocumented field gets its `desc` as doc"
    );
    assert!(compact_attrs(&input.attrs).contains("#[serde(crate=\"::cognate::__private::serde\")]"));
    assert!(compact_attrs(&input.attrs).contains("::cognate::__private::serde::Deserialize"));

    let output = structure(&file, "QAOutput");
    assert_eq!(field_names(output), ["answer", "r#type"]);
    let r#type = output.fields.iter().nth(1).unwrap();
    assert_eq!(compact_attrs(&r#type.attrs), compact(quote!(#[doc = " The `type` field."])));

    let imp = compact(signature_impl(&file));
    assert!(imp.starts_with("#[automatically_derived]impl::cognate::__private::cognate_core::SignatureforQA"), "{imp}");
    assert!(imp.contains("fntry_descriptor()->::cognate::__private::cognate_core::Result<&'static"), "{imp}");
    assert!(imp.contains("typeInput=QAInput;typeOutput=QAOutput;"), "{imp}");
    assert!(imp.contains(r#".with_instructions("Answerquestionswithshortfactoidanswers.\n\nBebrief.")"#), "{imp}");
    for expected in [
        r#".with_input(::cognate::__private::cognate_core::schema::__signature_field::<String>("QA","question","question","atriviaquestion",::core::option::Option::None)?)"#,
        r#"::<Option<Vec<String>>>("QA","context","passages","facts",::core::option::Option::Some("Context:"))?)"#,
        r#".with_output(::cognate::__private::cognate_core::schema::__signature_field::<String>("QA","answer","answer","oftenbetween1and5words",::core::option::Option::None)?)"#,
        r#"::<u8>("QA","r#type","type","",::core::option::Option::None)?)"#,
    ] {
        assert!(imp.contains(expected), "{expected}\nin\n{imp}");
    }
}

#[test]
fn crate_override_changes_every_path() {
    let file = expand(quote!(crate = ::my::facade), qa());
    let all = compact(&file);
    assert!(!all.contains("::cognate::"), "{all}");
    assert!(all.contains("::my::facade::__private::cognate_core::Signature"));
    assert!(all.contains("#[serde(crate=\"::my::facade::__private::serde\")]"));
}

#[test]
fn the_expansion_uses_absolute_paths_only() {
    fn flatten(tokens: TokenStream, out: &mut Vec<proc_macro2::TokenTree>) {
        for t in tokens {
            match t {
                proc_macro2::TokenTree::Group(g) => flatten(g.stream(), out),
                t => out.push(t),
            }
        }
    }
    // No user tokens name a prelude item here, so every such name comes from the macro.
    let item = quote! {
        struct S { #[input] a: u8, #[output] b: ::std::option::Option<bool> }
    };
    let mut tokens = Vec::new();
    flatten(super::expand(quote!(), item), &mut tokens);
    let names = [
        "Option",
        "Some",
        "None",
        "String",
        "Vec",
        "Box",
        "Result",
        "OnceLock",
        "Debug",
        "Clone",
        "Copy",
        "Default",
        "PartialEq",
        "Eq",
        "Hash",
        "Serialize",
        "Deserialize",
        "Signature",
        "SignatureDesc",
        "concat",
    ];
    let mut checked = 0;
    for (i, t) in tokens.iter().enumerate() {
        if let proc_macro2::TokenTree::Ident(id) = t {
            if names.iter().any(|n| id == n) {
                let colons = i >= 2
                    && matches!(&tokens[i - 1], proc_macro2::TokenTree::Punct(p) if p.as_char() == ':')
                    && matches!(&tokens[i - 2], proc_macro2::TokenTree::Punct(p) if p.as_char() == ':');
                assert!(colons, "`{id}` is not behind a path in the expansion");
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "{checked}");
}

#[test]
fn reports_each_rule_once() {
    let cases: Vec<(TokenStream, &str)> = vec![
        (
            quote!(
                struct S {
                    #[output]
                    a: String,
                }
            ),
            "signature `S` has no input field: mark at least one field with `#[input]`",
        ),
        (
            quote!(
                struct S {
                    #[input]
                    a: String,
                }
            ),
            "signature `S` has no output field: mark at least one field with `#[output]`",
        ),
        (
            quote!(
                struct S {
                    #[input]
                    #[output]
                    a: String,
                    #[output]
                    b: String,
                }
            ),
            "field `a` is marked both `#[input]` and `#[output]`: a field is one or the other",
        ),
        (
            quote!(
                struct S {
                    #[input]
                    #[input]
                    a: String,
                    #[output]
                    b: String,
                }
            ),
            "duplicate `#[input]` attribute on field `a`",
        ),
        (
            quote!(
                struct S {
                    #[input]
                    a: String,
                    b: String,
                    #[output]
                    c: String,
                }
            ),
            "field `b` is neither an input nor an output: mark it `#[input]` or `#[output]`",
        ),
        (
            quote!(
                struct S {
                    #[input]
                    a: String,
                    #[output(alias = "a")]
                    b: String,
                }
            ),
            "duplicate field name `a`: field `a` already uses it (names must be unique across inputs and outputs)",
        ),
        (
            quote!(
                struct S {
                    #[input(alias = "x y")]
                    a: String,
                    #[output]
                    b: String,
                }
            ),
            "alias `x y` is not a valid field name: use letters, digits and `_`, not starting with a digit",
        ),
        (
            quote!(
                struct S<T> {
                    #[input]
                    a: T,
                    #[output]
                    b: String,
                }
            ),
            "`#[signature]` structs cannot be generic: a signature is one fixed contract, described once",
        ),
        (
            quote!(
                struct S
                where
                    String: Clone,
                {
                    #[input]
                    a: String,
                    #[output]
                    b: String,
                }
            ),
            "`#[signature]` structs cannot be generic: a signature is one fixed contract, described once",
        ),
        (
            quote!(
                struct S {
                    #[input]
                    a: &'static str,
                    #[output]
                    b: String,
                }
            ),
            "references cannot be signature field types",
        ),
        (
            quote!(
                struct S {
                    #[input]
                    #[serde(rename = "x")]
                    a: String,
                    #[output]
                    b: String,
                }
            ),
            "`#[serde]` attributes are not supported on signature fields",
        ),
        (
            quote!(
                struct S {
                    #[input]
                    #[cfg(test)]
                    a: String,
                    #[output]
                    b: String,
                }
            ),
            "`#[cfg]` is not supported",
        ),
        (
            quote!(
                #[derive(Debug)]
                struct S {
                    #[input]
                    a: String,
                    #[output]
                    b: String,
                }
            ),
            "`#[signature]` derives what it needs",
        ),
        (
            quote!(
                #[serde(rename_all = "camelCase")]
                struct S {
                    #[input]
                    a: String,
                    #[output]
                    b: String,
                }
            ),
            "serde and schemars attributes are not supported on a signature",
        ),
    ];
    for (item, expected) in cases {
        let msgs = errors(item.clone());
        assert_eq!(msgs.len(), 1, "{item}: {msgs:?}");
        assert!(msgs[0].starts_with(expected), "{item}:\n{}\n!=\n{expected}", msgs[0]);
    }
}

#[test]
fn collects_every_error_in_one_pass() {
    let msgs = errors(quote! {
        struct S {
            #[input(typo = "x")] a: (u8, u8),
            b: String,
            #[input(desc = 1)] c: String,
        }
    });
    assert_eq!(msgs.len(), 5, "{msgs:?}");
    assert!(msgs[0].starts_with("unknown key `typo`"));
    assert!(msgs[1].starts_with("expected a string literal: `desc = \"...\"`"));
    assert!(msgs[2].starts_with("tuples have no DSPy type"));
    assert!(msgs[3].starts_with("field `b` is neither"));
    assert!(msgs[4].starts_with("signature `S` has no output field"));
}

#[test]
fn recovers_by_emitting_what_is_sound() {
    // A field type rustc would reject too is left out; everything else is still generated.
    let file = expand(
        quote!(),
        quote!(
            struct S {
                #[input]
                a: &str,
                #[input]
                b: String,
                #[input]
                t: (u8, u8),
                c: u8,
                #[output]
                d: bool,
            }
        ),
    );
    assert_eq!(errors_of(&file).len(), 3);
    assert_eq!(field_names(structure(&file, "SInput")), ["b", "t"], "a tuple still compiles: kept");
    assert_eq!(field_names(structure(&file, "SOutput")), ["d"]);
    signature_impl(&file);

    // A generic struct: one error, and stubs that keep the generics each part uses.
    let file = expand(
        quote!(),
        quote!(
            struct S<'a, T: Clone, U = String, const N: usize = 2>
            where
                T: Send,
            {
                #[input]
                a: T,
                #[input]
                n: [u8; N],
                #[output]
                b: String,
                #[output]
                r: &'a str,
            }
        ),
    );
    assert_eq!(errors_of(&file).len(), 2, "generic, and the reference field");
    assert_eq!(file.items.len(), 6);
    let marker = structure(&file, "S");
    let marker = compact(marker);
    let expected =
        "structS<'a,T:Clone,U=String,constN:usize=2>(::core::marker::PhantomData<(&'a(),fn(&T),fn(&U),)>)whereT:Send,;";
    assert!(marker.ends_with(expected), "{marker}");
    let input = structure(&file, "SInput");
    assert_eq!(compact(&input.generics), "<T,constN:usize>", "parameters without bounds or defaults");
    assert_eq!(field_names(input), ["a", "n"]);
    let output = structure(&file, "SOutput");
    assert_eq!(compact(&output.generics), "", "the reference field is left out, and `'a` with it");
    assert_eq!(field_names(output), ["b"]);
    let imp = compact(signature_impl(&file));
    assert!(imp.starts_with("#[automatically_derived]impl<'a,T:Clone,U,constN:usize>"), "{imp}");
    assert!(imp.contains("SignatureforS<'a,T,U,N>whereT:Send,Self:"), "{imp}");
    assert!(imp.contains("SInput<T,N>:::cognate::__private::serde::Serialize+"), "{imp}");
    assert!(imp.contains("typeInput=SInput<T,N>;typeOutput=SOutput;"), "{imp}");
    assert!(
        imp.contains("::core::result::Result::Err(::cognate::__private::cognate_core::Error::UnsupportedType"),
        "{imp}"
    );
    assert!(!imp.contains("__signature_field"), "no descriptor is built: {imp}");

    // Lifetimes are told apart from type names of the same spelling.
    let file = expand(
        quote!(),
        quote!(
            struct S<'a> {
                #[input]
                a: a::Type,
                #[output]
                b: String,
            }
        ),
    );
    assert_eq!(compact(&structure(&file, "SInput").generics), "");

    // A bad argument: still generated.
    let file = expand(quote!(krate = ::x), qa());
    assert_eq!(errors_of(&file).len(), 1);
    assert_eq!(file.items.len(), 5);
}

#[test]
fn include_str_docs_become_concat() {
    let file = expand(
        quote!(),
        quote! {
            #[doc = include_str!("prompt.md")]
            struct S { #[input] a: String, #[output] b: String }
        },
    );
    let imp = compact(signature_impl(&file));
    assert!(imp.contains(r#".with_instructions(::core::concat!(include_str!("prompt.md")))"#), "{imp}");
}
