// The facade's `variable!` forwards `$crate; <declaration>` to the proc macro; anything but a
// path before the `;` is an error (reachable only by calling the hidden proc macro directly).
fn main() {
    let _v: cognate::Variable<bool> = cognate::__private::variable!(1 + 1; bool, default = true);
}
