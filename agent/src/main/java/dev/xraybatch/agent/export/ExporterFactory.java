package dev.xraybatch.agent.export;

import dev.xraybatch.agent.export.file.JsonLinesFileExporter;
import dev.xraybatch.agent.export.udp.DaemonUdpExporter;
import dev.xraybatch.agent.export.xray.HttpXRayExporter;
import dev.xraybatch.agent.export.xray.XRayApiExporter;
import dev.xraybatch.agent.log.AgentLog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the exporter named by the {@code exporter} setting. {@code auto} sends to the X-Ray API when the run has
 * AWS, and otherwise writes {@code xray-traces/<traceId>.jsonl} under the working directory, so that a local run
 * never waits on a network it does not have.
 */
public final class ExporterFactory {
    /** Set when the run has an AWS region or an X-Ray endpoint of its own. */
    private static final String[] AWS_CONFIG_VARIABLES = {
        "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_XRAY", "AWS_ENDPOINT_URL",
    };
    /** Set by AWS compute services: Batch, Glue, ECS (also Batch on ECS), Lambda and other managed runtimes. */
    private static final String[] AWS_COMPUTE_VARIABLES = {
        "AWS_BATCH_JOB_ID", "GLUE_VERSION", "ECS_CONTAINER_METADATA_URI_V4", "ECS_CONTAINER_METADATA_URI",
        "AWS_EXECUTION_ENV",
    };
    /** Present on the nodes of an EMR cluster (EC2), which set none of the variables above. */
    private static final Path EMR_JOB_FLOW_FILE = Paths.get("/mnt/var/lib/info/job-flow.json");

    private ExporterFactory() {
    }

    /** The exporter for this run, from the process environment and working directory; empty for {@code none}. */
    public static Optional<DocumentExporter> create(ExportSettings settings, String traceId) {
        return create(settings, traceId, System.getenv(), Paths.get("").toAbsolutePath());
    }

    /**
     * The exporter for the given environment; empty for {@code none}. Never throws for a bad address or path: it
     * reports the problem and falls back (a bad daemon address to the default one).
     */
    public static Optional<DocumentExporter> create(ExportSettings settings, String traceId, Map<String, String> env,
            Path workingDirectory) {
        switch (settings.exporter()) {
            case NONE:
                return Optional.empty();
            case XRAY:
                return Optional.of(xray(settings, env));
            case UDP:
                return Optional.<DocumentExporter>of(udp(settings, env));
            case FILE:
                return Optional.<DocumentExporter>of(file(settings, traceId, workingDirectory));
            case AUTO:
            default:
                return Optional.of(runHasAws(settings, env) ? xray(settings, env)
                        : file(settings, traceId, workingDirectory));
        }
    }

    /**
     * True when a region or endpoint is configured (settings or the standard variables) or the process runs on an
     * AWS compute service (Batch, Glue, ECS, EMR, Lambda...), where the SDK's chains find region and credentials.
     */
    public static boolean runHasAws(ExportSettings settings, Map<String, String> env) {
        if (settings.region() != null || settings.endpoint() != null) {
            return true;
        }
        for (String name : AWS_CONFIG_VARIABLES) {
            if (isSet(env.get(name))) {
                return true;
            }
        }
        for (String name : AWS_COMPUTE_VARIABLES) {
            if (isSet(env.get(name))) {
                return true;
            }
        }
        try {
            return Files.exists(EMR_JOB_FLOW_FILE);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Where {@code auto} and {@code file} write when no file is configured. */
    public static Path defaultTraceFile(Path workingDirectory, String traceId) {
        return workingDirectory.resolve("xray-traces").resolve(traceId + ".jsonl");
    }

    /** The agent's own PutTraceSegments client, or the AWS SDK's when the settings ask for it. */
    private static DocumentExporter xray(ExportSettings settings, Map<String, String> env) {
        if (settings.xraySdkClient()) {
            return new XRayApiExporter(settings);
        }
        return new HttpXRayExporter(settings, env, System.getProperties());
    }

    private static DocumentExporter udp(ExportSettings settings, Map<String, String> env) {
        String address = settings.daemonAddress();
        if (address == null && isSet(env.get("AWS_XRAY_DAEMON_ADDRESS"))) {
            address = env.get("AWS_XRAY_DAEMON_ADDRESS");
        }
        if (address == null) {
            address = DaemonUdpExporter.DEFAULT_ADDRESS;
        }
        try {
            return DaemonUdpExporter.forAddress(address);
        } catch (IllegalArgumentException e) {
            AgentLog.problem(e.getMessage() + "; sending to " + DaemonUdpExporter.DEFAULT_ADDRESS + " instead");
            return DaemonUdpExporter.forAddress(DaemonUdpExporter.DEFAULT_ADDRESS);
        }
    }

    private static DocumentExporter file(ExportSettings settings, String traceId, Path workingDirectory) {
        if (settings.file() != null) {
            try {
                return new JsonLinesFileExporter(workingDirectory.resolve(settings.file()));
            } catch (RuntimeException e) {
                AgentLog.problem("trace_file '" + settings.file() + "' is not a usable path (" + e.getMessage()
                        + "); writing to " + defaultTraceFile(workingDirectory, traceId) + " instead");
            }
        }
        return new JsonLinesFileExporter(defaultTraceFile(workingDirectory, traceId));
    }

    private static boolean isSet(String value) {
        return value != null && !value.trim().isEmpty();
    }
}
