DROP TABLE bench_recorded_fish;
DROP TABLE bench_guarded_fish;
