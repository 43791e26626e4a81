// An integer variable takes integer literals.
fn main() {
    let _v: cognate::Variable<u32> = cognate::variable!(int(1..=5), default = 2.5);
}
