// A `float(...)` variable cannot hold an integer type: a type error saying which types can.
fn main() {
    let _v: cognate::Variable<u32> = cognate::variable!(float(0.0..=1.0), default = 0.5);
}
