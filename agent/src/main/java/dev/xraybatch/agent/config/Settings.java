package dev.xraybatch.agent.config;


import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every agent setting, in the order the configuration reference lists them. Adding a setting is one line here
 * (the factories register it); docs/configuration.md is regenerated from this list and a test keeps the two in
 * step. Keys of a feature share a prefix section, e.g. {@code aws_sdk.max_calls}, {@code spark.enabled}.
 */
public final class Settings {
    private static final List<Setting<?>> ALL = new ArrayList<>();

    public static final Setting<String> CONFIG = register(Setting.outsideFile("config",
            "Path of the YAML file with settings and pointcuts (agent argument, system property or environment only)."));
    public static final Setting<String> SERVICE_NAME = register(Setting.text("service_name", null,
            "Name of the job's root segment; unset: AWS_XRAY_TRACING_NAME, the Glue or Batch job name, else the main class or jar."));
    public static final Setting<String> EXPORTER = register(Setting.choice("exporter", "auto",
            "Where documents go: the X-Ray API, the daemon's UDP port, a JSON-lines file, nowhere; auto picks xray when AWS is configured, else file.",
            "auto", "xray", "udp", "file", "none"));
    public static final Setting<String> ENDPOINT = register(Setting.text("endpoint", null,
            "X-Ray API endpoint URL; unset: AWS_ENDPOINT_URL_XRAY, AWS_ENDPOINT_URL, else the region's endpoint."));
    public static final Setting<String> REGION = register(Setting.text("region", null,
            "AWS region of the X-Ray API; unset: the SDK's default region chain."));
    public static final Setting<String> XRAY_CLIENT = register(Setting.choice("xray_client", "builtin",
            "Client for the X-Ray API: the agent's own (builtin; loads the AWS SDK only for credentials it cannot get itself) or the AWS SDK's (sdk).",
            "builtin", "sdk"));
    public static final Setting<String> DAEMON_ADDRESS = register(Setting.text("daemon_address", null,
            "host:port of the X-Ray daemon for the udp exporter; unset: AWS_XRAY_DAEMON_ADDRESS, else 127.0.0.1:2000."));
    public static final Setting<String> TRACE_FILE = register(Setting.text("trace_file", null,
            "JSON-lines file the file exporter appends to; unset: xray-traces/<trace id>.jsonl in the working directory."));
    /** The largest queue_size: export's own cap (ExportSettings.MAX_QUEUE_CAPACITY; config may not use export). */
    public static final int MAX_QUEUE_SIZE = 1_000_000;
    public static final Setting<Integer> QUEUE_SIZE = register(Setting.wholeNumber("queue_size", 8192, 1,
            MAX_QUEUE_SIZE,
            "Documents buffered for export; when full, new documents are dropped and counted, never waited for. The buffer takes memory only as it fills (the job's final root never waits in it)."));
    public static final Setting<Integer> FLUSH_IDLE_MS = register(Setting.wholeNumber("flush_idle_ms", 1000, 1,
            "With the file exporter: milliseconds a partial batch waits for more documents before it is written. The X-Ray API and daemon exporters send in bursts instead (long_jobs.window_s)."));
    public static final Setting<Integer> TRACE_BUDGET_KB = register(Setting.wholeNumber("trace_budget_kb", 400, 16,
            "Size (KB) of the documents the agent sends into one trace (the job's and each continuation trace), every document and every version of it counted; past it the least important are left out (samples, then AWS SDK calls and task summaries, then Spark jobs and stages, last steps and failures) and counted by kind in the trace's root. X-Ray keeps about 500 KB per trace sent in bursts."));
    public static final Setting<Integer> LONG_JOBS_WINDOW_S = register(Setting.wholeNumber("long_jobs.window_s", 300,
            0, "Seconds of a job per trace: the job's trace holds what ends in the first window, each later window becomes a continuation trace (annotation xray_batch_run = the job's trace id) sent whole when the window ends; 0 holds everything until the job ends. A kill -9 loses at most the window in progress."));
    public static final Setting<Integer> SHUTDOWN_DEADLINE_MS = register(Setting.wholeNumber("shutdown_deadline_ms",
            5000, 0, "Milliseconds the JVM's exit waits at most for the remaining documents to be sent."));
    public static final Setting<String> TRACE_HEADER = register(Setting.text("trace_header", null,
            "Upstream X-Amzn-Trace-Id (Root=...;Parent=...;Sampled=...) the job's trace joins; unset: _X_AMZN_TRACE_ID."));
    public static final Setting<Boolean> DEBUG = register(Setting.flag("debug", false,
            "Writes the agent's debug lines and internal stack traces to stderr."));
    public static final Setting<Boolean> CONTEXT_PROPAGATION = register(Setting.flag("context_propagation", true,
            "Keeps work handed to thread pools, CompletableFuture and new threads in the trace of the code that handed it over."));
    public static final Setting<Boolean> GAPS_ENABLED = register(Setting.flag("gaps.enabled", true,
            "Samples the job's main thread (a Spark driver's thread) while it is in no subsegment, and turns each stretch of 100 ms or more into a subsegment named after what ran: the job's own method, a framework's phase (Spring's context refresh, Flyway, Hibernate), class loading, or a wait; the closing line names the job's methods worth a pointcut."));
    public static final Setting<Integer> GAPS_SAMPLE_MS = register(Setting.wholeNumber("gaps.sample_ms", 50, 20, 1000,
            "Milliseconds between two samples of the main thread's stack while it is in no subsegment (gaps.enabled)."));
    public static final Setting<Boolean> AWS_SDK_V2_ENABLED = register(Setting.flag("aws_sdk.v2.enabled", true,
            "Traces calls through the application's AWS SDK for Java 2.x (software.amazon.awssdk): one subsegment per call."));
    public static final Setting<Boolean> AWS_SDK_V1_ENABLED = register(Setting.flag("aws_sdk.v1.enabled", true,
            "Traces calls through the application's AWS SDK for Java 1.x (com.amazonaws): one subsegment per call."));
    public static final Setting<Integer> AWS_SDK_SUMMARY_AFTER = register(Setting.wholeNumber("aws_sdk.summary_after",
            20, 0, "Calls of one service and operation under one parent that get subsegments of their own; the rest are counted into one summary per window of long_jobs.window_s, failed ones also kept whole (10 per window)."));
    public static final Setting<Boolean> HTTP_ENABLED = register(Setting.flag("http.enabled", true,
            "Traces the HTTP requests the job makes (HttpURLConnection, java.net.http send and sendAsync, Apache HttpClient 4 and 5 classic and async, OkHttp 3 to 5): one remote subsegment per request, named after the host; query string and user info left out of the URL."));
    public static final Setting<Integer> HTTP_SUMMARY_AFTER = register(Setting.wholeNumber("http.summary_after",
            20, 0, "HTTP requests of one method to one host under one parent that get subsegments of their own; the rest are counted into one summary."));
    public static final Setting<Boolean> HTTP_PROPAGATE = register(Setting.flag("http.propagate", true,
            "Adds X-Amzn-Trace-Id (Root, Parent = the request's subsegment, Sampled=1) to each traced request that carries none, so that a traced server joins the job's trace."));
    public static final Setting<Boolean> JDBC_ENABLED = register(Setting.flag("jdbc.enabled", true,
            "Traces the SQL the job runs through JDBC (any driver; a pool and its driver count once): one remote subsegment per execute, named database@host, with X-Ray's sql block (URL without credentials, database and driver versions, user)."));
    public static final Setting<Boolean> SPRING_BATCH_ENABLED = register(Setting.flag("spring_batch.enabled", true,
            "Traces Spring Batch's jobs and steps: one subsegment per job and per step run ('Spring Batch step: processOrders'), with its status, exit code and counts; the statements a step runs nest beneath it, and its time between them is sampled inside it (gaps.enabled)."));
    public static final Setting<Boolean> FLYWAY_ENABLED = register(Setting.flag("flyway.enabled", true,
            "Traces Flyway's migrate() as one subsegment ('Flyway: migrate'): the migration's statements nest beneath it, and its time between them is sampled inside it (gaps.enabled)."));
    public static final Setting<Integer> JDBC_SUMMARY_AFTER = register(Setting.wholeNumber("jdbc.summary_after",
            20, 0, "Executions of one statement (database and sanitized text) under one parent that get subsegments of their own; the rest are counted into one summary."));
    public static final Setting<String> JDBC_QUERY_TEXT = register(Setting.choice("jdbc.query_text", "sanitized",
            "What of a query's text goes into sql.sanitized_query: sanitized (literals replaced by ?, comments dropped, at most 2000 characters) or none. The raw text never.",
            "sanitized", "none"));
    public static final Setting<Boolean> JVM_COSTS_ENABLED = register(Setting.flag("jvm.costs.enabled", true,
            "Reports the JVM's own costs on the job's root: GC pauses (gc_pause_ms, gc_count, gc_longest_pause_ms; concurrent cycles not counted), JIT compilation time (jit_ms, background) and classes loaded (classes_loaded, classes_loaded_before_main)."));
    public static final Setting<Integer> JVM_GC_PAUSE_SUBSEGMENT_MS = register(Setting.wholeNumber(
            "jvm.gc_pause_subsegment_ms", 1000, 0,
            "A GC pause at least this long (milliseconds) becomes a subsegment of the root at the time it stopped the job, with its collector, cause and heap before and after; past 20 of them, one summary per window."));
    public static final Setting<Boolean> SPARK_ENABLED = register(Setting.flag("spark.enabled", true,
            "Traces Spark: one subsegment per action with its jobs and stages; on executors, per-stage task summaries."));
    public static final Setting<Integer> SPARK_SLOW_TASK_MS = register(Setting.wholeNumber("spark.slow_task_ms",
            10000, 0, "Executor tasks at least this slow (milliseconds) get a subsegment of their own; failed tasks always do."));
    public static final Setting<Integer> SPARK_TRACE_BUDGET_KB = register(Setting.wholeNumber("spark.trace_budget_kb",
            400, 1, "Replaced by trace_budget_kb, which counts every document of a trace (Spark actions begun once the current trace has used 80% of it get one summary of their jobs and stages); a value given here is used as trace_budget_kb when that is not set."));
    public static final Setting<Integer> SPARK_EXECUTOR_BUDGET_KB = register(Setting.wholeNumber(
            "spark.executor_budget_kb", 64, 4,
            "Size (KB) of the documents one Spark executor JVM sends into one trace of the job (its stage summaries, slow and failed tasks, and what traced code did inside tasks); past it the least important are left out. The driver keeps room for the summaries by estimate."));
    public static final Setting<Boolean> SPARK_PYTHON_MODULE = register(Setting.flag("spark.python_module", true,
            "On spark-submit's Python route, puts the agent's Python module (xray_batch, in the agent's jar) on the Python driver's path, so that PySpark actions are named by their Python line with no change to the job."));

    private Settings() {
    }

    private static <T> Setting<T> register(Setting<T> setting) {
        ALL.add(setting);
        return setting;
    }

    public static List<Setting<?>> all() {
        return Collections.unmodifiableList(ALL);
    }

    /** The setting with this key, or null. */
    public static Setting<?> byKey(String key) {
        for (Setting<?> setting : ALL) {
            if (setting.key().equals(key)) {
                return setting;
            }
        }
        return null;
    }

    /** True when {@code key} is a section holding settings, e.g. {@code spark} for {@code spark.enabled}. */
    static boolean isSection(String key) {
        for (Setting<?> setting : ALL) {
            if (setting.key().startsWith(key + ".")) {
                return true;
            }
        }
        return false;
    }
}
