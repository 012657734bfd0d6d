-- The application's own table (written by hand, as with `diesel migration generate`).
CREATE TABLE batches (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    species TEXT NOT NULL,
    population INTEGER NOT NULL,
    status TEXT NOT NULL
);
