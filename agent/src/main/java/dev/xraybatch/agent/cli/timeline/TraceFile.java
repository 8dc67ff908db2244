package dev.xraybatch.agent.cli.timeline;

import dev.xraybatch.agent.json.JsonReader;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a trace file: one segment document per line, exactly as it would be sent to PutTraceSegments (the agent's
 * file exporter writes these). Blank lines are ignored; a line that is not JSON (a job killed mid-write leaves a
 * cut last line) is reported with its number and skipped, so the rest of the trace still shows.
 */
final class TraceFile {
    private TraceFile() {
    }

    @SuppressWarnings("unchecked")
    static void read(Path file, TraceAssembler assembler) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNumber = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (line.trim().isEmpty()) {
                    continue;
                }
                String where = file.getFileName() + " line " + lineNumber;
                Object value;
                try {
                    value = JsonReader.parse(line);
                } catch (JsonReader.ParseException e) {
                    assembler.problems().add(where + ": not valid JSON (" + e.getMessage() + "), skipped");
                    continue;
                }
                if (!(value instanceof Map)) {
                    assembler.problems().add(where + ": not a JSON object, skipped");
                } else if (!isDaemonHeader((Map<String, Object>) value)) {
                    assembler.add((Map<String, Object>) value, where);
                }
            }
        }
    }

    /** The daemon's UDP header line {"format":"json","version":1}: a file of captured datagrams holds these. */
    private static boolean isDaemonHeader(Map<String, Object> object) {
        return "json".equals(object.get("format")) && object.containsKey("version") && !object.containsKey("id");
    }
}
