//! Parsing of #[derive(Historical)] structs.
