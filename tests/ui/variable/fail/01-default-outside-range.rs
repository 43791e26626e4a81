// A float variable's default must lie inside its range.
fn main() {
    let _v: cognate::Variable<f64> = cognate::variable!(float(0.0..=1.0), default = 1.5);
}
