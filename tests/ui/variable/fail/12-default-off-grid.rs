// The default of a stepped integer range must be on the grid.
fn main() {
    let _v: cognate::Variable<u32> = cognate::variable!(int(0..=100, step = 10), default = 25);
}
