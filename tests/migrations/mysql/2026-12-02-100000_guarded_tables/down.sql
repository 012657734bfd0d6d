DROP TABLE nets;
DROP TABLE moorings;
