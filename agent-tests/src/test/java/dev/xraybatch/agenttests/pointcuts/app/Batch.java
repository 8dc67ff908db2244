package dev.xraybatch.agenttests.pointcuts.app;

import java.util.List;

/** What the steps work on; pointcuts read its name and rows through getters. */
public final class Batch {
    private final String name;
    private final List<String> rows;

    public Batch(String name, List<String> rows) {
        this.name = name;
        this.rows = rows;
    }

    public String getName() {
        return name;
    }

    public List<String> getRows() {
        return rows;
    }
}
