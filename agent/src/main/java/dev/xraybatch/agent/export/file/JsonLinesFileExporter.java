package dev.xraybatch.agent.export.file;

import dev.xraybatch.agent.export.DocumentExporter;
import dev.xraybatch.agent.export.SendOutcome;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * Appends one document per line to a local file: the default for a run without AWS, readable with {@code jq}, the
 * agent's timeline command, or {@code aws xray put-trace-segments} later.
 *
 * <p>Each batch is written with one append, so the lines of two JVMs sharing the file do not interleave, and it is
 * on disk (in the OS's hands) when {@link #send} returns.
 */
public final class JsonLinesFileExporter implements DocumentExporter {
    private static final Set<PosixFilePermission> OWNER_ONLY_FOLDER = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private final Path file;

    private FileOutputStream out;
    private final ByteArrayOutputStream batchBytes = new ByteArrayOutputStream(64 * 1024);
    private final Writer batchWriter = new OutputStreamWriter(batchBytes, StandardCharsets.UTF_8);

    public JsonLinesFileExporter(Path file) {
        this.file = file.toAbsolutePath();
    }

    /** The file written to. */
    public Path file() {
        return file;
    }

    @Override
    public SendOutcome send(List<String> documents) {
        if (out == null) {
            try {
                createPrivately(file);
                out = new FileOutputStream(file.toFile(), true);
            } catch (IOException | RuntimeException e) {
                return SendOutcome.unusable("cannot write " + file + " (" + e + "); set trace_file to a writable"
                        + " path");
            }
        }
        try {
            batchBytes.reset();
            for (int i = 0; i < documents.size(); i++) {
                batchWriter.write(oneLine(documents.get(i)));
                batchWriter.write('\n');
            }
            batchWriter.flush();
            batchBytes.writeTo(out);
            return SendOutcome.accepted();
        } catch (IOException e) {
            // Disk full and the like: the pipeline holds the batch and tries again (a partly written batch may
            // then appear twice; readers keep the last document per id, as X-Ray does).
            return SendOutcome.retryable(e.getClass().getSimpleName(), "writing " + file + " failed: "
                    + e.getMessage());
        }
    }

    /**
     * Creates the file (0600) and its missing folders (0700) for the job's user only: traces hold S3 keys, SQL and,
     * when the config asks, argument values. A file or folder that exists is left as it is; where the file system
     * has no POSIX permissions, they are created as the platform does.
     */
    static void createPrivately(Path file) throws IOException {
        Path parent = file.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            try {
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FOLDER));
            } catch (UnsupportedOperationException notPosix) {
                Files.createDirectories(parent);
            }
        }
        if (Files.exists(file)) {
            return;
        }
        try {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException anotherJvmWasFirst) {
            // Two JVMs of one job share the file: the first one made it.
        }
    }

    /** A compact JSON document has no raw line breaks; a pretty-printed one has them only as whitespace. */
    private static String oneLine(String document) {
        if (document.indexOf('\n') < 0 && document.indexOf('\r') < 0) {
            return document;
        }
        return document.replace('\n', ' ').replace('\r', ' ');
    }

    @Override
    public String describe() {
        return "the file " + file;
    }

    @Override
    public void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // Every batch was already written; nothing is lost.
            }
        }
    }
}
