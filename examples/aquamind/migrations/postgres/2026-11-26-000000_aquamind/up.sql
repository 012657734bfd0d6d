-- AquaMind's own tables (the application's migration, written by hand).
-- Their history tables come from the models: the migrations after this one are generated.

CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_staff BOOLEAN NOT NULL,
    is_active BOOLEAN NOT NULL
);

CREATE TABLE geographies (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT
);

CREATE TABLE areas (
    id SERIAL PRIMARY KEY,
    geography_id INTEGER NOT NULL REFERENCES geographies (id),
    name TEXT NOT NULL,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    max_biomass_kg DOUBLE PRECISION NOT NULL,
    active BOOLEAN NOT NULL
);

CREATE TABLE freshwater_stations (
    id SERIAL PRIMARY KEY,
    geography_id INTEGER NOT NULL REFERENCES geographies (id),
    name TEXT NOT NULL,
    station_type TEXT NOT NULL,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    active BOOLEAN NOT NULL
);

CREATE TABLE halls (
    id SERIAL PRIMARY KEY,
    freshwater_station_id INTEGER NOT NULL REFERENCES freshwater_stations (id),
    name TEXT NOT NULL,
    area_sqm DOUBLE PRECISION,
    active BOOLEAN NOT NULL
);

CREATE TABLE container_types (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    max_volume_m3 DOUBLE PRECISION NOT NULL
);

CREATE TABLE containers (
    id SERIAL PRIMARY KEY,
    container_type_id INTEGER NOT NULL REFERENCES container_types (id),
    hall_id INTEGER REFERENCES halls (id),
    area_id INTEGER REFERENCES areas (id),
    name TEXT NOT NULL,
    volume_m3 DOUBLE PRECISION NOT NULL,
    max_biomass_kg DOUBLE PRECISION NOT NULL,
    active BOOLEAN NOT NULL
);

CREATE TABLE sensors (
    id SERIAL PRIMARY KEY,
    container_id INTEGER NOT NULL REFERENCES containers (id),
    name TEXT NOT NULL,
    sensor_type TEXT NOT NULL,
    serial_number TEXT NOT NULL UNIQUE,
    active BOOLEAN NOT NULL
);

CREATE TABLE feed_containers (
    id SERIAL PRIMARY KEY,
    hall_id INTEGER REFERENCES halls (id),
    area_id INTEGER REFERENCES areas (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    capacity_kg DOUBLE PRECISION NOT NULL,
    active BOOLEAN NOT NULL
);

CREATE TABLE batches (
    id SERIAL PRIMARY KEY,
    batch_number TEXT NOT NULL UNIQUE,
    species TEXT NOT NULL,
    lifecycle_stage TEXT NOT NULL,
    status TEXT NOT NULL,
    start_date DATE NOT NULL,
    expected_end_date DATE,
    notes TEXT
);

CREATE TABLE batch_container_assignments (
    id SERIAL PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    container_id INTEGER NOT NULL REFERENCES containers (id),
    population_count INTEGER NOT NULL,
    biomass_kg DOUBLE PRECISION NOT NULL,
    assignment_date DATE NOT NULL,
    is_active BOOLEAN NOT NULL
);

CREATE TABLE batch_transfers (
    id SERIAL PRIMARY KEY,
    source_batch_id INTEGER NOT NULL REFERENCES batches (id),
    destination_batch_id INTEGER REFERENCES batches (id),
    source_assignment_id INTEGER NOT NULL REFERENCES batch_container_assignments (id),
    destination_assignment_id INTEGER REFERENCES batch_container_assignments (id),
    transfer_type TEXT NOT NULL,
    transferred_count INTEGER NOT NULL,
    transferred_biomass_kg DOUBLE PRECISION NOT NULL,
    transfer_date DATE NOT NULL,
    notes TEXT
);

CREATE TABLE growth_samples (
    id SERIAL PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES batch_container_assignments (id),
    sample_date DATE NOT NULL,
    sample_size INTEGER NOT NULL,
    avg_weight_g DOUBLE PRECISION NOT NULL,
    avg_length_cm DOUBLE PRECISION
);

CREATE TABLE mortality_events (
    id SERIAL PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    event_date DATE NOT NULL,
    count INTEGER NOT NULL,
    cause TEXT NOT NULL,
    description TEXT
);

CREATE TABLE feed_stocks (
    id SERIAL PRIMARY KEY,
    feed_container_id INTEGER NOT NULL REFERENCES feed_containers (id),
    feed_name TEXT NOT NULL,
    current_quantity_kg DOUBLE PRECISION NOT NULL,
    reorder_threshold_kg DOUBLE PRECISION NOT NULL
);

CREATE TABLE feeding_events (
    id SERIAL PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    container_id INTEGER NOT NULL REFERENCES containers (id),
    feed_stock_id INTEGER REFERENCES feed_stocks (id),
    fed_at TIMESTAMP NOT NULL,
    amount_kg DOUBLE PRECISION NOT NULL,
    method TEXT NOT NULL
);

CREATE TABLE journal_entries (
    id SERIAL PRIMARY KEY,
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
    id SERIAL PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES batch_container_assignments (id),
    sample_type TEXT NOT NULL,
    sample_date DATE NOT NULL,
    lab_reference TEXT NOT NULL,
    findings TEXT
);

CREATE TABLE mortality_records (
    id SERIAL PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    container_id INTEGER REFERENCES containers (id),
    event_date DATE NOT NULL,
    count INTEGER NOT NULL,
    reason TEXT NOT NULL
);

CREATE TABLE lice_counts (
    id SERIAL PRIMARY KEY,
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
    id SERIAL PRIMARY KEY,
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
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL UNIQUE REFERENCES users (id),
    full_name TEXT NOT NULL,
    phone TEXT,
    role TEXT NOT NULL,
    geography_id INTEGER REFERENCES geographies (id),
    language TEXT NOT NULL
);

-- High-frequency data: out of the audit trail's scope, no history table.
CREATE TABLE environmental_readings (
    id SERIAL PRIMARY KEY,
    sensor_id INTEGER NOT NULL REFERENCES sensors (id),
    container_id INTEGER NOT NULL REFERENCES containers (id),
    reading_time TIMESTAMP NOT NULL,
    parameter TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL
);

-- High-frequency data: out of the audit trail's scope, no history table.
CREATE TABLE weather_data (
    id SERIAL PRIMARY KEY,
    area_id INTEGER NOT NULL REFERENCES areas (id),
    observed_at TIMESTAMP NOT NULL,
    temperature_c DOUBLE PRECISION NOT NULL,
    wind_speed_ms DOUBLE PRECISION NOT NULL,
    precipitation_mm DOUBLE PRECISION NOT NULL
);
