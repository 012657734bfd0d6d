use std::fmt::Display;

use proc_macro2::Span;

/// Collects every error of one derive so the user sees them all in one compile.
#[derive(Default)]
pub struct Errors(Vec<syn::Error>);

impl Errors {
    /// Records an error at `span`.
    pub fn at(&mut self, span: Span, message: impl Display) {
        self.0.push(syn::Error::new(span, message));
    }

    /// Records an error that already has its span.
    pub fn push(&mut self, error: syn::Error) {
        self.0.push(error);
    }

    /// Moves the errors of `other` after these.
    pub fn append(&mut self, mut other: Errors) {
        self.0.append(&mut other.0);
    }

    /// Whether any error was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// All recorded errors as one, or `Ok` if there were none.
    pub fn finish(self) -> syn::Result<()> {
        let mut all = self.0.into_iter();
        match all.next() {
            None => Ok(()),
            Some(mut first) => {
                first.extend(all);
                Err(first)
            }
        }
    }
}
