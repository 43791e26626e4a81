//! Procedural macro entry points of Cognate. The logic lives in `cognate-macros-core`
//! (parse → validate → expand, unit-tested there); use the macros through the `cognate`
//! crate, which re-exports them.

use proc_macro::TokenStream;

/// Declares a typed signature: what goes into one language-model call and what comes out.
///
/// ```
/// use cognate::prelude::*;
///
/// /// Answer questions with short factoid answers.
/// #[signature]
/// pub struct QA {
///     /// a trivia question
///     #[input]
///     pub question: String,
///     /// often between 1 and 5 words
///     #[output]
///     pub answer: String,
///     #[output(desc = "between 0 and 1")]
///     pub confidence: f32,
/// }
///
/// // Callers build the generated input struct ...
/// let input = QAInput { question: "Who wrote Dune?".into() };
/// // ... and the descriptor is what adapters render into prompts.
/// let desc = QA::descriptor();
/// assert_eq!(desc.instructions, "Answer questions with short factoid answers.");
/// assert_eq!(desc.inputs[0].desc, "a trivia question");
/// assert_eq!(desc.outputs[1].ty.python_name(), "float");
/// # let _ = input;
/// ```
///
/// # What you write
///
/// A struct with named fields, no generics:
///
/// - **The struct's doc comment** becomes the instructions: the `///` lines joined with
///   `\n`, each without the one space rustdoc keeps after `///` (adapters clean the
///   indentation the way DSPy does). `#[doc = include_str!("prompt.md")]` works too. With no
///   doc comment, DSPy's default instructions apply (``Given the fields `question`, produce
///   the fields `answer`.``).
/// - **`#[input]` and `#[output]`** mark each field; every field is exactly one of them, and
///   a signature has at least one of each. Both take optional keys:
///   - `desc = "..."`: the field's description (else the field's `///` doc comment);
///   - `alias = "..."`: the name used in prompts and in the dynamic maps (`Values`,
///     `Example`), e.g. a Python-side name; the generated field gets `#[serde(rename)]`;
///   - `prefix = "..."`: DSPy's `prefix` (default: the name in title case, `Question:`).
/// - **Field types** are any type that serde can serialize and deserialize (owned) and that
///   implements `schemars::JsonSchema` (see `cognate::core::schema::FieldType`). They render
///   as DSPy renders them:
///
///   | Rust                                       | DSPy                   |
///   |--------------------------------------------|------------------------|
///   | `String`                                   | `str`                  |
///   | `bool`                                     | `bool`                 |
///   | `i8` … `i128`, `u8` … `u128`, `isize`, `usize` | `int`              |
///   | `f32`, `f64`                               | `float`                |
///   | `Vec<T>`                                   | `list[T]`              |
///   | `HashMap<String, T>`, `BTreeMap<String, T>`| `dict[str, T]`         |
///   | `Option<T>`                                | `Union[T, NoneType]`   |
///   | a unit-variant enum deriving `JsonSchema`  | `Literal['a', 'b']` (serde renames respected) |
///   | a struct deriving `Serialize, Deserialize, JsonSchema` | a model: its name, and its JSON schema in prompts |
///
/// - **Arguments**: `#[signature(crate = path)]` names the `cognate` crate when it is not
///   `::cognate` (a re-export in another facade crate).
///
/// # What it generates
///
/// For `struct QA` as above:
///
/// - `pub struct QAInput { pub question: String }` and `pub struct QAOutput { pub answer:
///   String, pub confidence: f32 }`: the typed inputs and outputs, with the struct's
///   visibility (a field keeps its own visibility if it has one), the fields' doc comments,
///   `#[derive(Serialize, Deserialize, Debug, Clone)]`, aliases as serde renames and
///   `#[serde(default)]` on `Option` fields (a missing optional output is `None`).
/// - `impl cognate::Signature for QA` (`#[automatically_derived]`): `Input = QAInput`,
///   `Output = QAOutput`, and `try_descriptor()`, the `SignatureDesc` (name `"QA"`,
///   instructions, fields with their types, descriptions and prefixes), built once on first
///   use.
/// - `QA` itself becomes a **unit marker struct** (`pub struct QA;`, deriving `Debug, Clone,
///   Copy, Default, PartialEq, Eq, Hash`, keeping your doc comment and other attributes).
///   Its fields moved to `QAInput` and `QAOutput`: a signature is a contract, not data, and
///   is named as a type (`Predict::<QA>::new()`). Keeping the fields on `QA` would leave
///   every one of them unread (a `dead_code` warning each) and tempt callers to build the
///   wrong struct. So `#[derive]` on the struct is an error: the macro derives what it needs.
///
/// # Compile-time checks
///
/// Each mistake is one error at the spot that is wrong, all of them reported at once:
/// a missing `#[input]` or `#[output]` field, a field with no role or both roles, a repeated
/// attribute or key, an unknown key, a non-string `desc`/`alias`/`prefix`, an alias that is
/// not a valid field name or that two fields share, a tuple struct, enum, union or generic
/// struct, `#[serde]` or `#[cfg]` on a field, and field types that can never work
/// (references such as `&str`, tuples, `()`, function and raw pointers, trait objects,
/// slices, maps with non-string keys, `serde_json::Value` and `serde_json::Map`,
/// `PhantomData`, `Result`). A field type missing `Serialize`, `Deserialize` or `JsonSchema`
/// is a type error pointing at the field's type. A generic struct is one error: the macro
/// still emits `QA<T>`, `QAInput`, `QAOutput` and a `Signature` impl as stubs, so the code
/// using them reports nothing more.
///
/// # Types checked at run time
///
/// A field type that implements `JsonSchema` but whose schema has no DSPy equivalent, and
/// that the macro cannot recognise by its spelling (an untagged or data-carrying enum, a
/// struct holding a `serde_json::Value`, a recursive struct, `Value` imported under its bare
/// name), is an error value at run time: `QA::try_descriptor()` returns
/// `Error::UnsupportedType` naming the struct, the field and the reason, and so does every
/// call of a `Predict<QA>` or `ChainOfThought<QA>` (`Predict::try_new` reports it when the
/// predictor is made). `TypeDesc::of::<T>()` checks a type up front.
#[proc_macro_attribute]
pub fn signature(attr: TokenStream, item: TokenStream) -> TokenStream {
    cognate_macros_core::signature(attr.into(), item.into()).into()
}

/// Makes a struct of modules a program: introspectable (named predictors, variables),
/// copyable and traced. You write the struct and its `forward` (`impl Module`); the macro
/// writes `impl Component` and `impl Program`.
///
/// ```
/// use cognate::prelude::*;
///
/// /// Answer questions with short factoid answers.
/// #[signature]
/// pub struct QA {
///     #[input]
///     pub question: String,
///     #[output]
///     pub answer: String,
/// }
///
/// #[program]
/// #[derive(Clone)]
/// pub struct Answerer {
///     generate_answer: ChainOfThought<QA>,
///     #[skip]
///     greeting: String,
/// }
///
/// impl Module for Answerer {
///     type Input = String;
///     type Output = String;
///     async fn forward(&self, question: String) -> cognate::Result<String> {
///         let out = self.generate_answer.forward(QAInput { question }).await?;
///         Ok(format!("{} {}", self.greeting, out.answer))
///     }
/// }
///
/// let program = Answerer { generate_answer: ChainOfThought::new(), greeting: "Hi!".into() };
/// let paths: Vec<String> = program.named_predictors().into_iter().map(|(path, _)| path).collect();
/// assert_eq!(paths, ["generate_answer.predict"]);
/// assert_eq!(program.type_name(), "Answerer");
/// ```
///
/// # What you write
///
/// A struct with named fields. Every field is a **component** — a module (`Predict`,
/// `ChainOfThought`, `Predictor`), a `Variable`, another `#[program]` struct, or a `Vec`,
/// `Option` or `Box` of those: anything implementing `cognate::Component` — unless marked:
///
/// - `#[skip]`: plain data (a retriever, a client, configuration), invisible to optimizers;
/// - `#[component(rename = "name")]`: the name used in paths and saved state when the DSPy
///   attribute name differs from the Rust field name.
///
/// The struct must be `Clone` (deep copy of learnable state; LMs are shared `Arc`s) and
/// implement `cognate::Module` — an ordinary `async fn forward` with loops, branches, early
/// returns and `tokio::join!`. Type parameters are allowed (field types that use them get a
/// `Component` bound); lifetimes and const parameters are not. `#[program(crate = path)]`
/// names the `cognate` crate when it is re-exported elsewhere.
///
/// # What it generates
///
/// - `impl Component`: visits each component field at `field` (so a `ChainOfThought` in
///   `generate_answer` is the predictor `generate_answer.predict`, the third of a `Vec` field
///   `hops` is `hops[2]`, a nested program's `answer` is `sub.answer`), entering the program
///   under its type name. `named_predictors()`, `named_predictors_mut()`, `named_variables()`,
///   `describe()` and `to_mermaid()` all build on it.
/// - `impl Program`: `type_name()`, plus the provided `call()` (runs `forward` in a
///   `cognate::program` span, naming each LM call after its predictor's path),
///   `call_batch()` and `bind_paths()`. See `docs/programs.md`.
///
/// # Compile-time checks
///
/// Each mistake is one error at the spot that is wrong, all reported at once: a tuple or unit
/// struct, an enum or union, lifetime or const parameters, `#[skip]` with arguments or
/// repeated, `#[skip]` together with `#[component]`, unknown or repeated `#[component]` keys,
/// a rename that is not a Python attribute name, two fields with the same name, markers on
/// the struct. A field type that is not a component is a type error at the field's type; a
/// missing `impl Module` or `Clone` is a type error at the struct's name.
#[proc_macro_attribute]
pub fn program(attr: TokenStream, item: TokenStream) -> TokenStream {
    cognate_macros_core::program(attr.into(), item.into()).into()
}

/// The implementation of `cognate::variable!` (which forwards `$crate; <declaration>` here).
/// Use `cognate::variable!`; its documentation has the syntax.
#[doc(hidden)]
#[proc_macro]
pub fn variable(input: TokenStream) -> TokenStream {
    cognate_macros_core::variable(input.into()).into()
}
