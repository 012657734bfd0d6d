//! Attribute names, in one place.

pub const DIESEL: &str = "diesel";
pub const HISTORICAL: &str = "historical";

// #[diesel(...)] keys the derive reads.
pub const TABLE_NAME: &str = "table_name";
pub const PRIMARY_KEY: &str = "primary_key";
pub const BELONGS_TO: &str = "belongs_to";
pub const FOREIGN_KEY: &str = "foreign_key";
pub const CHECK_FOR_BACKEND: &str = "check_for_backend";
pub const COLUMN_NAME: &str = "column_name";
pub const EMBED: &str = "embed";
pub const SELECT_EXPRESSION: &str = "select_expression";

// #[historical(...)] keys on the struct.
pub const USER_ID_TYPE: &str = "user_id_type";
pub const HISTORY_ID_TYPE: &str = "history_id_type";
pub const RECORD: &str = "record";
pub const METADATA: &str = "metadata";
pub const RECORD_UNCHANGED: &str = "record_unchanged";
pub const CRATE: &str = "crate";
pub const CASCADE_DELETE_HISTORY: &str = "cascade_delete_history";
pub const HISTORY_FIELD: &str = "history_field";
pub const HOOKS: &str = "hooks";
pub const APPEND_ONLY: &str = "append_only";
pub const CHAIN: &str = "chain";
pub const GUARD: &str = "guard";
pub const STRUCT_KEYS: &[&str] = &[
    TABLE_NAME,
    USER_ID_TYPE,
    HISTORY_ID_TYPE,
    RECORD,
    METADATA,
    RECORD_UNCHANGED,
    CASCADE_DELETE_HISTORY,
    APPEND_ONLY,
    CHAIN,
    GUARD,
    HISTORY_FIELD,
    HOOKS,
    CRATE,
];

// #[historical(...)] keys on a field.
pub const EXCLUDE: &str = "exclude";
pub const SQL_TYPE: &str = "sql_type";
pub const DDL_TYPE: &str = "ddl_type";
pub const INDEX: &str = "index";
pub const FIELD_KEYS: &[&str] = &[EXCLUDE, SQL_TYPE, DDL_TYPE, INDEX];
