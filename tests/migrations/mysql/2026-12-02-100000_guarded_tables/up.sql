-- Two tables whose models guard them against writes that bypass the library: moorings refuse them,
-- nets record them (the application's migration, written by hand).
CREATE TABLE moorings (id INTEGER AUTO_INCREMENT PRIMARY KEY, name TEXT NOT NULL,
    depth_m DOUBLE NOT NULL);

CREATE TABLE nets (id INTEGER AUTO_INCREMENT PRIMARY KEY, mesh_mm INTEGER NOT NULL,
    label TEXT, installed_at DATETIME(6));
