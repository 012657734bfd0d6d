-- AquaMind's own tables (the application's migration, written by hand).
-- Their history tables come from the models: the migrations after this one are generated.

CREATE TABLE users (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    username VARCHAR(255) NOT NULL UNIQUE,
    email TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_staff BOOLEAN NOT NULL,
    is_active BOOLEAN NOT NULL
);

CREATE TABLE geographies (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(255) NOT NULL UNIQUE,
    description TEXT NULL
);

CREATE TABLE areas (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    geography_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    latitude DOUBLE NOT NULL,
    longitude DOUBLE NOT NULL,
    max_biomass_kg DOUBLE NOT NULL,
    active BOOLEAN NOT NULL,
    FOREIGN KEY (geography_id) REFERENCES geographies (id)
);

CREATE TABLE freshwater_stations (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    geography_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    station_type TEXT NOT NULL,
    latitude DOUBLE NOT NULL,
    longitude DOUBLE NOT NULL,
    active BOOLEAN NOT NULL,
    FOREIGN KEY (geography_id) REFERENCES geographies (id)
);

CREATE TABLE halls (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    freshwater_station_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    area_sqm DOUBLE NULL,
    active BOOLEAN NOT NULL,
    FOREIGN KEY (freshwater_station_id) REFERENCES freshwater_stations (id)
);

CREATE TABLE container_types (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(255) NOT NULL UNIQUE,
    category TEXT NOT NULL,
    max_volume_m3 DOUBLE NOT NULL
);

CREATE TABLE containers (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    container_type_id INTEGER NOT NULL,
    hall_id INTEGER NULL,
    area_id INTEGER NULL,
    name TEXT NOT NULL,
    volume_m3 DOUBLE NOT NULL,
    max_biomass_kg DOUBLE NOT NULL,
    active BOOLEAN NOT NULL,
    FOREIGN KEY (container_type_id) REFERENCES container_types (id),
    FOREIGN KEY (hall_id) REFERENCES halls (id),
    FOREIGN KEY (area_id) REFERENCES areas (id)
);

CREATE TABLE sensors (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    container_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    sensor_type TEXT NOT NULL,
    serial_number VARCHAR(255) NOT NULL UNIQUE,
    active BOOLEAN NOT NULL,
    FOREIGN KEY (container_id) REFERENCES containers (id)
);

CREATE TABLE feed_containers (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    hall_id INTEGER NULL,
    area_id INTEGER NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    capacity_kg DOUBLE NOT NULL,
    active BOOLEAN NOT NULL,
    FOREIGN KEY (hall_id) REFERENCES halls (id),
    FOREIGN KEY (area_id) REFERENCES areas (id)
);

CREATE TABLE batches (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    batch_number VARCHAR(255) NOT NULL UNIQUE,
    species TEXT NOT NULL,
    lifecycle_stage TEXT NOT NULL,
    status TEXT NOT NULL,
    start_date DATE NOT NULL,
    expected_end_date DATE NULL,
    notes TEXT NULL
);

CREATE TABLE batch_container_assignments (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    batch_id INTEGER NOT NULL,
    container_id INTEGER NOT NULL,
    population_count INTEGER NOT NULL,
    biomass_kg DOUBLE NOT NULL,
    assignment_date DATE NOT NULL,
    is_active BOOLEAN NOT NULL,
    FOREIGN KEY (batch_id) REFERENCES batches (id),
    FOREIGN KEY (container_id) REFERENCES containers (id)
);

CREATE TABLE batch_transfers (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    source_batch_id INTEGER NOT NULL,
    destination_batch_id INTEGER NULL,
    source_assignment_id INTEGER NOT NULL,
    destination_assignment_id INTEGER NULL,
    transfer_type TEXT NOT NULL,
    transferred_count INTEGER NOT NULL,
    transferred_biomass_kg DOUBLE NOT NULL,
    transfer_date DATE NOT NULL,
    notes TEXT NULL,
    FOREIGN KEY (source_batch_id) REFERENCES batches (id),
    FOREIGN KEY (destination_batch_id) REFERENCES batches (id),
    FOREIGN KEY (source_assignment_id) REFERENCES batch_container_assignments (id),
    FOREIGN KEY (destination_assignment_id) REFERENCES batch_container_assignments (id)
);

CREATE TABLE growth_samples (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    assignment_id INTEGER NOT NULL,
    sample_date DATE NOT NULL,
    sample_size INTEGER NOT NULL,
    avg_weight_g DOUBLE NOT NULL,
    avg_length_cm DOUBLE NULL,
    FOREIGN KEY (assignment_id) REFERENCES batch_container_assignments (id)
);

CREATE TABLE mortality_events (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    batch_id INTEGER NOT NULL,
    event_date DATE NOT NULL,
    count INTEGER NOT NULL,
    cause TEXT NOT NULL,
    description TEXT NULL,
    FOREIGN KEY (batch_id) REFERENCES batches (id)
);

CREATE TABLE feed_stocks (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    feed_container_id INTEGER NOT NULL,
    feed_name TEXT NOT NULL,
    current_quantity_kg DOUBLE NOT NULL,
    reorder_threshold_kg DOUBLE NOT NULL,
    FOREIGN KEY (feed_container_id) REFERENCES feed_containers (id)
);

CREATE TABLE feeding_events (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    batch_id INTEGER NOT NULL,
    container_id INTEGER NOT NULL,
    feed_stock_id INTEGER NULL,
    fed_at DATETIME(6) NOT NULL,
    amount_kg DOUBLE NOT NULL,
    method TEXT NOT NULL,
    FOREIGN KEY (batch_id) REFERENCES batches (id),
    FOREIGN KEY (container_id) REFERENCES containers (id),
    FOREIGN KEY (feed_stock_id) REFERENCES feed_stocks (id)
);

CREATE TABLE journal_entries (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    batch_id INTEGER NOT NULL,
    container_id INTEGER NULL,
    author_id INTEGER NOT NULL,
    entry_date DATE NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    description TEXT NOT NULL,
    resolved BOOLEAN NOT NULL,
    FOREIGN KEY (batch_id) REFERENCES batches (id),
    FOREIGN KEY (container_id) REFERENCES containers (id),
    FOREIGN KEY (author_id) REFERENCES users (id)
);

CREATE TABLE health_lab_samples (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    assignment_id INTEGER NOT NULL,
    sample_type TEXT NOT NULL,
    sample_date DATE NOT NULL,
    lab_reference TEXT NOT NULL,
    findings TEXT NULL,
    FOREIGN KEY (assignment_id) REFERENCES batch_container_assignments (id)
);

CREATE TABLE mortality_records (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    batch_id INTEGER NOT NULL,
    container_id INTEGER NULL,
    event_date DATE NOT NULL,
    count INTEGER NOT NULL,
    reason TEXT NOT NULL,
    FOREIGN KEY (batch_id) REFERENCES batches (id),
    FOREIGN KEY (container_id) REFERENCES containers (id)
);

CREATE TABLE lice_counts (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    batch_id INTEGER NOT NULL,
    container_id INTEGER NULL,
    counted_by INTEGER NOT NULL,
    count_date DATE NOT NULL,
    fish_sampled INTEGER NOT NULL,
    adult_female_count INTEGER NOT NULL,
    adult_male_count INTEGER NOT NULL,
    juvenile_count INTEGER NOT NULL,
    FOREIGN KEY (batch_id) REFERENCES batches (id),
    FOREIGN KEY (container_id) REFERENCES containers (id),
    FOREIGN KEY (counted_by) REFERENCES users (id)
);

CREATE TABLE treatments (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    batch_id INTEGER NOT NULL,
    container_id INTEGER NULL,
    prescribed_by INTEGER NOT NULL,
    treatment_date DATE NOT NULL,
    treatment_type TEXT NOT NULL,
    description TEXT NOT NULL,
    dosage TEXT NULL,
    duration_days INTEGER NOT NULL,
    withholding_period_days INTEGER NOT NULL,
    FOREIGN KEY (batch_id) REFERENCES batches (id),
    FOREIGN KEY (container_id) REFERENCES containers (id),
    FOREIGN KEY (prescribed_by) REFERENCES users (id)
);

CREATE TABLE user_profiles (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INTEGER NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    phone TEXT NULL,
    role TEXT NOT NULL,
    geography_id INTEGER NULL,
    language TEXT NOT NULL,
    FOREIGN KEY (user_id) REFERENCES users (id),
    FOREIGN KEY (geography_id) REFERENCES geographies (id)
);

-- High-frequency data: out of the audit trail's scope, no history table.
CREATE TABLE environmental_readings (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    sensor_id INTEGER NOT NULL,
    container_id INTEGER NOT NULL,
    reading_time DATETIME(6) NOT NULL,
    parameter TEXT NOT NULL,
    value DOUBLE NOT NULL,
    FOREIGN KEY (sensor_id) REFERENCES sensors (id),
    FOREIGN KEY (container_id) REFERENCES containers (id)
);

-- High-frequency data: out of the audit trail's scope, no history table.
CREATE TABLE weather_data (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    area_id INTEGER NOT NULL,
    observed_at DATETIME(6) NOT NULL,
    temperature_c DOUBLE NOT NULL,
    wind_speed_ms DOUBLE NOT NULL,
    precipitation_mm DOUBLE NOT NULL,
    FOREIGN KEY (area_id) REFERENCES areas (id)
);
