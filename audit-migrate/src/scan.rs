//! Finds the `#[derive(Historical)]` models in Rust sources and reads them with the derive's own
//! parser, so the generator and the derive agree on every column.

use std::path::{Path, PathBuf};

use audit_schema::parse::Model;
use audit_schema::HistoryTableSpec;
use syn::{Attribute, Item};

use crate::Error;

/// A model found in a source file.
pub(crate) struct Found {
    pub spec: HistoryTableSpec,
    pub file: PathBuf,
}

/// Every `.rs` file at `path` (a file, or a directory searched recursively), sorted.
pub(crate) fn rust_files(path: &Path) -> Result<Vec<PathBuf>, Error> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let metadata = std::fs::metadata(path).map_err(io)?;
    if metadata.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            files.extend(rust_files(&entry)?);
        } else if entry.extension().is_some_and(|e| e == "rs") {
            files.push(entry);
        }
    }
    Ok(files)
}

/// The models of one source file.
pub(crate) fn models_in_file(file: &Path) -> Result<Vec<Found>, Error> {
    let text = std::fs::read_to_string(file).map_err(|source| Error::Io {
        path: file.to_owned(),
        source,
    })?;
    let parsed = syn::parse_file(&text).map_err(|e| located(file, &e))?;
    let mut found = Vec::new();
    collect(&parsed.items, file, &mut found)?;
    Ok(found)
}

fn collect(items: &[Item], file: &Path, found: &mut Vec<Found>) -> Result<(), Error> {
    for item in items {
        match item {
            Item::Struct(item) if derives_historical(&item.attrs) => {
                let input = syn::DeriveInput::from(item.clone());
                let model = Model::from_derive_input(&input).map_err(|e| located(file, &e))?;
                found.push(Found {
                    spec: model.to_spec(),
                    file: file.to_owned(),
                });
            }
            Item::Mod(module) => {
                if let Some((_, items)) = &module.content {
                    collect(items, file, found)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether `#[derive(..., Historical, ...)]` (by any path) is among the attributes.
fn derives_historical(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .any(|a| {
            let mut found = false;
            let _ = a.parse_nested_meta(|meta| {
                if meta
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "Historical")
                {
                    found = true;
                }
                Ok(())
            });
            found
        })
}

fn located(file: &Path, error: &syn::Error) -> Error {
    let start = error.span().start();
    Error::Model {
        file: file.to_owned(),
        line: start.line,
        column: start.column + 1,
        message: error.to_string(),
    }
}
