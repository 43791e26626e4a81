// Ranges are inclusive: `low..=high`.
fn main() {
    let _v: cognate::Variable<f32> = cognate::variable!(float(0.0..1.0), default = 0.5);
}
