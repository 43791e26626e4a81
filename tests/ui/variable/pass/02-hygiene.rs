// The expansion uses absolute paths only: shadowing prelude names and `Variable` breaks nothing.
#![allow(dead_code, non_camel_case_types)]

struct Variable;
struct String;
struct Option;
struct Result;
mod __private {}

fn main() {
    let hops: cognate::Variable<u8> = cognate::variable!(int(1..=3), default = 1);
    let tone: cognate::Variable<std::string::String> = cognate::variable!(choice["a", "b"], default = "b");
    assert_eq!(hops.get(), 1);
    assert_eq!(tone.get(), "b");
}
