DROP TABLE profiles;
DROP TABLE sensors;
DROP TABLE tank_tags;
DROP TABLE assignments;
DROP TABLE feedings;
DROP TABLE tanks;
DROP TABLE users;
