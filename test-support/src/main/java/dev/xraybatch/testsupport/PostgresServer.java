package dev.xraybatch.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the tests: the one {@code .ci/run} started ({@code POSTGRES_JDBC_URL},
 * {@code POSTGRES_USER}, {@code POSTGRES_PASSWORD}, as system properties {@code postgres.url}, {@code .user},
 * {@code .password} or environment), else one started here from the installed binaries (Debian's
 * {@code postgresql-15}: initdb and pg_ctl in a temporary directory, as the {@code postgres} user when run as
 * root) on a free loopback port, with a database and a user with a password of its own. Neither: {@link #find()}
 * says why, and the test is skipped with that message.
 */
public final class PostgresServer implements AutoCloseable {
    private static PostgresServer shared;
    private static String unavailable;

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final Path dataDir;
    private final Path binDir;

    private PostgresServer(String jdbcUrl, String user, String password, Path dataDir, Path binDir) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.dataDir = dataDir;
        this.binDir = binDir;
    }

    /** The server every test class of this JVM shares (stopped when the JVM exits), or null: see {@link #whyNot()}. */
    public static synchronized PostgresServer find() {
        if (shared != null || unavailable != null) {
            return shared;
        }
        String url = given("postgres.url", "POSTGRES_JDBC_URL");
        if (url != null) {
            shared = new PostgresServer(url, given("postgres.user", "POSTGRES_USER"),
                    given("postgres.password", "POSTGRES_PASSWORD"), null, null);
            return shared;
        }
        Path bin = binDir();
        if (bin == null) {
            unavailable = "no PostgreSQL server: set POSTGRES_JDBC_URL/POSTGRES_USER/POSTGRES_PASSWORD (.ci/run does)"
                    + " or install Debian's postgresql-15 (initdb and pg_ctl under /usr/lib/postgresql/*/bin)";
            return null;
        }
        try {
            PostgresServer server = start(bin);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "postgres-stop"));
            shared = server;
        } catch (Exception e) {
            unavailable = "PostgreSQL did not start from " + bin + ": " + e.getMessage();
        }
        return shared;
    }

    /** Why {@link #find()} found none (a test's skip message), or null. */
    public static synchronized String whyNot() {
        return unavailable;
    }

    private static String given(String property, String variable) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            value = System.getenv(variable);
        }
        return value == null || value.isBlank() || value.startsWith("${") ? null : value.trim();
    }

    /** The newest installed server's bin directory, or null. */
    static Path binDir() {
        Path root = Paths.get("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(b -> versionOf(b.getParent().getFileName().toString())))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static Integer versionOf(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static PostgresServer start(Path bin) throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("xraybatch-postgres");
        if (root) {
            run(List.of("chown", "postgres", dir.toString()), false);
        }
        Path data = dir.resolve("data");
        Path superPassword = dir.resolve("pw");
        String password = randomPassword();
        Files.writeString(superPassword, randomPassword() + "\n");
        if (root) {
            run(List.of("chown", "postgres", superPassword.toString()), false);
        }
        run(asServerUser(root, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + superPassword, "-E", "UTF8",
                "--no-sync"), true);
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        run(asServerUser(root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"), true);
        PostgresServer server = new PostgresServer("jdbc:postgresql://127.0.0.1:" + port + "/xraybatch_test",
                "xraybatch_test", password, data, bin);
        try {
            psql(root, bin, dir, port, "CREATE USER xraybatch_test PASSWORD '" + password + "'");
            psql(root, bin, dir, port, "CREATE DATABASE xraybatch_test OWNER xraybatch_test");
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static void psql(boolean root, Path bin, Path socketDir, int port, String sql)
            throws IOException, InterruptedException {
        run(asServerUser(root, bin.resolve("psql").toString(), "-h", socketDir.toString(), "-p",
                Integer.toString(port), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c",
                sql), true);
    }

    private static List<String> asServerUser(boolean root, String... command) {
        List<String> full = new ArrayList<>();
        if (root) {
            // initdb refuses to run as root.
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(Arrays.asList(command));
        return full;
    }

    private static void run(List<String> command, boolean fromTempDir) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (fromTempDir) {
            // The postgres user may not enter the test's working directory.
            pb.directory(Paths.get(System.getProperty("java.io.tmpdir")).toFile());
        }
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command.subList(0, Math.min(command.size(), 5))) + "... failed: "
                    + new String(out, StandardCharsets.UTF_8));
        }
    }

    private static String randomPassword() {
        SecureRandom random = new SecureRandom();
        StringBuilder b = new StringBuilder("pw");
        for (int i = 0; i < 20; i++) {
            b.append((char) ('a' + random.nextInt(26)));
        }
        return b.toString();
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** Stops a server started here and deletes its files; one given from outside is left alone. */
    @Override
    public synchronized void close() {
        if (dataDir == null) {
            return;
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            run(asServerUser(root, binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast",
                    "-w", "stop"), true);
        } catch (Exception alreadyStopped) {
            // Nothing to stop.
        }
        Path dir = dataDir.getParent();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException leftBehind) {
            // A temp directory: the system cleans it.
        }
    }
}
