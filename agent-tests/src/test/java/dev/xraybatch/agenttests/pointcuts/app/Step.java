package dev.xraybatch.agenttests.pointcuts.app;

/** One step of the pipeline: an interface with two implementations, traced through subtypes_of. */
public interface Step {
    int execute(Batch batch);
}
