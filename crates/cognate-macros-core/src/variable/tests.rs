//! Unit tests of `variable!`'s expansion and checks, on token streams.

use proc_macro2::TokenStream;
use quote::quote;

fn expand(tokens: TokenStream) -> String {
    super::expand(tokens).to_string()
}

/// How many `compile_error!`s the output has.
fn error_count(tokens: TokenStream) -> usize {
    expand(tokens).matches("compile_error").count()
}

/// The output has a `compile_error!` containing `expected` (as it appears in the string
/// literal: quotes escaped).
fn check_error(tokens: TokenStream, expected: &str) {
    let out = expand(tokens.clone());
    let found =
        out.split("compile_error !").skip(1).any(|e| e.split(" }").next().unwrap_or_default().contains(expected));
    assert!(found, "{tokens}: expected `{expected}` in\n{out}");
}

#[test]
fn expands_each_kind() {
    let cases = [
        (quote!(float(0.0..=1.0), default = 0.7), "Variable :: float (0.0 , 1.0 , 0.7)"),
        (quote!(float(0..=1), default = 1), "Variable :: float (0.0 , 1.0 , 1.0)"),
        (quote!(float(1e-4..=1e-1, log), default = 1e-3), "Variable :: float_log (1e-4 , 1e-1 , 1e-3)"),
        (quote!(int(1..=5), default = 2), "Variable :: int (1 , 5 , 1 , 2)"),
        (quote!(int(0..=100, step = 10), default = 20), "Variable :: int (0 , 100 , 10 , 20)"),
        (quote!(bool, default = true), "Variable :: bool (true)"),
        (
            quote!(choice["a", "b"], default = "a"),
            "Variable :: choice ([:: std :: string :: String :: from (\"a\") , :: std :: string :: String :: from (\"b\")] , :: std :: string :: String :: from (\"a\"))",
        ),
        (
            quote!(choice[Style::A, Style::B], default = Style::B),
            "Variable :: choice ([Style :: A , Style :: B] , Style :: B)",
        ),
        (quote!(choice(Style), default = Style::A), "Variable :: < Style > :: variants (Style :: A)"),
    ];
    for (tokens, expected) in cases {
        let out = expand(tokens.clone());
        assert!(out.contains(expected), "{tokens}:\n{out}");
        assert!(!out.contains("compile_error"), "{tokens}:\n{out}");
        assert!(out.contains(":: cognate :: __private ::"), "{out}");
    }
}

#[test]
fn uses_the_forwarded_crate_path() {
    // From `macro_rules!`, `$crate` is one identifier, which `quote!` cannot write (it splits
    // it in two); the ui pass tests go through the facade's `macro_rules!` for that case.
    let out = expand(quote!(crate::facade; bool, default = false));
    assert!(out.starts_with("crate :: facade :: __private :: Variable :: bool"), "{out}");
    let out = expand(quote!(::my::cognate; int(1..=3), default = 1));
    assert!(out.contains(":: my :: cognate :: __private :: expect_declared"), "{out}");
    let out = expand(quote!(1 + 1; bool, default = false));
    assert!(out.contains("expected the path of the `cognate` crate before `;`"), "{out}");
    assert!(out.contains(":: cognate :: __private :: Variable :: bool"), "the default path is used: {out}");
}

#[test]
fn non_literal_arguments_are_left_to_the_runtime() {
    let out = expand(quote!(float(LOW..=HIGH), default = start()));
    assert!(out.contains("Variable :: float (LOW , HIGH , start ())") && !out.contains("compile_error"), "{out}");
    let out = expand(quote!(int(1..=n, step = s), default = 1));
    assert!(!out.contains("compile_error"), "{out}");
}

#[test]
fn literal_mistakes() {
    check_error(
        quote!(float(1.0..=0.5), default = 0.7),
        "empty range: the low bound 1.0 must be below the high bound 0.5",
    );
    check_error(quote!(float(0.0..=1.0), default = 1.5), "default 1.5 is outside the range 0.0..=1.0");
    check_error(quote!(float(0.0..=1.0, log), default = 0.5), "a log scale needs a positive low bound, found 0.0");
    check_error(quote!(float(0.0..=1.0), default = "high"), "expected a float literal, found a string literal");
    check_error(quote!(float(0u8..=1.0), default = 0.5), "suffixed integer");
    check_error(quote!(float(0.0..1.0), default = 0.5), "inclusive range");
    check_error(quote!(float(0.0..=1.0, linear), default = 0.5), "unexpected argument");
    check_error(quote!(int(1..=5, step = 0), default = 1), "the step must be positive, found 0");
    check_error(quote!(int(0..=10, step = 3), default = 0), "the step 3 does not divide the range 0..=10");
    check_error(quote!(int(0..=10, step = 5), default = 3), "default 3 is not on the grid 0, 5, ..., 10 (step 5)");
    check_error(quote!(int(1..=5), default = 9), "default 9 is outside the range 1..=5");
    check_error(quote!(int(1..=5), default = 2.5), "expected an integer literal, found a float literal");
    check_error(quote!(int(5..=1), default = 2), "empty range");
    check_error(quote!(bool, default = 1), "expected `true` or `false`, found an integer literal");
    check_error(quote!(choice[], default = "a"), "no choices");
    check_error(quote!(choice["a", "a"], default = "a"), r#"`\"a\"` is listed twice"#);
    check_error(quote!(choice["a", 1], default = "a"), "the choices must share one type");
    check_error(quote!(choice["a", "b"], default = "c"), "is not one of the choices");
    check_error(
        quote!(choice[Style::A], default = Style::C),
        "default `Style::C` is not one of the choices [Style::A]",
    );
    check_error(quote!(choice, default = 1), "expected the options after `choice`");
    check_error(quote!(text(1..=2), default = 1), "unknown variable kind `text`");
    check_error(quote!(int(1..=5)), "missing `default = ...`");
    check_error(quote!(int(1..=5), default = 1, dflt = 2), "unknown key `dflt`");
    check_error(quote!(int(1..=5), default = 1, default = 2), "`default` is given twice");
    check_error(quote!(), "expected a variable kind");
}

#[test]
fn reports_every_mistake_at_once() {
    assert_eq!(error_count(quote!(int(1..=10, step = 4), default = 20)), 2);
    assert_eq!(error_count(quote!(float(-1.0..=-2.0, log), default = "x")), 3);
}
