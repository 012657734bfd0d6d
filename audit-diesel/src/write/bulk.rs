//! Bulk writes: rows split into runs of one context and batches of one statement, all in one
//! transaction when there is more than one statement.

use std::ops::Range;

use diesel::Connection;

use crate::{AuditContext, AuditError, Historical};

/// The runs of consecutive rows that share a context: `contexts[i]` over `ctx` for row `i`, or
/// `ctx` for every row when there are no per-row contexts. A number of contexts other than
/// `rows` is [`AuditError::ContextsPerRow`].
pub(crate) fn runs<M: Historical>(
    ctx: &AuditContext,
    contexts: Option<&[Option<AuditContext>]>,
    rows: usize,
) -> Result<Vec<(AuditContext, Range<usize>)>, AuditError> {
    let Some(contexts) = contexts else {
        return Ok(vec![(ctx.clone(), 0..rows)]);
    };
    if contexts.len() != rows {
        return Err(AuditError::ContextsPerRow {
            model: M::HISTORY.model.to_string(),
            rows,
            contexts: contexts.len(),
        });
    }
    let mut runs: Vec<(AuditContext, Range<usize>)> = Vec::new();
    for (i, own) in contexts.iter().enumerate() {
        let here = match own {
            Some(own) => own.over(ctx),
            None => ctx.clone(),
        };
        match runs.last_mut() {
            Some((last, range)) if *last == here => range.end = i + 1,
            _ => runs.push((here, i..i + 1)),
        }
    }
    Ok(runs)
}

/// Writes `rows` with `write`, run by run and at most `batch_size` rows per call; one call is
/// atomic on its own, several share one transaction (a savepoint inside the caller's).
pub(crate) fn write_batches<'r, M, C, T>(
    conn: &mut C,
    runs: &[(AuditContext, Range<usize>)],
    rows: &'r [T],
    batch_size: usize,
    mut write: impl FnMut(&mut C, &AuditContext, &'r [T]) -> Result<Vec<M>, AuditError>,
) -> Result<Vec<M>, AuditError>
where
    C: Connection,
{
    if batch_size == 0 {
        return Err(AuditError::InvalidBatchSize { requested: 0 });
    }
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    if let [(ctx, range)] = runs {
        if range.len() <= batch_size {
            return write(conn, ctx, &rows[range.clone()]);
        }
    }
    super::one_changeset(|| {
        conn.transaction(|conn| {
            let mut written = Vec::with_capacity(rows.len());
            for (ctx, range) in runs {
                for batch in rows[range.clone()].chunks(batch_size) {
                    written.extend(write(conn, ctx, batch)?);
                }
            }
            Ok(written)
        })
    })
}
