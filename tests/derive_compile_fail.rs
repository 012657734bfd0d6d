//! Misuses of `#[derive(Historical)]` fail to compile, each with an error at the offending span
//! that says how to fix it. The expected messages are in `tests/ui/*.stderr`; regenerate them
//! with `TRYBUILD=overwrite cargo test --test derive_compile_fail` and review the diff.

#[test]
fn misuses_of_the_derive_are_compile_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
