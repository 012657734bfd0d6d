//! What the chain reads and writes, on each backend's own connection: streamed chain rows, one
//! object's rows, re-linking a row, and the anchors table.

#[cfg(any(feature = "sqlite", feature = "mysql"))]
use diesel::connection::DefaultLoadingMode;
use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Binary, Nullable, Text};
use diesel::{Connection, QueryResult, QueryableByName, RunQueryDsl};

use super::walk::ChainRow;
use crate::backend::AuditBackend;
use crate::schema::ddl::ANCHORS_TABLE;
#[cfg(feature = "sqlite")]
use crate::schema::ddl::SQLITE_LINK_FUNCTION;
use crate::schema::Dialect;

/// Rows per fetch when streaming a table's chains.
pub(crate) const FETCH: usize = 5_000;

/// One value.
#[derive(QueryableByName)]
struct Scalar {
    #[diesel(sql_type = Nullable<BigInt>)]
    value: Option<i64>,
}

/// A row of the anchors table, its date as the text its encoding holds.
#[derive(Debug, Clone, QueryableByName)]
pub(crate) struct AnchorRow {
    #[diesel(sql_type = BigInt)]
    pub anchor_id: i64,
    #[diesel(sql_type = Text)]
    pub history_table: String,
    #[diesel(sql_type = Text)]
    pub operation: String,
    #[diesel(sql_type = Text)]
    pub detail: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub anchored_by: Option<String>,
    #[diesel(sql_type = Text)]
    pub anchored_at: String,
    #[diesel(sql_type = BigInt)]
    pub rows_removed: i64,
    #[diesel(sql_type = BigInt)]
    pub rows_rehashed: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub prev_anchor_id: Option<i64>,
    #[diesel(sql_type = Binary)]
    pub anchor_hash: Vec<u8>,
}

/// A connection the chain runs on: `SqliteConnection`, `PgConnection` or `MysqlConnection`.
pub(crate) trait ChainDb: Connection<Backend: AuditBackend> + SimpleConnection {
    const DIALECT: Dialect = <Self::Backend as AuditBackend>::DIALECT;

    /// `$n` or `?`.
    fn placeholder(n: usize) -> String {
        match Self::DIALECT {
            Dialect::Postgres => format!("${n}"),
            Dialect::Sqlite | Dialect::Mysql => "?".to_owned(),
        }
    }

    /// Runs `select` and hands its rows to `each`, [`FETCH`] at a time, without holding them all.
    fn stream(
        &mut self,
        select: &str,
        each: &mut dyn FnMut(Vec<ChainRow>) -> Result<(), super::ChainError>,
    ) -> Result<(), super::ChainError>;

    /// All rows of `select`, as maintenance reads them before it re-links them: the newest
    /// committed rows, locked where that takes a locking read (`locking`).
    fn rows(&mut self, select: &str) -> QueryResult<Vec<ChainRow>>;

    /// One number (`NULL` is `None`), from a `SELECT ... AS value`.
    fn scalar(&mut self, select: &str) -> QueryResult<Option<i64>>;

    /// Sets a row's link and hash.
    fn relink(
        &mut self,
        table: &str,
        history_id: i64,
        prev: Option<i64>,
        hash: &[u8],
    ) -> QueryResult<usize>;

    /// The newest history id once every writer that was inserting into `table` has finished:
    /// PostgreSQL waits for them with a `SHARE` lock held for an instant, MySQL with a locking
    /// read of every row, so that no row with a smaller id can still appear; SQLite's writers
    /// take turns anyway.
    fn settled_max_id(&mut self, table: &str) -> QueryResult<Option<i64>>;

    /// Whether the anchors table exists.
    fn has_anchors(&mut self) -> QueryResult<bool>;

    /// The anchors table's rows (of one history table, or all), in id order.
    fn anchors(&mut self, table: Option<&str>) -> QueryResult<Vec<AnchorRow>> {
        let sql = anchors_sql(Self::DIALECT, table, false);
        self.anchor_rows(&sql)
    }

    /// The newest anchor row.
    fn last_anchor(&mut self) -> QueryResult<Option<AnchorRow>> {
        let sql = anchors_sql(Self::DIALECT, None, true);
        Ok(self.anchor_rows(&sql)?.into_iter().next())
    }

    /// The anchor rows `sql` selects.
    fn anchor_rows(&mut self, sql: &str) -> QueryResult<Vec<AnchorRow>>;

    /// The columns of `table` and their types, as the database's catalog names them: what the
    /// encoding covers, whatever the model says.
    fn columns(&mut self, table: &str) -> QueryResult<Vec<(String, String)>>;

    /// Inserts an anchor row, id and hash included.
    fn insert_anchor(&mut self, row: &AnchorRow) -> QueryResult<usize>;

    /// Locks the anchors table against other anchoring until this transaction ends (the
    /// anchors' own chain must not fork).
    fn lock_anchors(&mut self) -> QueryResult<()>;

    /// Who the database says is connected (`current_user`), where it knows.
    fn actor(&mut self) -> Option<String>;
}

/// A column of a table, from the catalog.
#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    ty: String,
}

/// The catalog query of a table's columns.
fn columns_sql(dialect: Dialect, table: &str) -> String {
    match dialect {
        Dialect::Postgres => format!(
            "SELECT CAST(a.attname AS TEXT) AS name, format_type(a.atttypid, a.atttypmod) AS ty \
             FROM pg_catalog.pg_attribute AS a WHERE a.attrelid = to_regclass({}) AND a.attnum > 0 \
             AND NOT a.attisdropped ORDER BY a.attnum",
            literal(&dialect.quote(table))
        ),
        Dialect::Sqlite => format!(
            "SELECT name AS name, type AS ty FROM pragma_table_info({})",
            literal(table)
        ),
        Dialect::Mysql => format!(
            "SELECT CAST(column_name AS CHAR) AS name, CAST(column_type AS CHAR) AS ty \
             FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = {} \
             ORDER BY ordinal_position",
            literal(table)
        ),
    }
}

/// The anchors query: of one table or all, in id order, or only the newest.
fn anchors_sql(dialect: Dialect, table: Option<&str>, newest_only: bool) -> String {
    let q = |c: &str| dialect.quote(c);
    let at = match dialect {
        Dialect::Postgres => format!(
            "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')",
            q("anchored_at")
        ),
        Dialect::Sqlite => format!("replace({}, ' ', 'T')", q("anchored_at")),
        Dialect::Mysql => format!("CAST(replace({}, ' ', 'T') AS CHAR)", q("anchored_at")),
    };
    let filter = match table {
        Some(table) => format!(" WHERE {} = {}", q("history_table"), literal(table)),
        None => String::new(),
    };
    // The newest anchor is read to link the next one to it.
    let order = if newest_only {
        format!(" DESC LIMIT 1{}", locking(dialect))
    } else {
        String::new()
    };
    format!(
        "SELECT {}, {}, {}, {}, {}, {at} AS {}, {}, {}, {}, {} FROM {}{filter} ORDER BY {}{order}",
        q("anchor_id"),
        q("history_table"),
        q("operation"),
        q("detail"),
        q("anchored_by"),
        q("anchored_at"),
        q("rows_removed"),
        q("rows_rehashed"),
        q("prev_anchor_id"),
        q("anchor_hash"),
        q(ANCHORS_TABLE),
        q("anchor_id"),
    )
}

/// What ends a locking read of the rows maintenance re-links or links to: `FOR UPDATE` on
/// MySQL, whose plain reads see the transaction's snapshot rather than the newest rows (on
/// PostgreSQL maintenance holds writers off with its table lock, SQLite's writers take turns).
fn locking(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Mysql => " FOR UPDATE",
        Dialect::Postgres | Dialect::Sqlite => "",
    }
}

/// `'text'` as an SQL literal.
pub(crate) fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

macro_rules! common {
    () => {
        fn anchor_rows(&mut self, sql: &str) -> QueryResult<Vec<AnchorRow>> {
            diesel::sql_query(sql).load(self)
        }

        fn columns(&mut self, table: &str) -> QueryResult<Vec<(String, String)>> {
            let rows: Vec<Column> =
                diesel::sql_query(columns_sql(Self::DIALECT, table)).load(self)?;
            Ok(rows.into_iter().map(|c| (c.name, c.ty)).collect())
        }

        fn rows(&mut self, select: &str) -> QueryResult<Vec<ChainRow>> {
            diesel::sql_query(format!("{select}{}", locking(Self::DIALECT))).load(self)
        }

        fn scalar(&mut self, select: &str) -> QueryResult<Option<i64>> {
            let rows: Vec<Scalar> = diesel::sql_query(select).load(self)?;
            Ok(rows.into_iter().next().and_then(|r| r.value))
        }

        fn relink(
            &mut self,
            table: &str,
            history_id: i64,
            prev: Option<i64>,
            hash: &[u8],
        ) -> QueryResult<usize> {
            let q = |c: &str| Self::DIALECT.quote(c);
            let sql = format!(
                "UPDATE {} SET {} = {}, {} = {} WHERE {} = {}",
                q(table),
                q(crate::schema::spec::meta::HISTORY_PREV_ID),
                Self::placeholder(1),
                q(crate::schema::spec::meta::HISTORY_HASH),
                Self::placeholder(2),
                q(crate::schema::spec::meta::HISTORY_ID),
                Self::placeholder(3),
            );
            diesel::sql_query(sql)
                .bind::<Nullable<BigInt>, _>(prev)
                .bind::<Binary, _>(hash)
                .bind::<BigInt, _>(history_id)
                .execute(self)
        }

        fn insert_anchor(&mut self, row: &AnchorRow) -> QueryResult<usize> {
            let q = |c: &str| Self::DIALECT.quote(c);
            let columns = crate::schema::ddl::ANCHOR_COLUMNS
                .iter()
                .map(|c| q(c))
                .collect::<Vec<_>>()
                .join(", ");
            let values = (1..=crate::schema::ddl::ANCHOR_COLUMNS.len())
                .map(|n| match (n, Self::DIALECT) {
                    // The date's text is UTC.
                    (6, Dialect::Postgres) => {
                        format!("CAST({} || '+00' AS TIMESTAMPTZ)", Self::placeholder(n))
                    }
                    (6, _) => format!("replace({}, 'T', ' ')", Self::placeholder(n)),
                    _ => Self::placeholder(n),
                })
                .collect::<Vec<_>>()
                .join(", ");
            diesel::sql_query(format!(
                "INSERT INTO {} ({columns}) VALUES ({values})",
                q(ANCHORS_TABLE)
            ))
            .bind::<BigInt, _>(row.anchor_id)
            .bind::<Text, _>(&row.history_table)
            .bind::<Text, _>(&row.operation)
            .bind::<Text, _>(&row.detail)
            .bind::<Nullable<Text>, _>(&row.anchored_by)
            .bind::<Text, _>(&row.anchored_at)
            .bind::<BigInt, _>(row.rows_removed)
            .bind::<BigInt, _>(row.rows_rehashed)
            .bind::<Nullable<BigInt>, _>(row.prev_anchor_id)
            .bind::<Binary, _>(&row.anchor_hash)
            .execute(self)
        }
    };
}

/// `stream` by Diesel's row iterator, [`FETCH`] rows handed on at a time.
#[cfg(any(feature = "sqlite", feature = "mysql"))]
macro_rules! stream_by_iterator {
    () => {
        fn stream(
            &mut self,
            select: &str,
            each: &mut dyn FnMut(Vec<ChainRow>) -> Result<(), super::ChainError>,
        ) -> Result<(), super::ChainError> {
            let mut batch = Vec::with_capacity(FETCH);
            let rows = diesel::sql_query(select).load_iter::<ChainRow, DefaultLoadingMode>(self)?;
            for row in rows {
                batch.push(row?);
                if batch.len() == FETCH {
                    each(std::mem::take(&mut batch))?;
                }
            }
            if !batch.is_empty() {
                each(batch)?;
            }
            Ok(())
        }
    };
}

#[cfg(feature = "sqlite")]
impl ChainDb for diesel::SqliteConnection {
    common!();
    stream_by_iterator!();

    fn settled_max_id(&mut self, table: &str) -> QueryResult<Option<i64>> {
        self.scalar(&format!(
            "SELECT max({}) AS value FROM {}",
            Self::DIALECT.quote(crate::schema::spec::meta::HISTORY_ID),
            Self::DIALECT.quote(table)
        ))
    }

    fn has_anchors(&mut self) -> QueryResult<bool> {
        Ok(self
            .scalar(&format!(
                "SELECT count(*) AS value FROM sqlite_master WHERE type = 'table' AND name = {}",
                literal(ANCHORS_TABLE)
            ))?
            .unwrap_or(0)
            > 0)
    }

    fn lock_anchors(&mut self) -> QueryResult<()> {
        Ok(())
    }

    fn actor(&mut self) -> Option<String> {
        None
    }
}

#[cfg(feature = "postgres")]
impl ChainDb for diesel::PgConnection {
    common!();

    fn stream(
        &mut self,
        select: &str,
        each: &mut dyn FnMut(Vec<ChainRow>) -> Result<(), super::ChainError>,
    ) -> Result<(), super::ChainError> {
        // A cursor in a transaction of its own (a savepoint inside the caller's): one snapshot,
        // fetched in slices.
        self.transaction(|conn| {
            conn.batch_execute(&format!(
                "DECLARE audit_chain_walk NO SCROLL CURSOR FOR {select}"
            ))?;
            loop {
                let batch: Vec<ChainRow> =
                    diesel::sql_query(format!("FETCH FORWARD {FETCH} FROM audit_chain_walk"))
                        .load(conn)?;
                if batch.is_empty() {
                    break;
                }
                each(batch)?;
            }
            conn.batch_execute("CLOSE audit_chain_walk")?;
            Ok(())
        })
    }

    fn settled_max_id(&mut self, table: &str) -> QueryResult<Option<i64>> {
        let table = Self::DIALECT.quote(table);
        self.transaction(|conn| {
            conn.batch_execute(&format!("LOCK TABLE {table} IN SHARE MODE"))?;
            conn.scalar(&format!(
                "SELECT max({}) AS value FROM {table}",
                Self::DIALECT.quote(crate::schema::spec::meta::HISTORY_ID)
            ))
        })
    }

    fn has_anchors(&mut self) -> QueryResult<bool> {
        Ok(self
            .scalar(&format!(
                "SELECT count(*) AS value FROM pg_catalog.pg_class WHERE oid = to_regclass({})",
                literal(&Self::DIALECT.quote(ANCHORS_TABLE))
            ))?
            .unwrap_or(0)
            > 0)
    }

    fn lock_anchors(&mut self) -> QueryResult<()> {
        self.batch_execute(&format!(
            "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE",
            Self::DIALECT.quote(ANCHORS_TABLE)
        ))
    }

    fn actor(&mut self) -> Option<String> {
        #[derive(QueryableByName)]
        struct Who {
            #[diesel(sql_type = Text)]
            who: String,
        }
        diesel::sql_query("SELECT CAST(current_user AS TEXT) AS who")
            .load::<Who>(self)
            .ok()
            .and_then(|rows| rows.into_iter().next())
            .map(|w| w.who)
    }
}

#[cfg(feature = "mysql")]
impl ChainDb for diesel::MysqlConnection {
    common!();
    stream_by_iterator!();

    fn settled_max_id(&mut self, table: &str) -> QueryResult<Option<i64>> {
        // A locking read of every row waits for the writers still inserting (`+ 0` keeps the
        // optimizer from answering from the index alone, which would lock nothing).
        let id = Self::DIALECT.quote(crate::schema::spec::meta::HISTORY_ID);
        self.scalar(&format!(
            "SELECT max({id} + 0) AS value FROM {} LOCK IN SHARE MODE",
            Self::DIALECT.quote(table)
        ))
    }

    fn has_anchors(&mut self) -> QueryResult<bool> {
        Ok(self
            .scalar(&format!(
                "SELECT count(*) AS value FROM information_schema.tables \
                 WHERE table_schema = DATABASE() AND table_name = {}",
                literal(ANCHORS_TABLE)
            ))?
            .unwrap_or(0)
            > 0)
    }

    fn lock_anchors(&mut self) -> QueryResult<()> {
        // Every row and the gap after the newest, until the transaction ends.
        self.scalar(&format!(
            "SELECT max({} + 0) AS value FROM {} FOR UPDATE",
            Self::DIALECT.quote("anchor_id"),
            Self::DIALECT.quote(ANCHORS_TABLE)
        ))
        .map(|_| ())
    }

    fn actor(&mut self) -> Option<String> {
        #[derive(QueryableByName)]
        struct Who {
            #[diesel(sql_type = Text)]
            who: String,
        }
        diesel::sql_query("SELECT CAST(CURRENT_USER() AS CHAR) AS who")
            .load::<Who>(self)
            .ok()
            .and_then(|rows| rows.into_iter().next())
            .map(|w| w.who)
    }
}

#[cfg(feature = "sqlite")]
#[diesel::expression::functions::declare_sql_function]
extern "SQL" {
    /// `sha256(prev || encoding)`: what SQLite's chain triggers hash with.
    fn audit_chain_link(prev: Nullable<Binary>, encoding: Text) -> Binary;
}

/// Registers `audit_chain_link(prev, encoding)` on a SQLite connection: the chain trigger of
/// every chained table calls it ([`crate::guard::register`] probes and calls this).
#[cfg(feature = "sqlite")]
pub(crate) fn register_link(conn: &mut diesel::SqliteConnection) -> QueryResult<()> {
    debug_assert_eq!(SQLITE_LINK_FUNCTION, "audit_chain_link");
    audit_chain_link_utils::register_impl(conn, |prev: Option<Vec<u8>>, encoding: String| {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(prev.unwrap_or_default());
        hasher.update(encoding.as_bytes());
        hasher.finalize().to_vec()
    })
}
