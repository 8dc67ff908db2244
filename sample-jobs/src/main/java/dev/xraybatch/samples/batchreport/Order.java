package dev.xraybatch.samples.batchreport;

/** One line of an order file: {@code order_id,currency,amount}. */
final class Order {
    final String id;
    final String currency;
    final double amount;

    Order(String id, String currency, double amount) {
        this.id = id;
        this.currency = currency;
        this.amount = amount;
    }
}
