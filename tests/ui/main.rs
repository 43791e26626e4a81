//! trybuild ui tests: every macro error has a fail case.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/signature/pass/*.rs");
    t.compile_fail("ui/signature/fail/*.rs");
    t.pass("ui/variable/pass/*.rs");
    t.compile_fail("ui/variable/fail/*.rs");
    t.pass("ui/program/pass/*.rs");
    t.compile_fail("ui/program/fail/*.rs");
}
