//! Examples and integration tests of the audit trail.
