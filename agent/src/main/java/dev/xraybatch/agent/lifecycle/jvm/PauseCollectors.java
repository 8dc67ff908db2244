package dev.xraybatch.agent.lifecycle.jvm;

/**
 * Which garbage collector beans count stop-the-world pauses. A concurrent collector has two beans: one for its
 * pauses and one for its cycles, whose time is mostly concurrent work beside the application (ZGC, Shenandoah):
 * adding a cycle's time to the pauses would report seconds of "pause" where the job never stopped. Known names
 * only; a collector this list does not know (another JVM's) is not counted, and the root names it.
 */
public final class PauseCollectors {
    private PauseCollectors() {
    }

    /** What a collector bean's count and time measure. */
    public enum Kind {
        /** Each collection is a stop-the-world pause. */
        PAUSES,
        /** Each collection is a cycle that runs mostly concurrently: not pause time. */
        CYCLES,
        /** Not known: neither counted nor assumed. */
        UNKNOWN
    }

    public static Kind of(String beanName) {
        if (beanName == null) {
            return Kind.UNKNOWN;
        }
        switch (beanName) {
            case "Copy":                // Serial: young
            case "MarkSweepCompact":    // Serial: full
            case "PS Scavenge":         // Parallel: young
            case "PS MarkSweep":        // Parallel: full
            case "ParNew":              // CMS's young collector (Java 8..13)
            case "G1 Young Generation": // G1: young and mixed evacuation pauses
            case "G1 Old Generation":   // G1: full collections
            case "G1 Concurrent GC":    // G1 (Java 20+): despite its name, the Remark and Cleanup pauses of a cycle
                return Kind.PAUSES;
            case "ConcurrentMarkSweep": // CMS: one collection spans the whole cycle, concurrent phases included
                return Kind.CYCLES;
            default:
                break;
        }
        // ZGC Pauses, ZGC Minor Pauses, ZGC Major Pauses (generational, Java 21+), Shenandoah Pauses; and their
        // ZGC Cycles, ZGC Minor Cycles, ZGC Major Cycles, Shenandoah Cycles.
        if (beanName.endsWith(" Pauses")) {
            return Kind.PAUSES;
        }
        if (beanName.endsWith(" Cycles")) {
            return Kind.CYCLES;
        }
        return Kind.UNKNOWN;
    }
}
