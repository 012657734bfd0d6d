\set id random(1, 1000000)
DELETE FROM bench_fish WHERE id = :id;
