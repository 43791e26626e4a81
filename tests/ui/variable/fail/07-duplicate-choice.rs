// Each option of a choice is listed once.
fn main() {
    let _v: cognate::Variable<String> = cognate::variable!(choice["terse", "verbose", "terse"], default = "terse");
}
