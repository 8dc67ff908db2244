package dev.xraybatch.agent.instrument.spark;

/**
 * Turns Spark's call site ({@code "count at Job.scala:42"}) into the name of an action subsegment: the first word,
 * with the internal names PySpark's (and Glue's Python) actions run under mapped to what the user wrote.
 */
final class ActionNames {
    private ActionNames() {
    }

    static String fromCallSite(String shortForm) {
        if (shortForm == null || shortForm.trim().isEmpty()) {
            return "spark action";
        }
        String trimmed = shortForm.trim();
        int space = trimmed.indexOf(' ');
        String first = space < 0 ? trimmed : trimmed.substring(0, space);
        switch (first) {
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
                return "toLocalIterator";
            default:
                return first;
        }
    }
}
