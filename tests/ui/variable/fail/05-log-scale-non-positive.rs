// A log scale needs a positive low bound.
fn main() {
    let _v: cognate::Variable<f64> = cognate::variable!(float(0.0..=0.1, log), default = 0.01);
}
