package dev.xraybatch.agent.instrument.spark.driver;

/**
 * How an action subsegment is named: as the Spark UI names the job, {@code "count at Job.scala:42"}, with the
 * internal names PySpark's (and Glue's Python) actions run under mapped to what the user wrote
 * ({@code showString} is {@code show}) and the file without its directory (PySpark's call sites carry the full
 * path; the Spark UI's Scala ones do not). A job description or group the user set wins, as in the Spark UI.
 */
final class ActionNames {
    static final String UNNAMED = "spark action";

    private ActionNames() {
    }

    /**
     * The subsegment's name. {@code userName} is what the user called the work (a job description, group or
     * tags), or null; {@code shortForm} is the call site ({@code "count at Job.scala:42"}), or null.
     */
    static String name(String userName, String shortForm) {
        if (userName != null && !userName.trim().isEmpty()) {
            return userName.trim();
        }
        return callSiteName(shortForm);
    }

    /** {@code "show at job.py:61"} from {@code "showString at /jobs/job.py:61"}; the bare action without a place. */
    static String callSiteName(String shortForm) {
        String action = bareAction(shortForm);
        String where = location(shortForm);
        return where == null ? action : action + " at " + where;
    }

    /** The action alone ({@code count}), for the {@code spark_action} annotation. */
    static String bareAction(String shortForm) {
        if (shortForm == null || shortForm.trim().isEmpty()) {
            return UNNAMED;
        }
        String trimmed = shortForm.trim();
        int space = trimmed.indexOf(' ');
        return mapped(space < 0 ? trimmed : trimmed.substring(0, space));
    }

    /** {@code file:line} of the call site with the directories left out; null when it names no place. */
    static String location(String shortForm) {
        if (shortForm == null) {
            return null;
        }
        int at = shortForm.indexOf(" at ");
        if (at < 0) {
            return null;
        }
        String where = shortForm.substring(at + 4).trim();
        int slash = Math.max(where.lastIndexOf('/'), where.lastIndexOf('\\'));
        where = slash >= 0 ? where.substring(slash + 1) : where;
        // Reflection's frames (a Py4J call with nothing of the user's above it) are nobody's place.
        return where.isEmpty() || where.startsWith("NativeMethodAccessorImpl.java") || where.startsWith("unknown")
                ? null : where;
    }

    /** Names PySpark's, Glue's and Spark's internal entry points by what the user called. */
    static String mapped(String method) {
        switch (method) {
            case "showString":
                return "show";
            case "collectToPython":
            case "collectAsArrowToPython":
            case "collectAndServe":
            case "collectAndServeWithJobGroup":
                return "collect";
            case "pyWriteDynamicFrame":
                return "write_dynamic_frame";
            case "toPythonIterator":
            case "toLocalIterator":
            case "toLocalIteratorAndServe":
                return "toLocalIterator";
            case "javaToPython":
            case "toJavaRDD":
            case "javaRDD":
                return "rdd";
            case "tailToPython":
                return "tail";
            case "getRowsToPython":
                return "show";
            default:
                return method;
        }
    }
}
