use audit_diesel::Historical;

diesel::table! {
    transfers (batch_id, container_id) {
        batch_id -> Integer,
        container_id -> Integer,
        note -> Text,
    }
}

#[derive(Historical)]
#[diesel(table_name = transfers, primary_key(batch_id))]
pub struct Transfer {
    pub batch_id: i32,
    pub container_id: i32,
    pub note: String,
}

fn main() {}
