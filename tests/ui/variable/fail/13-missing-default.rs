// Every variable declares its default.
fn main() {
    let _v: cognate::Variable<u32> = cognate::variable!(int(1..=5));
}
