package dev.xraybatch.benchmarks.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Splits a JFR recording's execution samples (Java threads running Java code) by the part of the agent that was
 * running: the first frame from the top that is not the JDK's decides. An agent frame there is the agent's work
 * (JDK frames above it are what it called, e.g. {@code Thread.getStackTrace}); anything else is the job's, even with
 * agent frames further down (the context-propagation wrappers sit under every pooled task). Not sampled at all: GC,
 * JIT compiler threads, native code, so the agent's indirect costs (compiling its code and Byte Buddy's, the garbage
 * it makes) show only in the CPU difference.
 */
final class AgentSampleSplit {
    private static final String AGENT = "dev.xraybatch.agent.";

    /** Frame class prefix -> part, in the order a sample is tested. */
    private static final Map<String, String> PARTS = new LinkedHashMap<>();

    static {
        PARTS.put(AGENT + "shaded.net.bytebuddy.", "Byte Buddy: matching/rewriting classes as they load");
        PARTS.put(AGENT + "instrument.spark.CallSite", "action call sites (stack walks)");
        PARTS.put(AGENT + "instrument.spark.SparkEventListener", "Spark listener (jobs, stages)");
        PARTS.put(AGENT + "instrument.spark.ExecutorTasks", "Task.run advice (executor summaries)");
        PARTS.put(AGENT + "instrument.spark.", "other Spark hooks (actions, context start/stop)");
        PARTS.put(AGENT + "export.", "export (rendering, file/API)");
        PARTS.put(AGENT + "trace.", "tracer");
        PARTS.put(AGENT, "rest of the agent (start-up, config, other modules)");
    }

    private final Map<String, Long> samplesPerPart = new LinkedHashMap<>();
    private final Map<String, Long> restByType = new LinkedHashMap<>();
    private long total;

    static AgentSampleSplit of(Path recording) throws IOException {
        AgentSampleSplit split = new AgentSampleSplit();
        for (String part : PARTS.values()) {
            split.samplesPerPart.put(part, 0L);
        }
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                if (event.getEventType().getName().equals("jdk.ExecutionSample") && event.getStackTrace() != null) {
                    split.count(event.getStackTrace().getFrames());
                }
            }
        }
        return split;
    }

    private void count(List<RecordedFrame> frames) {
        total++;
        for (RecordedFrame frame : frames) {
            if (frame.getMethod() == null) {
                continue;
            }
            String type = frame.getMethod().getType().getName();
            if (isJdk(type)) {
                continue;
            }
            for (Map.Entry<String, String> part : PARTS.entrySet()) {
                if (type.startsWith(part.getKey())) {
                    samplesPerPart.merge(part.getValue(), 1L, Long::sum);
                    if (part.getKey().equals(AGENT)) {
                        restByType.merge(type, 1L, Long::sum);
                    }
                    return;
                }
            }
            return; // the job's or Spark's own code
        }
    }

    private static boolean isJdk(String type) {
        return type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.")
                || type.startsWith("javax.") || type.startsWith("com.sun.");
    }

    void print(PrintStream out) {
        long agent = samplesPerPart.values().stream().mapToLong(Long::longValue).sum();
        out.printf("  execution samples: %d, with an agent frame %d (%.1f%%)%n", total, agent, percent(agent));
        for (Map.Entry<String, Long> part : samplesPerPart.entrySet()) {
            out.printf("    %-52s %6d (%.1f%%)%n", part.getKey(), part.getValue(), percent(part.getValue()));
        }
        restByType.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5)
                .forEach(e -> out.printf("      %s %d%n", e.getKey(), e.getValue()));
    }

    private double percent(long samples) {
        return total == 0 ? 0 : 100.0 * samples / total;
    }
}
