-- The fish farm's own tables (the application's migration, written by hand).
CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE);

CREATE TABLE tanks (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
    volume_m3 DOUBLE NOT NULL, notes TEXT, commissioned_on DATE, internal_code TEXT);

CREATE TABLE feedings (id INTEGER PRIMARY KEY, tank_id INTEGER NOT NULL
    REFERENCES tanks (id), amount_kg DOUBLE NOT NULL CHECK (amount_kg > 0),
    fed_at TIMESTAMP NOT NULL);

CREATE TABLE assignments (tank_id INTEGER NOT NULL REFERENCES tanks (id),
    batch_code TEXT NOT NULL, population INTEGER NOT NULL,
    PRIMARY KEY (tank_id, batch_code));

CREATE TABLE tank_tags (tank_id INTEGER NOT NULL, tag TEXT NOT NULL,
    PRIMARY KEY (tank_id, tag));

CREATE TABLE sensors (id INTEGER PRIMARY KEY, serial TEXT NOT NULL,
    active BOOLEAN NOT NULL);

CREATE TABLE profiles (id INTEGER PRIMARY KEY, display_name TEXT NOT NULL);
