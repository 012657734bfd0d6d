-- Two copies of bench_fish for the source guard's cost: one refuses writes that bypass the
-- library (#[historical(guard = refuse)]), one records them (guard = record).
CREATE TABLE bench_guarded_fish (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    species VARCHAR(50) NOT NULL,
    population INTEGER NOT NULL,
    avg_weight_g DOUBLE NOT NULL,
    status VARCHAR(20) NOT NULL,
    notes TEXT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL
);
CREATE TABLE bench_recorded_fish (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    species VARCHAR(50) NOT NULL,
    population INTEGER NOT NULL,
    avg_weight_g DOUBLE NOT NULL,
    status VARCHAR(20) NOT NULL,
    notes TEXT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL
);
