package dev.xraybatch.agenttests.pointcuts.app;

/** Traced because of its annotation (classes_annotated_with). */
@Audited
public class Auditor {
    public boolean audit(String what) {
        return !what.isEmpty();
    }
}
