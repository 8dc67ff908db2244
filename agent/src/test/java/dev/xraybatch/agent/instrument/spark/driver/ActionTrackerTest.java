package dev.xraybatch.agent.instrument.spark.driver;

import dev.xraybatch.agent.instrument.spark.SparkNames;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import dev.xraybatch.agent.export.Emittable;
import dev.xraybatch.agent.trace.Ids;
import dev.xraybatch.agent.trace.Tracer;

/** The action rules without Spark: a stand-in context with Spark's local-property methods, read reflectively. */
class ActionTrackerTest {
    /** What the tracker reads and sets on a SparkContext: its (thread's) local properties. */
    public static final class Context {
        final Map<String, String> properties = new HashMap<>();

        public String getLocalProperty(String key) {
            return properties.get(key);
        }

        public void setLocalProperty(String key, String value) {
            if (value == null) {
                properties.remove(key);
            } else {
                properties.put(key, value);
            }
        }
    }

    private final List<Emittable> exported = new ArrayList<>();
    private final Tracer tracer = Tracer.start(Ids.newTraceId(System.currentTimeMillis()), "job",
            Tracer.nowMicros() - 1_000_000L, null, "xray-batch-agent", "test", exported::add);
    private final ActionTracker actions = new ActionTracker(tracer, new TraceBudget(tracer));
    private final Context context = new Context();

    @Test
    void aPythonCallIsOneActionNamedByItsLineHoldingWhatItRanAndSparksCallSiteComesBack() {
        context.setLocalProperty(SparkNames.CALL_SITE_SHORT, "before");
        ActionTracker.Action action = actions.pythonEnter(context, "foreach", "/jobs/etl.py", 17,
                "/jobs/etl.py:17:<module>");
        assertThat(context.getLocalProperty(SparkNames.CALL_SITE_SHORT)).isEqualTo("foreach at /jobs/etl.py:17");
        assertThat(context.getLocalProperty(SparkNames.ACTION_PROPERTY)).contains(action.subsegment.id());
        // PySpark's df.foreach: a conversion and an RDD job, both inside the one call.
        Object conversion = actions.conversionEnter();
        assertThat(actions.jobSubmitEnter(context)).isNull();
        actions.exit(conversion, null);
        assertThat(actions.jobSubmitEnter(context)).isNull();
        actions.pythonExit(action, null);
        tracer.closeRoot(Tracer.nowMicros());

        assertThat(context.getLocalProperty(SparkNames.CALL_SITE_SHORT)).isEqualTo("before");
        assertThat(context.getLocalProperty(SparkNames.ACTION_PROPERTY)).isNull();
        String docs = rendered();
        assertThat(docs).contains("\"name\":\"foreach at etl.py:17\"").contains("\"spark_action\":\"foreach\"");
        assertThat(docs.split("\"spark_action\"", -1)).hasSize(2);
    }

    @Test
    void aPythonCallThatRanNothingAndTookNoTimeLeavesNothing() {
        ActionTracker.Action action = actions.pythonEnter(context, "parquet", "/jobs/etl.py", 3, "");
        actions.pythonExit(action, null);
        tracer.closeRoot(Tracer.nowMicros());
        assertThat(rendered()).doesNotContain("parquet at");
    }

    @Test
    void aConversionsJobsJoinTheActionThatFollowsFromTheSamePlace() {
        // PySpark's df.foreach without the Python module: javaToPython runs the sort's sampling job, then
        // collectAndServe the foreach's, with PySpark's call site set. Through Py4J the conversion has no place.
        context.setLocalProperty(SparkNames.CALL_SITE_SHORT, "javaToPython");
        Object conversion = actions.conversionEnter();
        Object scope = actions.rddScopeEnter();
        assertThat(actions.jobSubmitEnter(context)).isNull();
        actions.exit(scope, null);
        actions.exit(conversion, null);
        context.setLocalProperty(SparkNames.CALL_SITE_SHORT, "foreach at /jobs/etl.py:17");
        Object job = actions.jobSubmitEnter(context);
        assertThat(job).isInstanceOf(ActionTracker.Action.class);
        actions.exit(job, null);
        tracer.closeRoot(Tracer.nowMicros());

        String docs = rendered();
        assertThat(docs).contains("\"name\":\"foreach at etl.py:17\"").contains("\"includes_conversion_to_rdd\":true")
                .doesNotContain("\"name\":\"rdd");
    }

    @Test
    void aConversionNoActionFollowsStaysAnActionOfItsOwn() {
        Object conversion = actions.conversionEnter();
        assertThat(actions.jobSubmitEnter(context)).isNull();
        actions.exit(conversion, null);
        actions.endPendingConversions();
        tracer.closeRoot(Tracer.nowMicros());
        assertThat(rendered()).contains("\"spark_action\":\"");
    }

    @Test
    void aJobDescriptionNamesTheActionAsTheSparkUiShowsIt() {
        context.setLocalProperty(SparkNames.JOB_DESCRIPTION_PROPERTY, "nightly totals");
        context.setLocalProperty(SparkNames.CALL_SITE_SHORT, "collect at /jobs/etl.py:40");
        Object job = actions.jobSubmitEnter(context);
        actions.exit(job, null);
        tracer.closeRoot(Tracer.nowMicros());
        assertThat(rendered()).contains("\"name\":\"nightly totals\"").contains("\"action\":\"collect at etl.py:40\"");
    }

    private String rendered() {
        StringBuilder all = new StringBuilder();
        Consumer<String> sink = all::append;
        for (Emittable e : exported) {
            e.render(sink);
        }
        return all.toString();
    }
}
