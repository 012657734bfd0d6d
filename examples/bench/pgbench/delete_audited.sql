\set id random(1, 1000000)
WITH c AS (DELETE FROM bench_fish WHERE id = :id RETURNING *), h AS (INSERT INTO historical_bench_fish (id, name, species, population, avg_weight_g, status, notes, created_at, updated_at, history_type, history_user_id, history_change_reason, history_date) SELECT c.*, '-', 1, 'bench', clock_timestamp() FROM c) SELECT * FROM c;
