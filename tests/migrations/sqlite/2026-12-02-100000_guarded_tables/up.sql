-- Two tables whose models guard them against writes that bypass the library: moorings refuse them,
-- nets record them (the application's migration, written by hand).
CREATE TABLE moorings (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,
    depth_m DOUBLE NOT NULL);

CREATE TABLE nets (id INTEGER PRIMARY KEY AUTOINCREMENT, mesh_mm INTEGER NOT NULL,
    label TEXT, installed_at TIMESTAMP);
