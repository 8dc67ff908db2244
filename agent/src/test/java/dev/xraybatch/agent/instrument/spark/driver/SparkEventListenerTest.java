package dev.xraybatch.agent.instrument.spark.driver;

import dev.xraybatch.agent.instrument.spark.ActionReference;
import dev.xraybatch.agent.instrument.spark.SparkNames;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xraybatch.agent.export.Emittable;
import dev.xraybatch.agent.export.ImmediateHolding;
import dev.xraybatch.agent.trace.Ids;
import dev.xraybatch.agent.trace.Tracer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The listener fed Spark's events as plain objects with Spark's accessor names (it reads them reflectively). */
class SparkEventListenerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Emittable> exported = new ArrayList<>();
    private final Tracer tracer = Tracer.start(Ids.newTraceId(System.currentTimeMillis()), "job",
            Tracer.nowMicros(), null, "xray-batch-agent", "test", exported::add);
    /**
     * A trace budget of 1 KB, short at 80%: one stage run by one executor JVM is charged about 1 KB by estimate
     * (its summary and the stand-in it may send), so the next action is summarized.
     */
    private final TraceBudget budget = budget(tracer, 1024);
    private final SparkEventListener listener = new SparkEventListener(tracer, budget);
    private final Listener bus = (Listener) listener.asSparkListener(Listener.class);

    @Test
    void stagesGetTheIdExecutorsDeriveAndPastTheBudgetAnActionsJobsAndStagesBecomeOneSummary() throws Exception {
        ActionReference first = action("00000000000000a1", false);
        runJob(first, 0, 0, 1);
        assertThat(budget.isSpent()).isTrue();
        ActionReference second = action("00000000000000a2", true);
        runJob(second, 1, 1, 2);
        runJob(second, 2, 3, 1);
        listener.endOpenWork();
        tracer.closeRoot(Tracer.nowMicros());

        List<JsonNode> docs = documents();
        JsonNode job = only(docs, "job 0");
        assertThat(job.path("parent_id").asText()).isEqualTo(first.actionId);
        assertThat(job.path("subsegments").get(0).path("id").asText()).isEqualTo(first.stageSubsegmentId(0, 0));
        assertThat(docs).noneSatisfy(doc -> assertThat(doc.path("name").asText()).isIn("job 1", "job 2"));

        JsonNode summary = only(docs, SummarizedAction.NAME);
        assertThat(summary.path("parent_id").asText()).isEqualTo(second.actionId);
        JsonNode counts = summary.path("metadata").path("spark").path("summarized");
        assertThat(counts.path("jobs").asInt()).isEqualTo(2);
        assertThat(counts.path("stages").asInt()).isEqualTo(3);
        assertThat(counts.path("tasks").asInt()).isEqualTo(3);

        JsonNode root = only(docs, "job");
        JsonNode summarized = root.path("metadata").path("spark").path("summarized_beyond_budget");
        assertThat(summarized.path("budget_bytes").asLong()).isEqualTo(1024);
        assertThat(summarized.path("jobs").asInt()).isEqualTo(2);
        assertThat(summarized.path("stages").asInt()).isEqualTo(3);
    }

    private static TraceBudget budget(Tracer tracer, long bytes) {
        tracer.useBudget(new ImmediateHolding(0, bytes));
        return new TraceBudget(tracer);
    }

    private ActionReference action(String id, boolean summarized) {
        return ActionReference.parse(ActionReference.format(tracer.traceId(), id, summarized));
    }

    /** A job whose stages (ids from {@code firstStage}) each run one task on executor 1. */
    private void runJob(ActionReference action, int jobId, int firstStage, int stageCount) {
        Properties properties = new Properties();
        properties.setProperty(SparkNames.ACTION_PROPERTY,
                ActionReference.format(action.traceId, action.actionId, action.summarized));
        List<StageInfo> stages = new ArrayList<>();
        for (int i = 0; i < stageCount; i++) {
            stages.add(new StageInfo(firstStage + i));
        }
        bus.onJobStart(new JobStart(jobId, properties, stages));
        for (StageInfo stage : stages) {
            bus.onStageSubmitted(new StageSubmitted(stage, properties));
            bus.onTaskEnd(new TaskEnd(stage.stageId()));
            bus.onStageCompleted(new StageCompleted(stage));
        }
        bus.onJobEnd(new JobEnd(jobId));
    }

    private List<JsonNode> documents() throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        for (Emittable e : exported) {
            List<String> raw = new ArrayList<>();
            e.render(raw::add);
            for (String r : raw) {
                docs.add(JSON.readTree(r));
            }
        }
        return docs;
    }

    private static JsonNode only(List<JsonNode> docs, String name) {
        List<JsonNode> named = docs.stream().filter(d -> d.path("name").asText().equals(name)).toList();
        assertThat(named).as(name).hasSize(1);
        return named.get(0);
    }

    /** The listener methods the tests call, as Spark's listener interface names them. */
    public interface Listener {
        void onJobStart(Object event);

        void onStageSubmitted(Object event);

        void onTaskEnd(Object event);

        void onStageCompleted(Object event);

        void onJobEnd(Object event);
    }

    public record StageInfo(int stageId) {
        public int attemptNumber() {
            return 0;
        }

        public long submissionTime() {
            return System.currentTimeMillis();
        }

        public long completionTime() {
            return System.currentTimeMillis();
        }

        public int numTasks() {
            return 1;
        }
    }

    public record JobStart(int jobId, Properties properties, List<StageInfo> stageInfos) {
        public long time() {
            return System.currentTimeMillis();
        }
    }

    public record StageSubmitted(StageInfo stageInfo, Properties properties) {
    }

    public record StageCompleted(StageInfo stageInfo) {
    }

    public record TaskEnd(int stageId) {
        public int stageAttemptId() {
            return 0;
        }

        public TaskInfo taskInfo() {
            return new TaskInfo();
        }
    }

    public record TaskInfo() {
        public int partitionId() {
            return 0;
        }

        public long duration() {
            return 5;
        }

        public boolean successful() {
            return true;
        }

        public String executorId() {
            return "1";
        }
    }

    public record JobEnd(int jobId) {
        public long time() {
            return System.currentTimeMillis();
        }

        public Object jobResult() {
            return "JobSucceeded";
        }
    }
}
