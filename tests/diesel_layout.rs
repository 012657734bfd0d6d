//! A project laid out as diesel's getting-started guide lays it out: `src/schema.rs` written by
//! `diesel print-schema` (or `diesel migration run`), models in their own module naming tables by
//! path. With the README's `diesel.toml` filter, schema.rs holds no `historical_*` table and the
//! derive's is the only one; without it, the printed `historical_posts` stands beside the
//! derive's, and a model module that glob-imports the schema still compiles (the derive's table
//! shadows the glob) and uses the derive's.

use audit_diesel::prelude::*;
use diesel::prelude::*;

/// `src/schema.rs` as diesel prints it with `filter = { except_tables = ["^historical_"] }`.
mod schema {
    diesel::table! {
        posts (id) {
            id -> Integer,
            title -> Text,
            published -> Bool,
        }
    }
}

/// `src/models.rs`.
mod models {
    use audit_diesel::Historical;
    use diesel::prelude::*;

    #[derive(Debug, Queryable, Selectable, Historical)]
    #[diesel(table_name = crate::schema::posts)]
    pub struct Post {
        pub id: i32,
        pub title: String,
        pub published: bool,
    }
}

/// The same project without the filter: diesel printed the history table too.
mod unfiltered {
    pub mod schema {
        diesel::table! {
            posts (id) {
                id -> Integer,
                title -> Text,
                published -> Bool,
            }
        }

        diesel::table! {
            historical_posts (history_id) {
                id -> Integer,
                title -> Text,
                published -> Bool,
                history_id -> BigInt,
                history_date -> Text,
                history_type -> Text,
                history_user_id -> Nullable<BigInt>,
                history_change_reason -> Nullable<Text>,
            }
        }

        diesel::allow_tables_to_appear_in_same_query!(posts, historical_posts);
    }

    pub mod models {
        use super::schema::*;
        use audit_diesel::Historical;
        use diesel::prelude::*;

        #[derive(Debug, Queryable, Selectable, Historical)]
        #[diesel(table_name = posts)]
        pub struct Post {
            pub id: i32,
            pub title: String,
            pub published: bool,
        }
    }
}

fn setup(spec: &'static audit_diesel::HistoryTableSpec) -> SqliteConnection {
    let mut conn = SqliteConnection::establish(":memory:").unwrap();
    diesel::sql_query("CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT NOT NULL, published BOOLEAN NOT NULL)")
        .execute(&mut conn)
        .unwrap();
    for sql in spec.create_table_sql(audit_diesel::schema::Dialect::Sqlite) {
        diesel::sql_query(sql).execute(&mut conn).unwrap();
    }
    conn
}

#[test]
fn a_model_naming_its_table_by_path_in_diesels_layout_records_history() {
    use models::{historical_posts, HistoricalPost, Post};
    let mut conn = setup(Post::HISTORY);
    let ctx = AuditContext::builder()
        .user(1)
        .reason("first post")
        .build()
        .unwrap();
    let post = Post::create(
        &mut conn,
        &ctx,
        (
            schema::posts::title.eq("Hello"),
            schema::posts::published.eq(false),
        ),
    )
    .unwrap();
    Post::update(
        &mut conn,
        &ctx.with_reason("publish").unwrap(),
        post.id,
        schema::posts::published.eq(true),
    )
    .unwrap();
    let trail: Vec<HistoricalPost> = historical_posts::table
        .order(historical_posts::history_id)
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        trail
            .iter()
            .map(|r| (r.history_type.as_str(), r.published))
            .collect::<Vec<_>>(),
        [("+", false), ("~", true)]
    );
}

#[test]
fn a_printed_history_table_beside_the_derives_does_not_clash() {
    use unfiltered::models::{historical_posts, HistoricalPost, Post};
    let mut conn = setup(Post::HISTORY);
    let post = Post::create(
        &mut conn,
        &AuditContext::for_user(1),
        unfiltered::schema::posts::title.eq("Hi"),
    )
    .unwrap_err();
    // `published` has no default: the insert fails, and nothing is recorded.
    assert!(matches!(post, AuditError::Database { .. }), "{post}");
    Post::create(
        &mut conn,
        &AuditContext::for_user(1),
        (
            unfiltered::schema::posts::title.eq("Hi"),
            unfiltered::schema::posts::published.eq(true),
        ),
    )
    .unwrap();
    let rows: Vec<HistoricalPost> = historical_posts::table.load(&mut conn).unwrap();
    assert_eq!(rows.len(), 1);
    // The printed table names the same rows, with diesel's own column types.
    let printed: i64 = unfiltered::schema::historical_posts::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(printed, 1);
}
