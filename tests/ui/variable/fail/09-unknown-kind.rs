// The kinds are `float`, `int`, `bool` and `choice`.
fn main() {
    let _v: cognate::Variable<f64> = cognate::variable!(real(0.0..=1.0), default = 0.5);
}
