//! `#[historical(crate = path)]`: a crate that re-exports `audit_diesel` (or renames the
//! dependency) points the derive at it, as serde's `crate = "..."` does; the generated code then
//! never names `::audit_diesel`. The path must resolve from any module (`::name` or `crate::...`):
//! the history `table!` is a module of its own.

mod reexport {
    //! Stands for a crate of the application's that re-exports the audit trail.
    pub use audit_diesel as trail;
}

mod models {
    use super::reexport::trail::Historical;
    use diesel::prelude::*;

    diesel::table! {
        pens (id) {
            id -> Integer,
            name -> Text,
            stocked_at -> TimestamptzSqlite,
        }
    }

    #[derive(Debug, Clone, Queryable, Selectable, Insertable, Historical)]
    #[diesel(table_name = pens, check_for_backend(diesel::sqlite::Sqlite))]
    #[historical(crate = crate::reexport::trail)]
    pub struct Pen {
        pub id: i32,
        pub name: String,
        pub stocked_at: chrono::DateTime<chrono::Utc>,
    }
}

#[test]
fn a_model_whose_derive_names_the_crate_by_another_path_records_its_history() {
    use audit_diesel::{AuditContext, Historical, HistoryType};
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use models::*;

    let mut conn = SqliteConnection::establish(":memory:").unwrap();
    conn.batch_execute(
        "CREATE TABLE pens (id INTEGER PRIMARY KEY, name TEXT NOT NULL, stocked_at TEXT NOT NULL)",
    )
    .unwrap();
    for sql in Pen::HISTORY.create_table_sql(audit_diesel::schema::Dialect::Sqlite) {
        conn.batch_execute(&sql).unwrap();
    }
    let at = chrono::DateTime::parse_from_rfc3339("2026-12-01T09:30:00Z")
        .unwrap()
        .to_utc();
    let ctx = AuditContext::builder()
        .user(4)
        .reason("stocked")
        .build()
        .unwrap();
    let pen = Pen::create(
        &mut conn,
        &ctx,
        &Pen {
            id: 1,
            name: "P1".into(),
            stocked_at: at,
        },
    )
    .unwrap();
    Pen::update(&mut conn, &ctx, pen.id, pens::name.eq("P1-east")).unwrap();

    let trail = Pen::history(&1).trail(&mut conn).unwrap();
    assert_eq!(trail.len(), 2);
    assert_eq!(trail[0].history_type, HistoryType::Update);
    assert_eq!(trail[0].name, "P1-east");
    assert_eq!(trail[1].stocked_at, at);
    assert_eq!(trail[0].history_user_id, Some(4));
}
