//! MySQL/MariaDB only: the statements of each audited write, and history under concurrent
//! writers.
#![cfg(feature = "mysql")]

mod common;

use audit_diesel::{AuditContext, Historical};
use common::db::{AnyConnection, MysqlDb};
use common::*;
use diesel::prelude::*;

/// The verb of each statement: its first word, and `FOR UPDATE` for a locking read.
fn verbs(sql: &[String]) -> Vec<String> {
    sql.iter()
        .map(|s| {
            let s = s.split(" -- binds").next().unwrap_or(s);
            let verb = s.split_whitespace().next().unwrap_or("").to_uppercase();
            if s.ends_with("FOR UPDATE") {
                format!("{verb} FOR UPDATE")
            } else {
                verb
            }
        })
        .collect()
}

#[test]
fn every_audited_write_is_one_transaction_of_counted_statements() {
    let mut db = TestDb::any_mysql();
    let conn = &mut db.conn;
    let [(_, create), (_, update), (_, save), (_, delete)] =
        common::statements::of_each_write(conn);
    assert_eq!(
        verbs(&create),
        ["BEGIN", "SET", "INSERT", "SELECT", "SET", "INSERT", "CALL", "COMMIT"],
        "{create:#?}"
    );
    assert!(
        create[3].contains("JSON_TABLE(@audit_inserted"),
        "{}",
        create[3]
    );
    assert!(
        create[5].starts_with("INSERT INTO `historical_tanks`"),
        "{}",
        create[5]
    );
    // The history insert is followed by the chain procedure that hashes its rows.
    for sql in [&create, &update, &save, &delete] {
        let call = &sql[sql.len() - 2];
        assert_eq!(
            call, "CALL `historical_tanks_chain`(LAST_INSERT_ID())",
            "{sql:#?}"
        );
    }
    for (write, sql) in [("update", &update), ("save", &save)] {
        assert_eq!(
            verbs(sql),
            [
                "BEGIN",
                "SELECT FOR UPDATE",
                "UPDATE",
                "SELECT",
                "INSERT",
                "CALL",
                "COMMIT"
            ],
            "{write}: {sql:#?}"
        );
    }
    assert_eq!(
        verbs(&delete),
        [
            "BEGIN",
            "SELECT FOR UPDATE",
            "DELETE",
            "INSERT",
            "CALL",
            "COMMIT"
        ],
        "{delete:#?}"
    );
    assert_eq!(
        historical_tanks::table
            .count()
            .get_result::<i64>(conn)
            .unwrap(),
        4
    );
}

#[test]
fn concurrent_writers_get_one_history_row_per_write_holding_the_state_after_it() {
    let mut db = TestDb::any_mysql();
    let name = db.guard.mysql_database.clone().unwrap();
    common::concurrency::writers_get_one_history_row_per_write_in_commit_order(&mut db, || {
        AnyConnection::Mysql(MysqlConnection::establish(&MysqlDb::url_of(&name)).unwrap())
    });
}

/// A create whose source table lacks the insert trigger (its migration did not run) is a typed
/// error naming what to do, and writes nothing.
#[test]
fn a_create_without_the_insert_trigger_is_refused_and_writes_nothing() {
    let mut db = TestDb::any_mysql();
    let conn = &mut db.conn;
    diesel::connection::SimpleConnection::batch_execute(conn, "DROP TRIGGER tanks_audit_inserted")
        .unwrap();
    let refused = Tank::create(conn, &AuditContext::for_user(1), &NewTank::named("T1"));
    let message = refused.unwrap_err().to_string();
    assert!(
        message.contains("tanks_audit_inserted") && message.contains("migrations"),
        "{message}"
    );
    assert_eq!(tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
    assert_eq!(
        historical_tanks::table
            .count()
            .get_result::<i64>(conn)
            .unwrap(),
        0
    );
}
