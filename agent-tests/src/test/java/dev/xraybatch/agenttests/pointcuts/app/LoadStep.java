package dev.xraybatch.agenttests.pointcuts.app;

public class LoadStep implements Step {
    @Override
    public int execute(Batch batch) {
        int total = 0;
        for (String row : batch.getRows()) {
            total += Parser.parse(row);
        }
        return total;
    }
}
