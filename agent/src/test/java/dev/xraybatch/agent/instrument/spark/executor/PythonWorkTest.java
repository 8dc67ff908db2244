package dev.xraybatch.agent.instrument.spark.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class PythonWorkTest {

    @Test
    void nestedCallsCountOnceAndOnlyReadsThatReturnedResultsAreBatches() {
        PythonWork work = new PythonWork();
        work.enter(true);   // compute
        work.exit(false);
        work.enter(false);  // read, which in 4.0 feeds the worker and so reads an inner evaluation
        work.enter(false);
        work.exit(true);
        work.exit(true);
        work.enter(false);  // the last read of the partition returns nothing
        work.exit(false);

        Map<String, Object> described = work.describe();
        assertThat(work.ran()).isTrue();
        assertThat(described).containsEntry("batches", 1).containsEntry("evaluations", 1);
        assertThat(work.endMicros()).isGreaterThanOrEqualTo(work.startMicros());
    }

    @Test
    void anExitWithoutItsEnterChangesNothing() {
        PythonWork work = new PythonWork();
        work.exit(true);
        assertThat(work.ran()).isFalse();
        assertThat(work.batches()).isZero();
    }

    @Test
    void udfNamesAndSparksRowMetricComeFromTheEvaluation() {
        PythonWork work = new PythonWork();
        work.evaluationStarted(new Evaluation(Arrays.asList(new Udf("clean"), new Udf("score")), 120));
        work.evaluationStarted(new Evaluation(Arrays.asList(new Udf("clean")), 30));

        assertThat(work.udfNames()).containsExactly("clean", "score");
        assertThat(work.sqlMetric(PythonWork.ROWS_RECEIVED)).isEqualTo(150L);
        assertThat(work.sqlMetric(PythonWork.BYTES_SENT)).isEqualTo(-1L);
        assertThat(work.describe()).containsEntry("rows_out", 150L).doesNotContainKey("bytes_sent");
    }

    @Test
    void spark42sColumnarEvaluatorIsReadThroughItsFactory() {
        PythonWork work = new PythonWork();
        work.evaluationStarted(new ColumnarPartitionEvaluator(
                new ColumnarFactory(Arrays.asList(new Udf("to_upper")), 42)));

        assertThat(work.udfNames()).containsExactly("to_upper");
        assertThat(work.describe()).containsEntry("rows_out", 42L);
    }

    @Test
    void withoutSparksMetricsRowsAreLeftOut() {
        PythonWork work = new PythonWork();
        work.evaluationStarted(new Object());
        assertThat(work.describe()).doesNotContainKeys("rows_out", "udfs");
    }

    // Spark's shapes, as Reflect reads them: udfs() of PythonUDF with name(), a private pythonMetrics field (4.0's
    // evaluator factories) holding a Scala Map whose get(key) is an Option of a SQLMetric with value().

    public static final class Udf {
        private final String name;

        Udf(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }
    }

    public static final class Evaluation {
        private final List<Udf> udfs;
        private final ScalaMap pythonMetrics;

        Evaluation(List<Udf> udfs, long rowsReceived) {
            this.udfs = udfs;
            this.pythonMetrics = new ScalaMap();
            pythonMetrics.values.put(PythonWork.ROWS_RECEIVED, new Metric(rowsReceived));
        }

        public List<Udf> udfs() {
            return udfs;
        }
    }

    /**
     * 4.2's ColumnarArrowEvalPythonEvaluatorFactory: Scala keeps its constructor parameters in public fields with
     * mangled names, and no accessor; its partition evaluator (an inner class) points to it through $outer.
     */
    public static final class ColumnarFactory {
        public final List<Udf> org$apache$spark$sql$execution$python$ColumnarArrowEvalPythonEvaluatorFactory$$udfs;
        public final ScalaMap
                org$apache$spark$sql$execution$python$ColumnarArrowEvalPythonEvaluatorFactory$$pythonMetrics;

        ColumnarFactory(List<Udf> udfs, long rowsReceived) {
            this.org$apache$spark$sql$execution$python$ColumnarArrowEvalPythonEvaluatorFactory$$udfs = udfs;
            ScalaMap metrics = new ScalaMap();
            metrics.values.put(PythonWork.ROWS_RECEIVED, new Metric(rowsReceived));
            this.org$apache$spark$sql$execution$python$ColumnarArrowEvalPythonEvaluatorFactory$$pythonMetrics =
                    metrics;
        }
    }

    public static final class ColumnarPartitionEvaluator {
        public final ColumnarFactory $outer;

        ColumnarPartitionEvaluator(ColumnarFactory outer) {
            this.$outer = outer;
        }
    }

    public static final class ScalaMap {
        final Map<Object, Object> values = new HashMap<>();

        public Option get(Object key) {
            return new Option(values.get(key));
        }
    }

    public static final class Option {
        private final Object value;

        Option(Object value) {
            this.value = value;
        }

        public boolean isDefined() {
            return value != null;
        }

        public Object get() {
            return value;
        }
    }

    public static final class Metric {
        private final long value;

        Metric(long value) {
            this.value = value;
        }

        public long value() {
            return value;
        }
    }
}
