-- AquaMind's own tables (the application's migration, written by hand).
-- Their history tables come from the models: the migrations after this one are generated.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_staff BOOLEAN NOT NULL,
    is_active BOOLEAN NOT NULL
);

CREATE TABLE geographies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    description TEXT
);

CREATE TABLE areas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    geography_id INTEGER NOT NULL REFERENCES geographies (id),
    name TEXT NOT NULL,
    latitude DOUBLE NOT NULL,
    longitude DOUBLE NOT NULL,
    max_biomass_kg DOUBLE NOT NULL,
    active BOOLEAN NOT NULL
);

CREATE TABLE freshwater_stations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    geography_id INTEGER NOT NULL REFERENCES geographies (id),
    name TEXT NOT NULL,
    station_type TEXT NOT NULL,
    latitude DOUBLE NOT NULL,
    longitude DOUBLE NOT NULL,
    active BOOLEAN NOT NULL
);

CREATE TABLE halls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    freshwater_station_id INTEGER NOT NULL REFERENCES freshwater_stations (id),
    name TEXT NOT NULL,
    area_sqm DOUBLE,
    active BOOLEAN NOT NULL
);

CREATE TABLE container_types (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    max_volume_m3 DOUBLE NOT NULL
);

CREATE TABLE containers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    container_type_id INTEGER NOT NULL REFERENCES container_types (id),
    hall_id INTEGER REFERENCES halls (id),
    area_id INTEGER REFERENCES areas (id),
    name TEXT NOT NULL,
    volume_m3 DOUBLE NOT NULL,
    max_biomass_kg DOUBLE NOT NULL,
    active BOOLEAN NOT NULL
);

CREATE TABLE sensors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    container_id INTEGER NOT NULL REFERENCES containers (id),
    name TEXT NOT NULL,
    sensor_type TEXT NOT NULL,
    serial_number TEXT NOT NULL UNIQUE,
    active BOOLEAN NOT NULL
);

CREATE TABLE feed_containers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hall_id INTEGER REFERENCES halls (id),
    area_id INTEGER REFERENCES areas (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    capacity_kg DOUBLE NOT NULL,
    active BOOLEAN NOT NULL
);

CREATE TABLE batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_number TEXT NOT NULL UNIQUE,
    species TEXT NOT NULL,
    lifecycle_stage TEXT NOT NULL,
    status TEXT NOT NULL,
    start_date DATE NOT NULL,
    expected_end_date DATE,
    notes TEXT
);

CREATE TABLE batch_container_assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    container_id INTEGER NOT NULL REFERENCES containers (id),
    population_count INTEGER NOT NULL,
    biomass_kg DOUBLE NOT NULL,
    assignment_date DATE NOT NULL,
    is_active BOOLEAN NOT NULL
);

CREATE TABLE batch_transfers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_batch_id INTEGER NOT NULL REFERENCES batches (id),
    destination_batch_id INTEGER REFERENCES batches (id),
    source_assignment_id INTEGER NOT NULL REFERENCES batch_container_assignments (id),
    destination_assignment_id INTEGER REFERENCES batch_container_assignments (id),
    transfer_type TEXT NOT NULL,
    transferred_count INTEGER NOT NULL,
    transferred_biomass_kg DOUBLE NOT NULL,
    transfer_date DATE NOT NULL,
    notes TEXT
);

CREATE TABLE growth_samples (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    assignment_id INTEGER NOT NULL REFERENCES batch_container_assignments (id),
    sample_date DATE NOT NULL,
    sample_size INTEGER NOT NULL,
    avg_weight_g DOUBLE NOT NULL,
    avg_length_cm DOUBLE
);

CREATE TABLE mortality_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    event_date DATE NOT NULL,
    count INTEGER NOT NULL,
    cause TEXT NOT NULL,
    description TEXT
);

CREATE TABLE feed_stocks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    feed_container_id INTEGER NOT NULL REFERENCES feed_containers (id),
    feed_name TEXT NOT NULL,
    current_quantity_kg DOUBLE NOT NULL,
    reorder_threshold_kg DOUBLE NOT NULL
);

CREATE TABLE feeding_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    container_id INTEGER NOT NULL REFERENCES containers (id),
    feed_stock_id INTEGER REFERENCES feed_stocks (id),
    fed_at TIMESTAMP NOT NULL,
    amount_kg DOUBLE NOT NULL,
    method TEXT NOT NULL
);

CREATE TABLE journal_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    container_id INTEGER REFERENCES containers (id),
    author_id INTEGER NOT NULL REFERENCES users (id),
    entry_date DATE NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    description TEXT NOT NULL,
    resolved BOOLEAN NOT NULL
);

CREATE TABLE health_lab_samples (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    assignment_id INTEGER NOT NULL REFERENCES batch_container_assignments (id),
    sample_type TEXT NOT NULL,
    sample_date DATE NOT NULL,
    lab_reference TEXT NOT NULL,
    findings TEXT
);

CREATE TABLE mortality_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    container_id INTEGER REFERENCES containers (id),
    event_date DATE NOT NULL,
    count INTEGER NOT NULL,
    reason TEXT NOT NULL
);

CREATE TABLE lice_counts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    container_id INTEGER REFERENCES containers (id),
    counted_by INTEGER NOT NULL REFERENCES users (id),
    count_date DATE NOT NULL,
    fish_sampled INTEGER NOT NULL,
    adult_female_count INTEGER NOT NULL,
    adult_male_count INTEGER NOT NULL,
    juvenile_count INTEGER NOT NULL
);

CREATE TABLE treatments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    container_id INTEGER REFERENCES containers (id),
    prescribed_by INTEGER NOT NULL REFERENCES users (id),
    treatment_date DATE NOT NULL,
    treatment_type TEXT NOT NULL,
    description TEXT NOT NULL,
    dosage TEXT,
    duration_days INTEGER NOT NULL,
    withholding_period_days INTEGER NOT NULL
);

CREATE TABLE user_profiles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL UNIQUE REFERENCES users (id),
    full_name TEXT NOT NULL,
    phone TEXT,
    role TEXT NOT NULL,
    geography_id INTEGER REFERENCES geographies (id),
    language TEXT NOT NULL
);

-- High-frequency data: out of the audit trail's scope, no history table.
CREATE TABLE environmental_readings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sensor_id INTEGER NOT NULL REFERENCES sensors (id),
    container_id INTEGER NOT NULL REFERENCES containers (id),
    reading_time TIMESTAMP NOT NULL,
    parameter TEXT NOT NULL,
    value DOUBLE NOT NULL
);

-- High-frequency data: out of the audit trail's scope, no history table.
CREATE TABLE weather_data (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    area_id INTEGER NOT NULL REFERENCES areas (id),
    observed_at TIMESTAMP NOT NULL,
    temperature_c DOUBLE NOT NULL,
    wind_speed_ms DOUBLE NOT NULL,
    precipitation_mm DOUBLE NOT NULL
);
