package dev.xraybatch.agent.export.file;

import dev.xraybatch.agent.export.SendOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JsonLinesFileExporterTest {
    @TempDir
    Path directory;

    @Test
    void appendsOneDocumentPerLineCreatingTheFoldersAndKeepingEarlierRuns() throws Exception {
        Path file = directory.resolve("xray-traces/nested/1-5f000000-0123456789abcdef01234567.jsonl");
        Files.createDirectories(file.getParent());
        Files.write(file, "{\"id\":\"earlier\"}\n".getBytes(StandardCharsets.UTF_8));
        JsonLinesFileExporter exporter = new JsonLinesFileExporter(file);

        assertThat(exporter.send(List.of("{\"id\":\"a\"}", "{\"id\":\"b\",\"name\":\"Größe\"}")).kind())
                .isEqualTo(SendOutcome.Kind.ACCEPTED);
        // Written when send returns, before close.
        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).hasSize(3);
        assertThat(exporter.send(List.of("{\n  \"id\": \"pretty\"\r\n}")).kind()).isEqualTo(SendOutcome.Kind.ACCEPTED);
        exporter.close();

        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).containsExactly(
                "{\"id\":\"earlier\"}", "{\"id\":\"a\"}", "{\"id\":\"b\",\"name\":\"Größe\"}", "{   \"id\": \"pretty\"  }");
    }

    @Test
    void createsMissingParentFolders() throws Exception {
        Path file = directory.resolve("a/b/c/trace.jsonl");
        JsonLinesFileExporter exporter = new JsonLinesFileExporter(file);

        assertThat(exporter.send(List.of("{}")).kind()).isEqualTo(SendOutcome.Kind.ACCEPTED);
        exporter.close();

        assertThat(Files.readAllLines(file)).containsExactly("{}");
    }

    @Test
    void aPathThatCannotBeWrittenMakesTheExporterUnusable() throws Exception {
        Path notAFolder = Files.write(directory.resolve("plain-file"), new byte[0]);
        JsonLinesFileExporter exporter = new JsonLinesFileExporter(notAFolder.resolve("trace.jsonl"));

        SendOutcome outcome = exporter.send(List.of("{}"));

        assertThat(outcome.kind()).isEqualTo(SendOutcome.Kind.UNUSABLE);
        assertThat(outcome.reason()).contains(notAFolder.toString()).contains("trace_file");
        exporter.close();
    }
}
