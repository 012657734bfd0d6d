use audit_diesel::Historical;

#[derive(Historical)]
pub struct Batch {
    pub id: i32,
    pub name: String,
}

fn main() {}
