package dev.xraybatch.agent.spark;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * Where the file named by {@code spark.xraybatch.config} is on this machine. A local path is used as given. A
 * URL ({@code s3://bucket/dir/xray.yaml}) is first looked for by its file name in the working directory, where
 * {@code --files} (and Glue's {@code --extra-files}, on the driver) put shipped files; otherwise it is read
 * through Hadoop's file system, which on Glue and EMR reads S3 with the job's own role.
 */
final class ConfigLocation {
    /** Copies a remote file to a local one. */
    interface Download {
        File fetch(String url) throws Exception;
    }

    private final Path workingDirectory;
    private final Download download;

    ConfigLocation(Path workingDirectory, Download download) {
        this.workingDirectory = workingDirectory;
        this.download = download;
    }

    /** @return a local path, or null after adding a problem that says what to do */
    String localPath(String value, List<String> problems) {
        if (value.startsWith("file:")) {
            try {
                return Paths.get(URI.create(value)).toString();
            } catch (RuntimeException e) {
                problems.add(PluginSettings.CONF_PREFIX + "config=" + value + ": not a file URL (" + e.getMessage()
                        + "); give a path such as /opt/xray.yaml");
                return null;
            }
        }
        if (!value.contains("://")) {
            return value;
        }
        String fileName = value.substring(value.lastIndexOf('/') + 1);
        if (!fileName.isEmpty()) {
            Path shipped = workingDirectory.resolve(fileName);
            if (Files.isRegularFile(shipped)) {
                return shipped.toString();
            }
        }
        try {
            return download.fetch(value).getPath();
        } catch (Throwable t) {
            problems.add(PluginSettings.CONF_PREFIX + "config=" + value + ": it is not in the working directory ("
                    + workingDirectory + ") and could not be read through Hadoop's file system (" + t
                    + "); ship it with --files " + value + " (on Glue --extra-files, driver only) or give a local path");
            return null;
        }
    }
}
