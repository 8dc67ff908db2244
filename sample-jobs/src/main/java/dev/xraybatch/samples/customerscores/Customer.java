package dev.xraybatch.samples.customerscores;

/** One active customer as the job reads it, and the score the scoring API gives it. */
public final class Customer {
    final long id;
    final String country;
    int score = -1;

    Customer(long id, String country) {
        this.id = id;
        this.country = country;
    }
}
