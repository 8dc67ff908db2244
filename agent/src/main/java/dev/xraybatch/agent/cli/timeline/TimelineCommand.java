package dev.xraybatch.agent.cli.timeline;

import dev.xraybatch.agent.json.JsonReader;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import java.util.Map;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * {@code timeline <trace.jsonl> | --trace-id <id> --region <region> [--endpoint <url>]} with
 * {@code [--html out.html] [--color|--no-color] [--all] [--width <columns>]}: prints the trace as a waterfall and,
 * with {@code --html}, writes it as one self-contained page.
 */
public final class TimelineCommand {
    private static final int DEFAULT_WIDTH = 100;
    private static final int PROBLEMS_SHOWN = 10;
    private static final String USAGE = "usage: timeline <trace.jsonl> [--trace-id <id>] [options]\n"
            + "       timeline --trace-id <id> --region <region> [--endpoint <url>] [options]\n"
            + "options:\n"
            + "  --html <out.html>   also write the trace as one self-contained HTML page\n"
            + "  --all               print every row (default: the first " + TerminalWaterfall.DEFAULT_MAX_ROWS
            + " of each trace)\n"
            + "  --width <columns>   terminal width (default: COLUMNS, else " + DEFAULT_WIDTH + ")\n"
            + "  --color, --no-color ANSI colours (default: when stdout is a terminal and NO_COLOR is unset)\n"
            + "A trace file holds one X-Ray segment document per line; with several traces in it, each is shown,\n"
            + "or only the one named by --trace-id. Without a file, --trace-id fetches the trace from X-Ray\n"
            + "(BatchGetTraces, IAM xray:BatchGetTraces; credentials from the usual AWS sources). A long job's\n"
            + "continuation traces (annotation xray_batch_run) are stitched into its trace: those its final root\n"
            + "lists, and those GetTraceSummaries finds (IAM xray:GetTraceSummaries).";

    private TimelineCommand() {
    }

    public static int run(String[] args) {
        return run(args, System.out, System.err, System.getenv(), System.console() != null, stdoutIsUnicode());
    }

    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, boolean terminal,
            boolean unicode) {
        Options options;
        try {
            options = Options.parse(args, env);
        } catch (IllegalArgumentException e) {
            err.println("timeline: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        if (options.help) {
            out.println(USAGE);
            return 0;
        }
        try {
            TraceAssembler assembler = new TraceAssembler();
            String source;
            // A continuation trace is shown as the job's trace it belongs to, stitched.
            String selected = options.traceId;
            if (options.file != null) {
                source = options.file.toString();
                TraceFile.read(options.file, assembler);
            } else {
                source = "X-Ray (" + options.region + ")";
                int line = 0;
                XRayTraceFetcher.Fetched fetched = XRayTraceFetcher.fetchRun(options.traceId, options.region,
                        options.endpoint, null, java.time.Instant.now());
                for (String document : fetched.documents) {
                    addFetched(document, "document " + ++line + " from X-Ray", assembler);
                }
                for (String note : fetched.notes) {
                    out.println("timeline: " + TerminalWaterfall.visible(note));
                }
                selected = fetched.runTraceId;
            }
            // Notes and problems go to stdout with the waterfall, in order: stderr would interleave with it.
            reportProblems(assembler.problems(), out);
            List<Trace> traces = select(assembler.assemble(), selected);
            if (traces.isEmpty()) {
                err.println("timeline: " + TerminalWaterfall.visible(noTraceMessage(options, source, assembler)));
                return 1;
            }

            boolean color = options.color != null ? options.color
                    : terminal && env.get("NO_COLOR") == null && !"dumb".equals(env.get("TERM"));
            TerminalWaterfall waterfall = new TerminalWaterfall(options.width, color, unicode,
                    options.allRows ? Integer.MAX_VALUE : TerminalWaterfall.DEFAULT_MAX_ROWS);
            for (int i = 0; i < traces.size(); i++) {
                if (i > 0) {
                    out.println();
                }
                out.print(waterfall.render(traces.get(i)));
            }
            if (options.html != null) {
                Files.write(options.html, HtmlTimeline.render(traces).getBytes(StandardCharsets.UTF_8));
                out.println("timeline: wrote " + options.html + " (" + traces.size()
                        + (traces.size() == 1 ? " trace" : " traces") + "); open it in a browser");
            }
            out.flush();
            return 0;
        } catch (NoSuchFileException e) {
            err.println("timeline: no such file: " + e.getFile());
            return 1;
        } catch (IOException e) {
            err.println("timeline: " + e);
            return 1;
        } catch (RuntimeException e) {
            err.println("timeline: " + TerminalWaterfall.visible(explain(e)));
            return 1;
        }
    }

    /** A fetch failure as the user can act on it; the SDK's own message for anything less common. */
    static String explain(RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        if (e instanceof SdkClientException && message.startsWith("Unable to load credentials")) {
            return "no AWS credentials found to call X-Ray: set AWS_PROFILE or AWS_ACCESS_KEY_ID and"
                    + " AWS_SECRET_ACCESS_KEY, or run where a role is available";
        }
        if (e instanceof AwsServiceException) {
            return XRayTraceFetcher.failure("BatchGetTraces", (AwsServiceException) e);
        }
        return e.getClass().getSimpleName() + ": " + message;
    }

    @SuppressWarnings("unchecked")
    private static void addFetched(String document, String where, TraceAssembler assembler) {
        try {
            Object value = JsonReader.parse(document);
            if (value instanceof Map) {
                assembler.add((Map<String, Object>) value, where);
                return;
            }
            assembler.problems().add(where + ": not a JSON object, skipped");
        } catch (JsonReader.ParseException e) {
            assembler.problems().add(where + ": not valid JSON (" + e.getMessage() + "), skipped");
        }
    }

    private static List<Trace> select(List<Trace> traces, String traceId) {
        if (traceId == null) {
            return traces;
        }
        List<Trace> selected = new ArrayList<>();
        for (Trace trace : traces) {
            if (trace.traceId.equals(traceId)) {
                selected.add(trace);
            }
        }
        return selected;
    }

    private static String noTraceMessage(Options options, String source, TraceAssembler assembler) {
        if (options.file == null) {
            return "X-Ray returned no segments for trace " + options.traceId + " in " + options.region
                    + ": check the trace id and region; a trace appears a few seconds after its segments are"
                    + " sent and is kept for 30 days";
        }
        if (options.traceId == null) {
            return source + " holds no segment documents";
        }
        List<String> ids = new ArrayList<>();
        for (Trace trace : assembler.assemble()) {
            ids.add(trace.traceId);
        }
        return "trace " + options.traceId + " is not in " + source
                + (ids.isEmpty() ? "" : "; it holds " + String.join(", ", ids));
    }

    private static void reportProblems(List<String> problems, PrintStream out) {
        for (int i = 0; i < problems.size() && i < PROBLEMS_SHOWN; i++) {
            out.println("timeline: " + TerminalWaterfall.visible(problems.get(i)));
        }
        if (problems.size() > PROBLEMS_SHOWN) {
            out.println("timeline: ... and " + (problems.size() - PROBLEMS_SHOWN) + " more problems like these");
        }
    }

    /** Box-drawing and block characters only when stdout's encoding can carry them (not under LANG=C). */
    private static boolean stdoutIsUnicode() {
        try {
            String encoding = System.getProperty("stdout.encoding",
                    System.getProperty("sun.stdout.encoding", Charset.defaultCharset().name()));
            return Charset.forName(encoding).newEncoder().canEncode("├─│█░…Σ⚠×✗");
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The command line, checked. */
    static final class Options {
        Path file;
        String traceId;
        String region;
        URI endpoint;
        Path html;
        Boolean color;
        boolean allRows;
        int width;
        boolean help;

        static Options parse(String[] args, Map<String, String> env) {
            Options options = new Options();
            String width = null;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "-h":
                    case "--help":
                        options.help = true;
                        return options;
                    case "--trace-id":
                        options.traceId = value(args, ++i, arg);
                        break;
                    case "--region":
                        options.region = value(args, ++i, arg);
                        break;
                    case "--endpoint":
                        options.endpoint = uri(value(args, ++i, arg));
                        break;
                    case "--html":
                        options.html = Paths.get(value(args, ++i, arg));
                        break;
                    case "--width":
                        width = value(args, ++i, arg);
                        break;
                    case "--color":
                        options.color = Boolean.TRUE;
                        break;
                    case "--no-color":
                        options.color = Boolean.FALSE;
                        break;
                    case "--all":
                        options.allRows = true;
                        break;
                    default:
                        if (arg.startsWith("-") && arg.length() > 1) {
                            throw new IllegalArgumentException("unknown option " + arg);
                        }
                        if (options.file != null) {
                            throw new IllegalArgumentException("one trace file at a time (got " + options.file
                                    + " and " + arg + ")");
                        }
                        options.file = Paths.get(arg);
                }
            }
            if (options.file == null && options.traceId == null) {
                throw new IllegalArgumentException("give a trace file, or --trace-id with --region to fetch from X-Ray");
            }
            if (options.file == null && options.region == null) {
                options.region = env.get("AWS_REGION") != null ? env.get("AWS_REGION") : env.get("AWS_DEFAULT_REGION");
                if (options.region == null) {
                    throw new IllegalArgumentException("--region is needed to fetch a trace from X-Ray");
                }
            }
            if (options.file != null && (options.region != null || options.endpoint != null)) {
                throw new IllegalArgumentException("--region and --endpoint fetch from X-Ray; not with a trace file");
            }
            options.width = columns(width != null ? width : env.get("COLUMNS"), width != null);
            return options;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length || args[i].startsWith("--")) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static URI uri(String text) {
            try {
                URI uri = new URI(text);
                if (uri.getScheme() == null || uri.getHost() == null) {
                    throw new IllegalArgumentException("--endpoint needs a URL like http://127.0.0.1:4566, got " + text);
                }
                return uri;
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("--endpoint: " + e.getMessage());
            }
        }

        /** A bad --width is the user's mistake; a bad COLUMNS (set by the shell) just falls back. */
        private static int columns(String text, boolean explicit) {
            if (text != null) {
                try {
                    int columns = Integer.parseInt(text.trim());
                    if (columns > 0) {
                        return columns;
                    }
                } catch (NumberFormatException e) {
                    // handled below
                }
                if (explicit) {
                    throw new IllegalArgumentException("--width needs a positive number, got " + text);
                }
            }
            return DEFAULT_WIDTH;
        }
    }
}
