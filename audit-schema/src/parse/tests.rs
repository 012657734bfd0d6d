use syn::parse_quote;

use super::Model;
use crate::{Dialect, HistoryIdType, SqlType, UserIdType};

fn model(input: syn::DeriveInput) -> Model {
    Model::from_derive_input(&input).unwrap_or_else(|e| panic!("{e}"))
}

fn errors(input: syn::DeriveInput) -> Vec<String> {
    match Model::from_derive_input(&input) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn defaults_follow_django_simple_history_names() {
    let m = model(parse_quote! {
        #[diesel(table_name = crate::schema::batches)]
        pub struct Batch { pub id: i32, pub name: String }
    });
    assert_eq!(m.history_table, "historical_batches");
    assert_eq!(m.record, "HistoricalBatch");
    assert_eq!(m.table_name, "batches");
    assert_eq!(m.primary_key, ["id"]);
    assert_eq!(m.user_id, UserIdType::I64);
    assert_eq!(m.history_id, HistoryIdType::BigInt);
    assert!(!m.metadata);
}

#[test]
fn the_spec_has_tracked_columns_with_types_nullability_and_indexes() {
    let m = model(parse_quote! {
        #[derive(Queryable, Associations)]
        #[diesel(table_name = feedings, belongs_to(Batch), belongs_to(Container, foreign_key = tank))]
        #[historical(user_id_type = uuid, history_id_type = uuid, table_name = feeding_log, metadata)]
        pub struct FeedingEvent {
            pub id: i64,
            pub batch_id: i32,
            pub tank: Option<i32>,
            #[diesel(column_name = amount_kg)]
            pub amount: bigdecimal::BigDecimal,
            pub fed_at: chrono::DateTime<chrono::Utc>,
            #[historical(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Varchar>)]
            pub notes: Option<String>,
            #[historical(sql_type = FeedKind, ddl_type = "feed_kind")]
            pub kind: FeedKindValue,
            #[historical(index)]
            pub lot: String,
            #[historical(exclude)]
            pub internal: Vec<u8>,
        }
    });
    let spec = m.to_spec();
    assert_eq!(spec.history_table, "feeding_log");
    assert_eq!(spec.user_id, UserIdType::Uuid);
    assert_eq!(spec.history_id, HistoryIdType::Uuid);
    assert!(spec.metadata);
    let columns: Vec<(&str, &SqlType, bool, bool)> = spec
        .columns
        .iter()
        .map(|c| (c.name.as_ref(), &c.sql_type, c.nullable, c.indexed))
        .collect();
    assert_eq!(
        columns,
        [
            ("id", &SqlType::BigInt, false, false),
            ("batch_id", &SqlType::Integer, false, true),
            ("tank", &SqlType::Integer, true, true),
            ("amount_kg", &SqlType::Numeric, false, false),
            ("fed_at", &SqlType::Timestamptz, false, false),
            ("notes", &SqlType::Text, true, false),
            ("kind", &SqlType::Custom("feed_kind".into()), false, false),
            ("lot", &SqlType::Text, false, true),
        ]
    );
    assert_eq!(spec.excluded.as_ref(), ["internal"]);
    let ddl = spec.create_table_sql(Dialect::Postgres).join(";\n");
    assert!(ddl.contains(r#""kind" feed_kind NOT NULL"#), "{ddl}");
    assert!(
        ddl.contains(r#"("batch_id")"#) && ddl.contains(r#"("tank")"#),
        "{ddl}"
    );
}

#[test]
fn composite_keys_keep_their_declared_order() {
    let m = model(parse_quote! {
        #[diesel(table_name = assignments, primary_key(container_id, batch_id))]
        struct Assignment { batch_id: i32, container_id: i32, population: i32 }
    });
    assert_eq!(m.primary_key, ["container_id", "batch_id"]);
    let keys: Vec<String> = m.key_fields().map(|f| f.ident.to_string()).collect();
    assert_eq!(keys, ["container_id", "batch_id"]);
    assert_eq!(
        m.to_spec().primary_key.as_ref(),
        ["container_id", "batch_id"]
    );
}

#[test]
fn every_problem_is_reported_in_one_pass() {
    let errs = errors(parse_quote! {
        #[diesel(table_name = batches)]
        #[historical(user_id_type = i16, colour = "blue", exclude)]
        struct Batch {
            #[historical(exclude)]
            id: i32,
            history_date: String,
            weight: Grams,
            #[historical(index, index)]
            name: String,
        }
    });
    let expected = [
        "unknown user id type `i16`",
        "unknown attribute `historical(colour)`",
        "`historical(exclude)` belongs on a field, not on the struct",
        // Stage by stage: attributes, then the rules across fields, then the types.
        "duplicate `index` attribute",
        "cannot exclude `id`",
        "column `history_date` has the name of a history column",
        "no SQL type is known for `Grams` (field `weight`)",
    ];
    assert_eq!(errs.len(), expected.len(), "{errs:#?}");
    for (err, want) in errs.iter().zip(expected) {
        assert!(err.contains(want), "{err:?} should contain {want:?}");
    }
}

#[test]
fn a_missing_key_column_is_named() {
    let errs = errors(parse_quote! {
        #[diesel(table_name = batches)]
        struct Batch { batch_id: i32, name: String }
    });
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].contains("primary key column `id` is not a field of `Batch`"),
        "{errs:?}"
    );
}

#[test]
fn only_structs_with_named_fields_are_models() {
    let errs = errors(parse_quote! {
        #[diesel(table_name = batches)]
        struct Batch(i32, String);
    });
    assert!(
        errs[0].contains("needs a struct with named fields"),
        "{errs:?}"
    );
    let errs = errors(parse_quote! {
        #[diesel(table_name = batches)]
        enum Batch { A }
    });
    assert!(errs[0].contains("works on structs"), "{errs:?}");
}

#[test]
fn nullable_sql_types_need_option_fields() {
    let errs = errors(parse_quote! {
        #[diesel(table_name = batches)]
        struct Batch {
            id: i32,
            #[historical(sql_type = Nullable<Text>)]
            name: String,
        }
    });
    assert!(
        errs[0].contains("is Nullable but the field is not an Option"),
        "{errs:?}"
    );
}

#[test]
fn unrelated_diesel_attributes_are_ignored() {
    let m = model(parse_quote! {
        #[diesel(table_name = batches, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
        struct Batch {
            #[diesel(serialize_as = String)]
            id: i32,
        }
    });
    assert_eq!(m.fields.len(), 1);
}

#[test]
fn history_only_fields_are_nullable_columns_of_the_history_table_only() {
    let m = model(parse_quote! {
        #[diesel(table_name = feedings)]
        #[historical(history_field(ip_address: Option<String>), history_field(approved_at: Option<DateTime<Utc>>))]
        pub struct Feeding { pub id: i64, pub amount_kg: f64 }
    });
    let spec = m.to_spec();
    assert_eq!(spec.columns.len(), 2, "not tracked columns");
    let fields: Vec<(&str, &SqlType, bool)> = spec
        .history_fields
        .iter()
        .map(|c| (c.name.as_ref(), &c.sql_type, c.nullable))
        .collect();
    assert_eq!(
        fields,
        [
            ("ip_address", &SqlType::Text, true),
            ("approved_at", &SqlType::Timestamptz, true)
        ]
    );
    let ddl = spec.create_table_sql(Dialect::Postgres).join("\n");
    assert!(
        ddl.contains(r#""ip_address" TEXT"#) && ddl.contains(r#""approved_at" TIMESTAMPTZ"#),
        "{ddl}"
    );
}

#[test]
fn history_only_fields_are_options_of_known_types_with_names_of_their_own() {
    let errs = errors(parse_quote! {
        #[diesel(table_name = feedings)]
        #[historical(
            history_field(ip_address: String),
            history_field(amount_kg: Option<f64>),
            history_field(history_date: Option<String>),
            history_field(shape: Option<Polygon>)
        )]
        pub struct Feeding { pub id: i64, pub amount_kg: f64 }
    });
    let expected = [
        "history-only field `ip_address` must be an Option",
        "history-only field `amount_kg` is named like another column",
        "history-only field `history_date` is named like another column",
        "no SQL type is known for the type of history-only field `shape`",
    ];
    assert_eq!(errs.len(), expected.len(), "{errs:#?}");
    for (err, want) in errs.iter().zip(expected) {
        assert!(err.contains(want), "{err:?} should contain {want:?}");
    }
}
