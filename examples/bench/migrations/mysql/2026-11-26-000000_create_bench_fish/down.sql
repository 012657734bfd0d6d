DROP TABLE bench_fish;
