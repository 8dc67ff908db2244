-- The job's input: orders to score, created and filled by Flyway at start-up.
CREATE TABLE orders (
    id     BIGINT PRIMARY KEY,
    amount DECIMAL(12, 2) NOT NULL,
    score  BIGINT
);
INSERT INTO orders (id, amount) SELECT x, MOD(x * 37, 1000) + 0.5 FROM SYSTEM_RANGE(1, 400);
