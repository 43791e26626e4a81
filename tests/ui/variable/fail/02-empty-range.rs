// The low bound must be below the high bound.
fn main() {
    let _v: cognate::Variable<u32> = cognate::variable!(int(5..=1), default = 2);
}
