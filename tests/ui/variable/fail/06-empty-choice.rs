// A choice needs at least one option.
fn main() {
    let _v: cognate::Variable<String> = cognate::variable!(choice[], default = "terse");
}
