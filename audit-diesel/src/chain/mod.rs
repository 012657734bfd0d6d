//! Tamper evidence: each history table's hash chain, [`verify_history`], checkpoints, and the
//! record of re-anchoring.
//!
//! Every object of a chained model (`#[derive(Historical)]` models are, unless
//! `#[historical(chain = false)]` or their history id is a UUID) has its own chain, in the
//! trail's order: each history row stores the id of the object's previous row and
//! `sha256(previous row's hash || the row's canonical encoding)`, filled by a trigger as the
//! row is inserted (in the same statement on PostgreSQL), or on MySQL by the table's chain
//! procedure, which the library calls after each history insert in the same transaction. `audit_schema`'s
//! [`chain_encoding_sql`](crate::HistoryTableSpec::chain_encoding_sql) says what is encoded.
//!
//! [`verify_history`] walks every chain and reports each row that was edited, deleted (at the
//! row after it), inserted or reordered, by history id, and each row without a hash. It returns
//! a [`Checkpoint`] of the table (its newest id, row count and a digest of the chains' heads):
//! store it elsewhere, and a later `verify` against it detects rows removed or rewritten up to
//! that id, the newest ones included, even by someone who re-computed the hashes.
//!
//! The library's maintenance re-anchors what it changes (cleanups remove rows, reason edits
//! change them): in the same transaction it re-links and re-hashes the chains after the change,
//! refusing ([`AuditError::ChainBroken`]) when a row it would re-hash does not match its hash,
//! and appends a row to `audit_chain_anchors` (which table, what, who, when, how many rows),
//! itself a chain, which `verify` reads and reports.
//!
//! ```
//! # include!("../../doctest_setup.rs");
//! use audit_diesel::chain::{verify_history, Verify};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mut conn = setup();
//! let tank = Tank::create(&mut conn, &AuditContext::for_user(7), &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
//! Tank::update(&mut conn, &AuditContext::for_user(7), tank.id, tanks::volume_m3.eq(55.0))?;
//!
//! let report = verify_history::<Tank, _>(&mut conn, &Verify::default(), |_| {})?;
//! assert!(report.is_clean());
//! assert_eq!(report.rows, 2);
//!
//! // Someone rewrites a reason with plain SQL (the append-only guard lifted by hand):
//! diesel::connection::SimpleConnection::batch_execute(&mut conn,
//!     "DROP TRIGGER historical_tanks_append_only_update;
//!      UPDATE historical_tanks SET history_change_reason = 'routine' WHERE history_type = '~'")?;
//! let report = verify_history::<Tank, _>(&mut conn, &Verify::default(), |_| {})?;
//! assert_eq!(report.findings.len(), 1);
//! assert_eq!(report.findings[0].kind, audit_diesel::chain::FindingKind::Edited);
//! # Ok(())
//! # }
//! ```

mod anchor;
mod db;
mod walk;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;

pub(crate) use self::anchor::Maintenance;
use self::db::{AnchorRow, ChainDb};
pub(crate) use self::walk::object_label;
use self::walk::{check_object, ChainRow, Heads};
use crate::connection::{AuditConnection, BackendConnection};
use crate::maintenance::Progress;
use crate::schema::spec::meta;
use crate::schema::{Dialect, HistoryTableSpec};
use crate::{AuditError, Historical};

#[cfg(feature = "sqlite")]
pub(crate) use self::db::register_link;

/// The errors of the chain's own code.
pub(crate) type ChainError = AuditError;

/// What [`verify_history`] found wrong with one history row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The row's `history_id`.
    pub history_id: i64,
    /// Its object, as `column='value'` pairs of the key.
    pub object: String,
    /// What is wrong.
    pub kind: FindingKind,
}

/// What is wrong with a history row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FindingKind {
    /// Its hash does not match its content: a column was changed after it was written.
    Edited,
    /// It has no hash: written before the table had its chain, or inserted without the library
    /// ([`anchor_history`] hashes the former, and records that it did).
    Unchained,
    /// It is not in its object's chain: the row after it links past it.
    Inserted,
    /// The row before it in its object's chain is gone: `missing` is that row's history id.
    Deleted {
        /// The history id of the row that is gone.
        missing: i64,
    },
    /// It links to a row that comes after it, or says it is its object's first row when it is
    /// not: rows were moved (their dates or ids changed).
    Reordered {
        /// The row it links to, if any.
        links_to: Option<i64>,
    },
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.history_id;
        let object = &self.object;
        match &self.kind {
            FindingKind::Edited => write!(f, "history row {id} ({object}) was edited: its hash does not match its content"),
            FindingKind::Unchained => write!(f, "history row {id} ({object}) has no hash: written before the chain or without the library"),
            FindingKind::Inserted => write!(f, "history row {id} ({object}) was inserted: the chain of its object skips it"),
            FindingKind::Deleted { missing } => write!(f, "history row {missing} ({object}) was deleted: row {id} links to it and it is gone"),
            FindingKind::Reordered { links_to: Some(to) } => write!(f, "history row {id} ({object}) was moved: it links to row {to}, which comes after it"),
            FindingKind::Reordered { links_to: None } => write!(f, "history row {id} ({object}) was moved: it says it is its object's first row"),
        }
    }
}

/// A table's chains at one moment, to keep elsewhere and verify against later: the newest
/// history id, the number of rows up to it, of objects, and a digest of every object's chain
/// head. Printed and parsed as one line:
/// `audit-checkpoint v1 table=historical_tanks last_id=1042 rows=1042 objects=80 digest=<hex>`.
///
/// ```
/// use audit_diesel::chain::Checkpoint;
/// let line = "audit-checkpoint v1 table=historical_tanks last_id=12 rows=12 objects=3 digest=ab01";
/// let checkpoint: Checkpoint = line.parse().unwrap();
/// assert_eq!(checkpoint.last_id, 12);
/// assert_eq!(checkpoint.to_string(), line);
/// assert!("audit-checkpoint v1 table=t rows=x".parse::<Checkpoint>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checkpoint {
    /// The history table.
    pub table: String,
    /// The newest history id it covers (0 for an empty table).
    pub last_id: i64,
    /// Rows with a history id up to `last_id`.
    pub rows: u64,
    /// Objects with such rows.
    pub objects: u64,
    /// `sha256` over each object's newest row up to `last_id` (`"<id>:<hash hex>\n"`, in id
    /// order), hex.
    pub digest: String,
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "audit-checkpoint v1 table={} last_id={} rows={} objects={} digest={}",
            self.table, self.last_id, self.rows, self.objects, self.digest
        )
    }
}

/// Why a checkpoint line does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a checkpoint ({reason}): expected `audit-checkpoint v1 table=<table> last_id=<n> rows=<n> objects=<n> digest=<hex>`")]
pub struct ParseCheckpointError {
    /// What was wrong.
    pub reason: String,
}

impl FromStr for Checkpoint {
    type Err = ParseCheckpointError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| ParseCheckpointError { reason };
        let mut words = s.split_whitespace();
        if (words.next(), words.next()) != (Some("audit-checkpoint"), Some("v1")) {
            return Err(err("it does not start with `audit-checkpoint v1`".into()));
        }
        let mut field = |name: &str| {
            let word = words
                .next()
                .ok_or_else(|| err(format!("`{name}=` is missing")))?;
            word.strip_prefix(name)
                .and_then(|w| w.strip_prefix('='))
                .map(str::to_owned)
                .ok_or_else(|| err(format!("expected `{name}=`, found `{word}`")))
        };
        let table = field("table")?;
        let number = |name: &str, text: String| {
            text.parse::<u64>()
                .map_err(|_| err(format!("`{name}` is not a number: `{text}`")))
        };
        let last_id = field("last_id")?;
        let last_id = i64::try_from(number("last_id", last_id)?)
            .map_err(|_| err("`last_id` is out of range".into()))?;
        let rows = number("rows", field("rows")?)?;
        let objects = number("objects", field("objects")?)?;
        let digest = field("digest")?;
        if digest.is_empty() || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(err(format!("`digest` is not hex: `{digest}`")));
        }
        if let Some(extra) = words.next() {
            return Err(err(format!("unexpected `{extra}` at the end")));
        }
        Ok(Checkpoint {
            table,
            last_id,
            rows,
            objects,
            digest,
        })
    }
}

/// A checkpoint compared with the table now, up to the checkpoint's `last_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointCheck {
    /// The checkpoint given.
    pub expected: Checkpoint,
    /// The same measure of the table now (its `last_id` is the newest id it still has up to
    /// the checkpoint's).
    pub found: Checkpoint,
}

impl CheckpointCheck {
    /// Whether the table holds, up to the checkpoint's id, exactly what it held then.
    pub fn matches(&self) -> bool {
        self.found.rows == self.expected.rows
            && self.found.objects == self.expected.objects
            && self.found.digest == self.expected.digest
    }

    /// Whether the newest rows the checkpoint covered are gone (the table was truncated from
    /// the end).
    pub fn truncated(&self) -> bool {
        self.found.last_id < self.expected.last_id
    }
}

impl fmt::Display for CheckpointCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.matches() {
            return write!(
                f,
                "rows and chain heads match the checkpoint at history id {}",
                self.expected.last_id
            );
        }
        write!(
            f,
            "does NOT match the checkpoint at history id {}: {} rows of {} objects then, {} rows \
             of {} objects now, chain heads {}",
            self.expected.last_id,
            self.expected.rows,
            self.expected.objects,
            self.found.rows,
            self.found.objects,
            if self.found.digest == self.expected.digest {
                "the same"
            } else {
                "different"
            }
        )?;
        if self.truncated() {
            write!(
                f,
                "; the newest rows are gone (the newest id up to it is now {})",
                self.found.last_id
            )?;
        } else if self.found.rows == self.expected.rows {
            write!(f, "; rows were rewritten and re-hashed")?;
        }
        Ok(())
    }
}

/// A re-anchoring the library's maintenance recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anchor {
    /// Its id in `audit_chain_anchors`.
    pub anchor_id: i64,
    /// The history table.
    pub table: String,
    /// The operation (`clean_old_history`, `clean_duplicate_history`, `update_change_reason`,
    /// `cascade_delete_history`, `anchor`).
    pub operation: String,
    /// What it did.
    pub detail: String,
    /// Who: the database user on PostgreSQL, else the operating-system user, if known.
    pub by: Option<String>,
    /// When.
    pub at: Option<DateTime<Utc>>,
    /// History rows it removed.
    pub rows_removed: u64,
    /// History rows it re-linked or re-hashed.
    pub rows_rehashed: u64,
}

impl Anchor {
    fn from_row(row: &AnchorRow) -> Self {
        Anchor {
            anchor_id: row.anchor_id,
            table: row.history_table.clone(),
            operation: row.operation.clone(),
            detail: row.detail.clone(),
            by: row.anchored_by.clone(),
            at: NaiveDateTime::parse_from_str(&row.anchored_at, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|d| d.and_utc()),
            rows_removed: u64::try_from(row.rows_removed).unwrap_or(0),
            rows_rehashed: u64::try_from(row.rows_rehashed).unwrap_or(0),
        }
    }
}

impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.at.map_or_else(
            || "?".to_owned(),
            |at| at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        );
        write!(
            f,
            "anchor {}: {} at {at} by {}: {} ({} rows removed, {} re-hashed)",
            self.anchor_id,
            self.operation,
            self.by.as_deref().unwrap_or("unknown"),
            self.detail,
            self.rows_removed,
            self.rows_rehashed
        )
    }
}

/// How [`verify_history`] works.
#[derive(Debug, Clone, Default)]
pub struct Verify {
    /// A checkpoint taken earlier, to compare the table with up to its id.
    pub against: Option<Checkpoint>,
}

/// What [`verify_history`] found.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// The model.
    pub model: String,
    /// Its history table.
    pub table: String,
    /// History rows walked.
    pub rows: u64,
    /// Objects (chains) walked.
    pub objects: u64,
    /// Every row found wrong, by object then chain order.
    pub findings: Vec<Finding>,
    /// The table's checkpoint now: keep it elsewhere, verify against it later.
    pub checkpoint: Checkpoint,
    /// The comparison with [`Verify::against`].
    pub against: Option<CheckpointCheck>,
    /// The re-anchorings recorded for this table, oldest first.
    pub anchors: Vec<Anchor>,
    /// Anchor rows (of any table) whose own chain does not hold: edited, removed or inserted
    /// records of maintenance.
    pub broken_anchors: Vec<i64>,
}

impl VerifyReport {
    /// Nothing found: every chain holds, every anchor holds, and the checkpoint given (if any)
    /// matches.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
            && self.broken_anchors.is_empty()
            && self.against.as_ref().is_none_or(CheckpointCheck::matches)
    }
}

/// Runs `$body` with `$db` bound to the concrete connection of `$conn` (a
/// [`BackendConnection`]).
macro_rules! on_chain_db {
    ($conn:expr, |$db:ident| $body:expr) => {
        match $conn {
            #[cfg(feature = "sqlite")]
            BackendConnection::Sqlite($db) => $body,
            #[cfg(feature = "postgres")]
            BackendConnection::Postgres($db) => $body,
            #[cfg(feature = "mysql")]
            BackendConnection::Mysql($db) => $body,
            BackendConnection::__Lifetime(_, never) => match never {},
        }
    };
}

/// Verifies the hash chains of `M`'s history table: see the [module](self) documentation.
///
/// `progress` is called after each slice of rows with how many were walked of how many.
///
/// # Errors
/// [`AuditError::NotChained`] for a model without a chain, or a database error.
pub fn verify_history<M: Historical, C: AuditConnection>(
    conn: &mut C,
    options: &Verify,
    progress: impl FnMut(&Progress<'_>),
) -> Result<VerifyReport, AuditError> {
    verify_table(conn, M::HISTORY, options, progress)
}

/// [`verify_history`] of the model whose history table `spec` describes (what the registry and
/// the CLI call).
///
/// # Errors
/// As [`verify_history`].
pub fn verify_table<C: AuditConnection>(
    conn: &mut C,
    spec: &HistoryTableSpec,
    options: &Verify,
    mut progress: impl FnMut(&Progress<'_>),
) -> Result<VerifyReport, AuditError> {
    on_chain_db!(conn.backend_connection(), |db| verify_on(
        db,
        spec,
        options,
        &mut progress
    ))
}

/// The checkpoint of `M`'s history table now (the walk of [`verify_history`], without its
/// findings).
///
/// # Errors
/// As [`verify_history`].
pub fn checkpoint_history<M: Historical, C: AuditConnection>(
    conn: &mut C,
) -> Result<Checkpoint, AuditError> {
    Ok(verify_history::<M, C>(conn, &Verify::default(), |_| {})?.checkpoint)
}

/// What [`anchor_history`] did.
#[derive(Debug, Clone, Serialize)]
pub struct AnchorReport {
    /// The model.
    pub model: String,
    /// Rows hashed or re-linked.
    pub rows: u64,
    /// Objects whose chains were re-linked.
    pub objects: u64,
    /// The anchor recorded (none when there was nothing to hash).
    pub anchor: Option<Anchor>,
}

/// Hashes `M`'s history rows that have no hash, re-linking their objects' chains, and records it
/// in the anchors table with `reason`: for the rows written before the table had its chain (the
/// generated migration that adds the chain leaves them unchained). The chained rows of those
/// objects must match their hashes first.
///
/// # Errors
/// [`AuditError::ChainBroken`] when a chained row does not match its hash (nothing is changed),
/// [`AuditError::NotChained`], or a database error.
pub fn anchor_history<M: Historical, C: AuditConnection>(
    conn: &mut C,
    reason: &str,
) -> Result<AnchorReport, AuditError> {
    anchor_table(conn, M::HISTORY, reason)
}

/// [`anchor_history`] of the model whose history table `spec` describes.
///
/// # Errors
/// As [`anchor_history`].
pub fn anchor_table<C: AuditConnection>(
    conn: &mut C,
    spec: &HistoryTableSpec,
    reason: &str,
) -> Result<AnchorReport, AuditError> {
    if !spec.chained() {
        return Err(not_chained(spec));
    }
    let (rows, objects, anchor) = on_chain_db!(conn.backend_connection(), |db| {
        crate::maintenance::lifted_table(db, spec, db_dialect(db), |db| {
            anchor::seal(db, spec, reason)
        })
    })?;
    Ok(AnchorReport {
        model: spec.model.to_string(),
        rows,
        objects,
        anchor,
    })
}

/// The dialect of a chain connection.
fn db_dialect<D: ChainDb>(_: &D) -> Dialect {
    D::DIALECT
}

fn not_chained(spec: &HistoryTableSpec) -> AuditError {
    AuditError::NotChained {
        model: spec.model.to_string(),
    }
}

/// `SELECT <object>, history_id, prev, hash, <encoding> FROM <table> AS h [WHERE ...] ORDER BY
/// <key>, history_date, history_id`.
pub(crate) fn rows_sql(
    spec: &HistoryTableSpec,
    columns: &[(String, String)],
    dialect: Dialect,
    condition: Option<&str>,
) -> String {
    let q = |c: &str| dialect.quote(c);
    let h = "h";
    let col = |c: &str| format!("{}.{}", q(h), q(c));
    let mut order: Vec<String> = spec.primary_key.iter().map(|k| col(k)).collect();
    order.push(col(meta::HISTORY_DATE));
    order.push(col(meta::HISTORY_ID));
    format!(
        "SELECT {object} AS {o}, {id} AS {id_alias}, {prev} AS {p}, {hash} AS {hh}, {encoding} AS {e} \
         FROM {table} AS {h_alias}{filter} ORDER BY {order}",
        object = spec.chain_object_sql(dialect, h),
        o = q("object"),
        id = col(meta::HISTORY_ID),
        id_alias = q("history_id"),
        prev = col(meta::HISTORY_PREV_ID),
        p = q("prev_id"),
        hash = col(meta::HISTORY_HASH),
        hh = q("hash"),
        encoding = crate::schema::ddl::chain_encoding_of_columns(dialect, h, columns),
        e = q("encoding"),
        table = q(&spec.history_table),
        h_alias = q(h),
        filter = condition.map(|c| format!(" WHERE {c}")).unwrap_or_default(),
        order = order.join(", "),
    )
}

/// The rows of the object that history row `any_row` belongs to, in chain order.
pub(crate) fn object_rows_sql(
    spec: &HistoryTableSpec,
    columns: &[(String, String)],
    dialect: Dialect,
    any_row: i64,
) -> String {
    let q = |c: &str| dialect.quote(c);
    let keys = |alias: &str| {
        spec.primary_key
            .iter()
            .map(|k| format!("{}.{}", q(alias), q(k)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let condition = format!(
        "({}) = (SELECT {} FROM {} AS {} WHERE {}.{} = {any_row})",
        keys("h"),
        keys("x"),
        q(&spec.history_table),
        q("x"),
        q("x"),
        q(meta::HISTORY_ID),
    );
    rows_sql(spec, columns, dialect, Some(&condition))
}

fn verify_on<D: ChainDb>(
    db: &mut D,
    spec: &HistoryTableSpec,
    options: &Verify,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> Result<VerifyReport, AuditError> {
    if !spec.chained() {
        return Err(not_chained(spec));
    }
    let dialect = D::DIALECT;
    let table = spec.history_table.to_string();
    // Every row up to this id is committed: the checkpoint covers exactly those.
    let last_id = db.settled_max_id(&table)?.unwrap_or(0);
    let total = db
        .scalar(&format!(
            "SELECT count(*) AS value FROM {}",
            dialect.quote(&table)
        ))?
        .map_or(0, |n| u64::try_from(n).unwrap_or(0));
    let cut = options.against.as_ref().map(|c| c.last_id);
    let mut findings = Vec::new();
    let mut now = Heads::default();
    let mut then = Heads::default();
    let (mut rows, mut objects) = (0u64, 0u64);
    let mut group: Vec<ChainRow> = Vec::new();
    let mut finish = |group: &mut Vec<ChainRow>, findings: &mut Vec<Finding>| {
        if group.is_empty() {
            return;
        }
        check_object(dialect, group, findings);
        now.add(group, last_id);
        if let Some(cut) = cut {
            then.add(group, cut);
        }
        objects = objects.saturating_add(1);
        group.clear();
    };
    let model = spec.model.to_string();
    let columns = db.columns(&table)?;
    db.stream(&rows_sql(spec, &columns, dialect, None), &mut |batch| {
        rows = rows.saturating_add(u64::try_from(batch.len()).unwrap_or(u64::MAX));
        for row in batch {
            if group.last().is_some_and(|last| last.object != row.object) {
                finish(&mut group, &mut findings);
            }
            group.push(row);
        }
        progress(&Progress {
            model: &model,
            done: rows,
            total: total.max(rows),
            written: u64::try_from(findings.len()).unwrap_or(u64::MAX),
        });
        Ok(())
    })?;
    finish(&mut group, &mut findings);
    let checkpoint = Checkpoint {
        table: table.clone(),
        last_id,
        rows: now.rows,
        objects: now.objects(),
        digest: now.digest(),
    };
    let against = match &options.against {
        Some(expected) => {
            let newest = db
                .scalar(&format!(
                    "SELECT max({}) AS value FROM {} WHERE {} <= {}",
                    dialect.quote(meta::HISTORY_ID),
                    dialect.quote(&table),
                    dialect.quote(meta::HISTORY_ID),
                    expected.last_id
                ))?
                .unwrap_or(0);
            Some(CheckpointCheck {
                expected: expected.clone(),
                found: Checkpoint {
                    table: table.clone(),
                    last_id: newest,
                    rows: then.rows,
                    objects: then.objects(),
                    digest: then.digest(),
                },
            })
        }
        None => None,
    };
    let (anchors, broken_anchors) = if db.has_anchors()? {
        let all = db.anchors(None)?;
        let mut broken = Vec::new();
        let mut prev: Option<&AnchorRow> = None;
        for row in &all {
            let links = row.prev_anchor_id == prev.map(|p| p.anchor_id);
            let hash = anchor::anchor_hash(prev.map_or(&[][..], |p| &p.anchor_hash), row);
            if !links || hash != row.anchor_hash {
                broken.push(row.anchor_id);
            }
            prev = Some(row);
        }
        let mine = all
            .iter()
            .filter(|a| a.history_table == table)
            .map(Anchor::from_row)
            .collect();
        (mine, broken)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(VerifyReport {
        model,
        table,
        rows,
        objects,
        findings,
        checkpoint,
        against,
        anchors,
        broken_anchors,
    })
}

/// The concrete connection behind a maintenance operation's generic one.
fn downcast<C: 'static>(conn: &mut C) -> Option<BackendConnection<'_>> {
    let any: &mut dyn std::any::Any = conn;
    #[cfg(feature = "sqlite")]
    if any.is::<diesel::SqliteConnection>() {
        return any
            .downcast_mut::<diesel::SqliteConnection>()
            .map(BackendConnection::Sqlite);
    }
    #[cfg(feature = "postgres")]
    if any.is::<diesel::PgConnection>() {
        return any
            .downcast_mut::<diesel::PgConnection>()
            .map(BackendConnection::Postgres);
    }
    #[cfg(feature = "mysql")]
    if any.is::<diesel::MysqlConnection>() {
        return any
            .downcast_mut::<diesel::MysqlConnection>()
            .map(BackendConnection::Mysql);
    }
    None
}

/// The error of a chained table's maintenance on a connection the chain does not run on.
fn unsupported(spec: &HistoryTableSpec) -> AuditError {
    AuditError::Database {
        model: spec.model.to_string(),
        operation: "re-anchor",
        source: diesel::result::Error::QueryBuilderError(
            "the hash chain is maintained on SqliteConnection, PgConnection and MysqlConnection only".into(),
        ),
    }
}

/// After maintenance removed rows of a chained table (`gone`, from `DELETE ... RETURNING`):
/// re-links the chains and records the anchor. Nothing for a table without a chain.
pub(crate) fn after_removal<C: 'static>(
    conn: &mut C,
    what: &Maintenance<'_>,
    gone: &[crate::maintenance::sql::GoneRow],
) -> Result<(), AuditError> {
    if !what.spec.chained() {
        return Ok(());
    }
    let conn = downcast(conn).ok_or_else(|| unsupported(what.spec))?;
    on_chain_db!(conn, |db| anchor::after_removal(db, what, gone))
}

/// Before maintenance edits history row `history_id` of a chained table: its chain must hold.
pub(crate) fn before_edit<C: 'static>(
    conn: &mut C,
    spec: &HistoryTableSpec,
    history_id: i64,
) -> Result<(), AuditError> {
    if !spec.chained() {
        return Ok(());
    }
    let conn = downcast(conn).ok_or_else(|| unsupported(spec))?;
    on_chain_db!(conn, |db| anchor::before_edit(db, spec, history_id))
}

/// After maintenance edited history row `history_id`: re-hashes its chain, records the anchor.
pub(crate) fn after_edit<C: 'static>(
    conn: &mut C,
    what: &Maintenance<'_>,
    history_id: i64,
) -> Result<(), AuditError> {
    if !what.spec.chained() {
        return Ok(());
    }
    let conn = downcast(conn).ok_or_else(|| unsupported(what.spec))?;
    on_chain_db!(conn, |db| anchor::after_edit(db, what, history_id))
}

/// Records an anchor for rows removed whole (an object's history, with nothing after it).
pub(crate) fn record_removal<C: 'static>(
    conn: &mut C,
    what: &Maintenance<'_>,
) -> Result<(), AuditError> {
    if !what.spec.chained() || what.rows_removed == 0 {
        return Ok(());
    }
    let conn = downcast(conn).ok_or_else(|| unsupported(what.spec))?;
    on_chain_db!(conn, |db| anchor::record(db, what, 0).map(|_| ()))
}
