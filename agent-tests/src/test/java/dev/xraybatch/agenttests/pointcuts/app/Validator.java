package dev.xraybatch.agenttests.pointcuts.app;

public final class Validator {
    private Validator() {
    }

    public static void validate(String row) {
        if (row.isEmpty()) {
            throw new IllegalArgumentException("empty row");
        }
    }
}
