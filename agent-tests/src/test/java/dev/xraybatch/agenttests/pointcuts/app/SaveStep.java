package dev.xraybatch.agenttests.pointcuts.app;

public class SaveStep implements Step {
    @Override
    public int execute(Batch batch) {
        return batch.getRows().size();
    }
}
