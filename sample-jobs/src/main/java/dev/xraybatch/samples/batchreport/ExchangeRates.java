package dev.xraybatch.samples.batchreport;

import java.util.Map;

/** Rates as a rates service returns them: {@code {"base": "EUR", "rates": {"USD": 1.08, ...}}}. */
public final class ExchangeRates {
    private final String base;
    private final Map<String, Double> rates;

    ExchangeRates(String base, Map<String, Double> rates) {
        this.base = base;
        this.rates = rates;
    }

    public String getBase() {
        return base;
    }

    /** How many currencies the rates cover (the pointcut file annotates the trace with it). */
    public int getCurrencies() {
        return rates.size();
    }

    /** The amount in the base currency. */
    double toBase(String currency, double amount) {
        Double rate = rates.get(currency);
        if (rate == null) {
            throw new IllegalArgumentException("no exchange rate for " + currency);
        }
        return amount / rate;
    }
}
