// An integer step must be positive.
fn main() {
    let _v: cognate::Variable<i32> = cognate::variable!(int(0..=10, step = 0), default = 0);
}
