package dev.xraybatch.benchmarks.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One child process run under {@code /usr/bin/time}: its wall time (measured here), CPU time (user + system) and
 * peak RSS (both from {@code time}), and what it wrote. The whole-process benchmarks share it, so that every figure
 * they print is measured the same way.
 */
public final class TimedRun {
    public final double wallSeconds;
    public final double cpuSeconds;
    public final double peakRssMiB;
    public final String stdout;
    public final String stderr;

    private TimedRun(double wallSeconds, double cpuSeconds, double peakRssMiB, String stdout, String stderr) {
        this.wallSeconds = wallSeconds;
        this.cpuSeconds = cpuSeconds;
        this.peakRssMiB = peakRssMiB;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Runs {@code command} in {@code work} (its output files go there too) with {@code environment} added, and
     * fails when it does not end within {@code timeout} or exits non-zero.
     */
    public static TimedRun of(List<String> command, Path work, Map<String, String> environment, Duration timeout)
            throws IOException, InterruptedException {
        Path timeFile = work.resolve("time.txt");
        Path stdoutFile = work.resolve("stdout.txt");
        Path stderrFile = work.resolve("stderr.txt");
        List<String> timed = new ArrayList<>(Arrays.asList("/usr/bin/time", "-f", "%M %U %S", "-o",
                timeFile.toString()));
        timed.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(timed)
                .directory(work.toFile())
                .redirectOutput(stdoutFile.toFile())
                .redirectError(stderrFile.toFile());
        builder.environment().putAll(environment);
        long began = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the child did not finish in " + timeout + ": " + command);
        }
        double wall = (System.nanoTime() - began) / 1e9;
        String out = read(stdoutFile);
        String errors = read(stderrFile);
        if (process.exitValue() != 0) {
            throw new IllegalStateException("the child exited with " + process.exitValue() + ": " + command
                    + "\n" + out + "\n" + errors);
        }
        String[] time = read(timeFile).trim().split("\\s+");
        return new TimedRun(wall, Double.parseDouble(time[1]) + Double.parseDouble(time[2]),
                Long.parseLong(time[0]) / 1024.0, out, errors);
    }

    /**
     * The same run with the CPU time measured otherwise: for process trees whose descendants getrusage cannot see
     * (processes the kernel reaps at once because their parent ignores SIGCHLD, as PySpark's worker daemon does).
     */
    public TimedRun withCpuSeconds(double seconds) {
        return new TimedRun(wallSeconds, seconds, peakRssMiB, stdout, stderr);
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }
}
