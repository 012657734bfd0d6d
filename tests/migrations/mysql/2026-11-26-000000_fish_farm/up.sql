-- The fish farm's own tables (the application's migration, written by hand), in MySQL's types:
-- a key or unique column of text is a VARCHAR, as MySQL indexes no unbounded TEXT.
CREATE TABLE users (id INTEGER AUTO_INCREMENT PRIMARY KEY, username VARCHAR(255) NOT NULL UNIQUE);

CREATE TABLE tanks (id INTEGER AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE,
    volume_m3 DOUBLE NOT NULL, notes TEXT, commissioned_on DATE,
    internal_code TEXT);

CREATE TABLE feedings (id BIGINT AUTO_INCREMENT PRIMARY KEY, tank_id INTEGER NOT NULL,
    amount_kg DOUBLE NOT NULL CHECK (amount_kg > 0),
    fed_at DATETIME(6) NOT NULL, FOREIGN KEY (tank_id) REFERENCES tanks (id));

CREATE TABLE assignments (tank_id INTEGER NOT NULL,
    batch_code VARCHAR(255) NOT NULL, population INTEGER NOT NULL,
    PRIMARY KEY (tank_id, batch_code), FOREIGN KEY (tank_id) REFERENCES tanks (id));

CREATE TABLE tank_tags (tank_id INTEGER NOT NULL, tag VARCHAR(255) NOT NULL,
    PRIMARY KEY (tank_id, tag));

CREATE TABLE sensors (id INTEGER PRIMARY KEY, serial TEXT NOT NULL,
    active BOOLEAN NOT NULL);

CREATE TABLE profiles (id INTEGER AUTO_INCREMENT PRIMARY KEY, display_name TEXT NOT NULL);
