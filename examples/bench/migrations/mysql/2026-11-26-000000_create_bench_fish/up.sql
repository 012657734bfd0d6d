-- The benchmark's table (written by hand, as an application's own migration would be).
CREATE TABLE bench_fish (
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
