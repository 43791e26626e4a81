// The only key after the kind is `default`.
fn main() {
    let _v: cognate::Variable<bool> = cognate::variable!(bool, default = true, frozen = true);
}
