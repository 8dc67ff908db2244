package dev.xraybatch.springjob;

import org.springframework.batch.item.ItemProcessor;

/**
 * The job's own work per order: a CPU-bound score, bounded by the clock (about 2 ms an order) rather than by an
 * amount of work, so that the step lasts long enough to be sampled however busy the machine is.
 */
public class OrderScorer implements ItemProcessor<Order, Order> {
    @Override
    public Order process(Order order) {
        long until = System.nanoTime() + 2_000_000L;
        long h = order.id();
        while (System.nanoTime() < until) {
            for (int k = 0; k < 1000; k++) {
                h = h * 31 + k;
            }
        }
        return new Order(order.id(), order.amount(), order.amount().longValue() + (h & 7));
    }
}
