//! Parse, validate and expand Cognate's macros. A plain library (not a `proc-macro` crate),
//! so every step is unit-testable with `syn::parse_quote!`.
//!
//! Each macro lives in its own module with the same three steps:
//!
//! - `parse`: tokens to a syntax model, recording malformed attributes without stopping;
//! - `validate`: the rules (one `#[input]` at least, unique names, supported types, ...),
//!   each broken rule a `syn::Error` at the narrowest span, all combined;
//! - `expand`: the generated code, using absolute paths through `::cognate::__private`.
//!
//! On errors the macros still emit the user's item (and as much generated code as is sound)
//! next to the `compile_error!`s, so one mistake gives one error and IDEs keep completing.
//!
//! ```
//! let out = cognate_macros_core::signature(
//!     quote::quote!(),
//!     quote::quote! {
//!         /// Answer questions.
//!         struct QA {
//!             #[input] question: String,
//!             #[output] answer: String,
//!         }
//!     },
//! );
//! let file: syn::File = syn::parse2(out).unwrap();
//! assert_eq!(file.items.len(), 4); // QA, QAInput, QAOutput, impl Signature for QA
//! ```

mod docs;
mod errors;
mod krate;
mod program;
mod signature;
mod variable;

use proc_macro2::TokenStream;

/// Expands `#[signature]`: `attr` is the attribute's arguments (empty or `crate = path`),
/// `item` the annotated struct. See the `cognate` crate for the user guide.
///
/// Never panics on user input: every problem becomes a `compile_error!` in the output.
pub fn signature(attr: TokenStream, item: TokenStream) -> TokenStream {
    signature::expand(attr, item)
}

/// Expands `#[program]`: `attr` is the attribute's arguments (empty or `crate = path`),
/// `item` the annotated struct. See the `cognate` crate for the user guide.
///
/// Never panics on user input: every problem becomes a `compile_error!` in the output.
pub fn program(attr: TokenStream, item: TokenStream) -> TokenStream {
    program::expand(attr, item)
}

/// Expands `variable!`: `input` is `krate; <declaration>` as the facade's `macro_rules!`
/// forwards it (or just the declaration, naming `::cognate`). See the `cognate` crate for the
/// syntax.
///
/// Never panics on user input: every problem becomes a `compile_error!` in the output.
pub fn variable(input: TokenStream) -> TokenStream {
    variable::expand(input)
}
