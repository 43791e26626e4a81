// The expansion uses absolute paths only: shadowing prelude names (and the names the
// expansion uses) in the caller's module changes nothing.

#![allow(dead_code, non_camel_case_types)]

use cognate::signature;

struct Option;
struct Some;
struct None;
struct Result;
struct Vec;
struct Box;
struct Clone;
struct Debug;
struct Default;
struct OnceLock;
struct Signature;
struct SignatureDesc;
struct serde;
struct core;
struct std;
type String = ::std::string::String;
macro_rules! concat {
    () => {};
}

mod cognate_core {}

/// Shadowed names everywhere.
#[signature]
pub struct Shadowed {
    /// kept
    #[input]
    pub question: String,
    #[input]
    pub context: ::std::option::Option<::std::vec::Vec<String>>,
    #[output(prefix = "Answer:")]
    pub answer: String,
}

fn main() {
    use ::cognate::Signature as _;
    let desc = Shadowed::descriptor();
    ::std::assert_eq!(desc.name, "Shadowed");
    ::std::assert_eq!(desc.inputs[1].ty.python_name(), "Union[list[str], NoneType]");
    ::std::assert_eq!(desc.outputs[0].prefix.as_deref(), ::std::option::Option::Some("Answer:"));

    // A signature declared inside a function body works too.
    #[signature]
    struct Local {
        #[input]
        a: u8,
        #[output]
        b: u8,
    }
    ::std::assert_eq!(Local::descriptor().name, "Local");
    let _ = ShadowedInput { question: "q".into(), context: ::std::option::Option::None };
    let _ = LocalInput { a: 1 };
}
