-- The benchmark's table (written by hand, as an application's own migration would be).
CREATE TABLE bench_fish (
    id BIGSERIAL PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    species VARCHAR(50) NOT NULL,
    population INTEGER NOT NULL,
    avg_weight_g DOUBLE PRECISION NOT NULL,
    status VARCHAR(20) NOT NULL,
    notes TEXT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
