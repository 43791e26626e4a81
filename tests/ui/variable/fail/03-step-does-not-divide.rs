// An integer step must divide the range, so the high bound is on the grid.
fn main() {
    let _v: cognate::Variable<u32> = cognate::variable!(int(0..=10, step = 3), default = 0);
}
