//! Re-anchoring: the library's maintenance removes or edits history rows (cleanups, reason
//! edits, `cascade_delete_history`), which breaks the links of the rows after them. In the same
//! transaction it re-links and re-hashes those chains, after checking that each row it re-hashes
//! still matches its old hash (so that no earlier forgery is laundered), and records what it did
//! in the anchors table, itself a chain, which `verify` reads.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::Utc;
use sha2::{Digest, Sha256};

use super::db::{AnchorRow, ChainDb};
use super::walk::{relink, ChainRow, Gone};
use super::{object_rows_sql, rows_sql, Anchor};
use crate::maintenance::sql::GoneRow;
use crate::schema::spec::meta;
use crate::schema::HistoryTableSpec;
use crate::AuditError;

/// What a maintenance operation did to a chained table, for its anchor row.
pub(crate) struct Maintenance<'a> {
    /// `clean_old_history`, `update_change_reason`, ...
    pub operation: &'static str,
    /// What it did, in words.
    pub detail: String,
    pub rows_removed: u64,
    pub spec: &'a HistoryTableSpec,
}

/// The encoding of an anchor row (every column but its hash), hashed with the previous
/// anchor's hash: `name=<length>:<value>,` per column, `name=~,` for NULL.
pub(crate) fn anchor_encoding(row: &AnchorRow) -> String {
    fn part(out: &mut String, name: &str, value: Option<&str>) {
        match value {
            Some(v) => out.push_str(&format!("{name}={}:{v},", v.len())),
            None => out.push_str(&format!("{name}=~,")),
        }
    }
    let mut out = String::new();
    part(&mut out, "anchor_id", Some(&row.anchor_id.to_string()));
    part(&mut out, "history_table", Some(&row.history_table));
    part(&mut out, "operation", Some(&row.operation));
    part(&mut out, "detail", Some(&row.detail));
    part(&mut out, "anchored_by", row.anchored_by.as_deref());
    part(&mut out, "anchored_at", Some(&row.anchored_at));
    part(
        &mut out,
        "rows_removed",
        Some(&row.rows_removed.to_string()),
    );
    part(
        &mut out,
        "rows_rehashed",
        Some(&row.rows_rehashed.to_string()),
    );
    part(
        &mut out,
        "prev_anchor_id",
        row.prev_anchor_id.map(|id| id.to_string()).as_deref(),
    );
    out
}

/// `sha256(previous anchor's hash || encoding)`.
pub(crate) fn anchor_hash(prev: &[u8], row: &AnchorRow) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(anchor_encoding(row).as_bytes());
    hasher.finalize().to_vec()
}

/// Appends an anchor row for `what`, chained to the newest anchor.
pub(crate) fn record<D: ChainDb>(
    db: &mut D,
    what: &Maintenance<'_>,
    rows_rehashed: u64,
) -> Result<Anchor, AuditError> {
    db.lock_anchors()?;
    let head = db.last_anchor()?;
    let anchored_by = db
        .actor()
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()));
    let mut row = AnchorRow {
        anchor_id: head
            .as_ref()
            .map_or(Some(1), |h| h.anchor_id.checked_add(1))
            .ok_or_else(|| AuditError::Database {
                model: what.spec.model.to_string(),
                operation: "anchor",
                source: diesel::result::Error::QueryBuilderError(
                    "the anchors table's ids are exhausted".into(),
                ),
            })?,
        history_table: what.spec.history_table.to_string(),
        operation: what.operation.to_owned(),
        detail: what.detail.clone(),
        anchored_by,
        anchored_at: Utc::now().format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        rows_removed: i64::try_from(what.rows_removed).unwrap_or(i64::MAX),
        rows_rehashed: i64::try_from(rows_rehashed).unwrap_or(i64::MAX),
        prev_anchor_id: head.as_ref().map(|h| h.anchor_id),
        anchor_hash: Vec::new(),
    };
    row.anchor_hash = anchor_hash(head.as_ref().map_or(&[][..], |h| &h.anchor_hash), &row);
    db.insert_anchor(&row)?;
    Ok(Anchor::from_row(&row))
}

/// The error of a chain that does not match its hashes where maintenance would re-hash it.
pub(crate) fn broken(spec: &HistoryTableSpec, history_id: i64) -> AuditError {
    AuditError::ChainBroken {
        model: spec.model.to_string(),
        history_id,
    }
}

/// One object's rows in chain order, found by the id of any of its rows.
pub(crate) fn object_rows<D: ChainDb>(
    db: &mut D,
    spec: &HistoryTableSpec,
    any_row: i64,
) -> Result<Vec<ChainRow>, AuditError> {
    let columns = db.columns(&spec.history_table)?;
    Ok(db.rows(&object_rows_sql(spec, &columns, D::DIALECT, any_row))?)
}

/// Writes new links; returns how many rows changed.
fn apply<D: ChainDb>(
    db: &mut D,
    spec: &HistoryTableSpec,
    links: &[super::walk::Relink],
) -> Result<u64, AuditError> {
    for l in links {
        db.relink(&spec.history_table, l.history_id, l.prev_id, &l.hash)?;
    }
    Ok(u64::try_from(links.len()).unwrap_or(u64::MAX))
}

/// After rows were removed (`gone`, from the `DELETE ... RETURNING`: id, hash, link and the
/// object as a condition on its key): re-links the chain of each object that lost rows from the
/// first row after them to its head, checking first that those rows are where their links say
/// and match their hashes, and records the anchor. Runs inside the maintenance transaction,
/// guard lifted and writers held off.
pub(crate) fn after_removal<D: ChainDb>(
    db: &mut D,
    what: &Maintenance<'_>,
    gone: &[GoneRow],
) -> Result<(), AuditError> {
    let spec = what.spec;
    let removed: HashMap<i64, Gone> = gone
        .iter()
        .map(|(id, hash, prev_id, _)| {
            (
                *id,
                Gone {
                    hash: hash.clone().unwrap_or_default(),
                    prev_id: *prev_id,
                },
            )
        })
        .collect();
    let objects: BTreeSet<&str> = gone.iter().map(|(.., key)| key.as_str()).collect();
    let columns = db.columns(&spec.history_table)?;
    let mut rehashed = 0u64;
    let mut relinked = 0u64;
    for key in objects {
        let rows = db.rows(&rows_sql(spec, &columns, D::DIALECT, Some(key)))?;
        let Some(from) = rows
            .iter()
            .position(|r| r.prev_id.is_some_and(|p| removed.contains_key(&p)))
        else {
            // Nothing left linked to a removed row: the object lost its newest rows, or all.
            continue;
        };
        let links = relink(D::DIALECT, &rows, from, &removed, None, false)
            .map_err(|b| broken(spec, b.history_id))?;
        rehashed = rehashed.saturating_add(apply(db, spec, &links)?);
        relinked = relinked.saturating_add(1);
    }
    let detail = format!(
        "{}; re-linked the chains of {relinked} object(s)",
        what.detail
    );
    record(
        db,
        &Maintenance {
            operation: what.operation,
            detail,
            rows_removed: what.rows_removed,
            spec,
        },
        rehashed,
    )?;
    Ok(())
}

/// Before a row's content is edited (a reason edit): its chain from that row on must match its
/// hashes, or the edit would launder an earlier forgery.
pub(crate) fn before_edit<D: ChainDb>(
    db: &mut D,
    spec: &HistoryTableSpec,
    history_id: i64,
) -> Result<(), AuditError> {
    let rows = object_rows(db, spec, history_id)?;
    let from = rows
        .iter()
        .position(|r| r.history_id == history_id)
        .unwrap_or(0);
    relink(D::DIALECT, &rows, from, &HashMap::new(), None, false)
        .map_err(|b| broken(spec, b.history_id))?;
    Ok(())
}

/// After a row's content was edited: re-hashes its chain from that row on and records the
/// anchor.
pub(crate) fn after_edit<D: ChainDb>(
    db: &mut D,
    what: &Maintenance<'_>,
    history_id: i64,
) -> Result<(), AuditError> {
    let spec = what.spec;
    let rows = object_rows(db, spec, history_id)?;
    let from = rows
        .iter()
        .position(|r| r.history_id == history_id)
        .unwrap_or(0);
    let links = relink(
        D::DIALECT,
        &rows,
        from,
        &HashMap::new(),
        Some(history_id),
        false,
    )
    .map_err(|b| broken(spec, b.history_id))?;
    let rehashed = apply(db, spec, &links)?;
    record(db, what, rehashed)?;
    Ok(())
}

/// Hashes the rows that have no hash (written before the table had its chain, or inserted
/// outside the library), re-linking each such object's chain; records the anchor. Chained rows
/// must match their hashes first.
pub(crate) fn seal<D: ChainDb>(
    db: &mut D,
    spec: &HistoryTableSpec,
    reason: &str,
) -> Result<(u64, u64, Option<Anchor>), AuditError> {
    let q = |c: &str| D::DIALECT.quote(c);
    let sql = format!(
        "SELECT CAST({id} AS {text}) AS {object}, {id} AS {id}, {prev} AS prev_id, {hash} AS hash, '' AS encoding \
         FROM {table} WHERE {hash} IS NULL OR {hash} = {empty}",
        text = <D::Backend as crate::backend::AuditBackend>::TEXT_CAST,
        id = q(meta::HISTORY_ID),
        object = q("object"),
        prev = q(meta::HISTORY_PREV_ID),
        hash = q(meta::HISTORY_HASH),
        table = q(&spec.history_table),
        empty = match D::DIALECT {
            crate::schema::Dialect::Postgres => "'\\x'::bytea",
            _ => "X''",
        },
    );
    let unchained: Vec<i64> = db.rows(&sql)?.into_iter().map(|r| r.history_id).collect();
    let mut done: HashSet<String> = HashSet::new();
    let (mut sealed, mut objects) = (0u64, 0u64);
    for id in unchained {
        let rows = object_rows(db, spec, id)?;
        let Some(first) = rows.first() else { continue };
        if !done.insert(first.object.clone()) {
            continue;
        }
        let links = relink(D::DIALECT, &rows, 0, &HashMap::new(), None, true)
            .map_err(|b| broken(spec, b.history_id))?;
        sealed = sealed.saturating_add(apply(db, spec, &links)?);
        objects = objects.saturating_add(1);
    }
    if sealed == 0 {
        return Ok((0, 0, None));
    }
    let anchor = record(
        db,
        &Maintenance {
            operation: "anchor",
            detail: format!(
                "hashed the rows without a hash of {objects} object(s) and re-linked their \
                 chains: {reason}"
            ),
            rows_removed: 0,
            spec,
        },
        sealed,
    )?;
    Ok((sealed, objects, Some(anchor)))
}
