INSERT INTO bench_fish (name, species, population, avg_weight_g, status, notes, created_at, updated_at) VALUES ('fish', 'Atlantic salmon', 1000, 250.0, 'active', NULL, now(), now()) RETURNING *;
