package dev.xraybatch.agent.cli.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

class TimelineCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Map<String, String> env = new HashMap<>();

    @Test
    void printsTheWaterfallOfATraceFile() throws Exception {
        Path file = traceFile(Docs.richJob());

        assertThat(run(file.toString())).isZero();
        assertThat(stdout()).startsWith("Trace " + Docs.TRACE).contains("├─ S3 ListObjectsV2", "FAULT", "RUNNING")
                .doesNotContain("\u001b[");
        assertThat(stderr()).isEmpty();
    }

    @Test
    void usesColumnsAndColourAsTheTerminalAsks() throws Exception {
        Path file = traceFile(Docs.richJob());
        env.put("COLUMNS", "140");

        assertThat(run(file.toString(), "--color")).isZero();
        assertThat(stdout()).contains("\u001b[31mFAULT");
        String root = stdout().replaceAll("\u001b\\[[0-9;]*m", "").split("\n")[2];
        assertThat(root).startsWith("convert-json-to-avro").hasSize(140);
    }

    @Test
    void showsEveryTraceOfAFileOrTheOneAskedFor() throws Exception {
        Path file = traceFile(Docs.segment("first", "a000000000000001", 0, 1),
                Docs.segment("second", "a000000000000002", 5, 6).put("trace_id", Docs.OTHER_TRACE));

        assertThat(run(file.toString())).isZero();
        assertThat(stdout()).contains("Trace " + Docs.TRACE, "Trace " + Docs.OTHER_TRACE);

        out.reset();
        assertThat(run(file.toString(), "--trace-id", Docs.OTHER_TRACE)).isZero();
        assertThat(stdout()).contains("Trace " + Docs.OTHER_TRACE, "second").doesNotContain("first");

        out.reset();
        assertThat(run(file.toString(), "--trace-id", "1-00000000-000000000000000000000000")).isEqualTo(1);
        assertThat(stderr()).contains("trace 1-00000000-000000000000000000000000 is not in", Docs.TRACE,
                Docs.OTHER_TRACE);
    }

    @Test
    void writesTheHtmlPage() throws Exception {
        Path file = traceFile(Docs.richJob());
        Path html = dir.resolve("out.html");

        assertThat(run(file.toString(), "--html", html.toString())).isZero();
        String page = new String(Files.readAllBytes(html), StandardCharsets.UTF_8);
        assertThat(page).startsWith("<!DOCTYPE html>").contains("convert-json-to-avro");
        // One stream, in order: the waterfall, then the note on the page.
        assertThat(stdout()).contains("Trace " + Docs.TRACE, "wrote " + html);
        assertThat(stdout().indexOf("wrote ")).isGreaterThan(stdout().indexOf("Trace " + Docs.TRACE));
        assertThat(stderr()).isEmpty();
    }

    @Test
    void reportsBadLinesWithTheirNumbersAndShowsTheRest() throws Exception {
        Path file = dir.resolve("cut.jsonl");
        Files.write(file, (Docs.segment("job", "a000000000000001", 0, 2).json() + "\n\n"
                + "{\"format\":\"json\",\"version\":1}\n"
                + "[1,2]\n"
                + Docs.subsegment("step", "b000000000000001", "a000000000000001", 1, 0).inProgress().json()
                + "\n{\"name\":\"cut\",\"id\":\"b00").getBytes(StandardCharsets.UTF_8));

        assertThat(run(file.toString())).isZero();
        assertThat(stdout()).contains("└─ step", "RUNNING");
        assertThat(stdout()).contains("cut.jsonl line 4: not a JSON object, skipped",
                "cut.jsonl line 6: not valid JSON (unterminated string at column 24), skipped")
                .doesNotContain("line 3");
        // On the same stream as the waterfall, before it: nothing interleaves.
        assertThat(stdout().indexOf("line 6: not valid JSON")).isLessThan(stdout().indexOf("Trace "));
        assertThat(stderr()).isEmpty();
    }

    @Test
    void failsClearlyOnAMissingOrEmptyFile() throws Exception {
        assertThat(run(dir.resolve("nope.jsonl").toString())).isEqualTo(1);
        assertThat(stderr()).contains("timeline: no such file: ").contains("nope.jsonl");

        err.reset();
        Path empty = Files.write(dir.resolve("empty.jsonl"), new byte[0]);
        assertThat(run(empty.toString())).isEqualTo(1);
        assertThat(stderr()).contains("holds no segment documents");
    }

    @Test
    void refusesWrongUsageWithTheUsage() {
        assertThat(run()).isEqualTo(2);
        assertThat(stderr()).contains("give a trace file", "usage: timeline");
        for (String[] wrong : new String[][] {
                {"a.jsonl", "b.jsonl"}, {"a.jsonl", "--bogus"}, {"a.jsonl", "--html"}, {"a.jsonl", "--width", "x"},
                {"--trace-id", "1-65a1b2c3-0123456789abcdef01234567"}, {"a.jsonl", "--region", "eu-west-1"},
                {"--trace-id", "x", "--region", "eu-west-1", "--endpoint", "not a url"}}) {
            err.reset();
            assertThat(run(wrong)).as(String.join(" ", wrong)).isEqualTo(2);
            assertThat(stderr()).startsWith("timeline: ");
        }
        out.reset();
        assertThat(run("--help")).isZero();
        assertThat(stdout()).contains("--trace-id <id> --region <region>");
    }

    @Test
    void takesTheRegionFromTheEnvironmentWhenFetching() {
        env.put("AWS_REGION", "eu-west-1");
        TimelineCommand.Options options = TimelineCommand.Options.parse(new String[] {"--trace-id", "t"}, env);
        assertThat(options.region).isEqualTo("eu-west-1");
        assertThat(options.file).isNull();
        assertThat(options.width).isEqualTo(100);
    }

    @Test
    void explainsTheCommonFetchFailuresInOneActionableLine() {
        assertThat(TimelineCommand.explain(SdkClientException.create(
                "Unable to load credentials from any of the providers in the chain AwsCredentialsProviderChain(...)")))
                .startsWith("no AWS credentials found").contains("AWS_PROFILE");
        AwsServiceException denied = AwsServiceException.builder().statusCode(403)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDeniedException").build()).build();
        assertThat(TimelineCommand.explain(denied))
                .isEqualTo("X-Ray refused BatchGetTraces (AccessDeniedException): the caller needs the IAM permission"
                        + " xray:BatchGetTraces");
        assertThat(TimelineCommand.explain(new IllegalStateException("odd"))).isEqualTo("IllegalStateException: odd");
        AwsServiceException broken = AwsServiceException.builder().statusCode(500)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("InternalFailure").build()).build();
        assertThat(TimelineCommand.explain(broken)).isEqualTo("X-Ray failed BatchGetTraces with a server error"
                + " (HTTP 500 InternalFailure), not a permission problem: try again later").doesNotContain("IAM");
    }

    private Path traceFile(Docs... documents) throws Exception {
        List<String> lines = new ArrayList<>();
        for (Docs document : documents) {
            lines.add(document.json());
        }
        return Files.write(dir.resolve("trace-" + System.nanoTime() + ".jsonl"), lines, StandardCharsets.UTF_8);
    }

    private int run(String... args) {
        try {
            return TimelineCommand.run(args, new PrintStream(out, true, "UTF-8"), new PrintStream(err, true, "UTF-8"),
                    Collections.unmodifiableMap(env), false, true);
        } catch (java.io.UnsupportedEncodingException e) {
            throw new AssertionError(e);
        }
    }

    private String stdout() {
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    private String stderr() {
        return new String(err.toByteArray(), StandardCharsets.UTF_8);
    }
}
