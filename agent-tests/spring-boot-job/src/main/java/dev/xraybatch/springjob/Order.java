package dev.xraybatch.springjob;

import java.math.BigDecimal;

/** One row of the orders table; {@code score} is what the job computes. */
public record Order(long id, BigDecimal amount, long score) {
    Order(long id, BigDecimal amount) {
        this(id, amount, 0);
    }
}
