-- The benchmark's table (written by hand, as an application's own migration would be), in
-- SQLite's nearest types: the key is the rowid, timestamps are Diesel's `TimestamptzSqlite` text.
CREATE TABLE bench_fish (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    species VARCHAR(50) NOT NULL,
    population INTEGER NOT NULL,
    avg_weight_g DOUBLE NOT NULL,
    status VARCHAR(20) NOT NULL,
    notes TEXT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
