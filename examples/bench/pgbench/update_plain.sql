\set id random(1, 1000000)
UPDATE bench_fish SET population = population + 1, status = 'growing', updated_at = now() WHERE id = :id;
