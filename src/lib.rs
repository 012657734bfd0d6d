//! Examples and integration tests of the audit trail.
//!
//! [`aquamind`] is the seed's fish farm, shared by `cargo run --example aquamind` and the tests
//! that check its audit coverage.

pub mod aquamind;
