package dev.xraybatch.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The "may use" column of docs/ARCHITECTURE.md's package table, enforced: every import line of the agent's main
 * sources must be allowed by its package's row. The table is read from the document, so the document cannot go
 * stale without this failing. Same-package references need no import and are not checked, nor are names written
 * out in full inside code (rare here).
 */
class ImportRulesTest {
    private static final Path SOURCES = Paths.get("src/main/java/dev/xraybatch/agent");
    private static final Path ARCHITECTURE = Paths.get("../docs/ARCHITECTURE.md");
    private static final String AGENT = "dev.xraybatch.agent.";
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)(?:\\.\\*)?\\s*;",
            Pattern.MULTILINE);
    private static final Pattern TICKED = Pattern.compile("`([^`]+)`");
    /** The words the table uses for libraries, and the packages they stand for. */
    private static final Map<String, List<String>> LIBRARIES = new LinkedHashMap<>();

    static {
        LIBRARIES.put("JDK", List.of("java.", "javax."));
        LIBRARIES.put("Byte Buddy", List.of("net.bytebuddy."));
        LIBRARIES.put("SnakeYAML", List.of("org.yaml.snakeyaml."));
        LIBRARIES.put("AWS SDK", List.of("software.amazon."));
        LIBRARIES.put("Spark", List.of("org.apache.spark."));
    }

    /** One row: the packages it is about ("" for the root package) and what they may import. */
    record Row(List<String> packages, boolean everything, List<String> agentPackages, List<String> rootClasses,
               List<String> libraries) {
        boolean allows(String imported) {
            if (everything) {
                return true;
            }
            if (imported.startsWith(AGENT)) {
                String rest = imported.substring(AGENT.length());
                return Stream.concat(agentPackages.stream(), packages.stream().filter(p -> !p.isEmpty()))
                        .anyMatch(p -> rest.startsWith(p + ".")) || rootClasses.contains(rest);
            }
            return libraries.stream().anyMatch(imported::startsWith);
        }
    }

    @Test
    void everyImportIsAllowedByItsPackagesRowInTheArchitectureTable() throws IOException {
        List<Row> rows = table();
        assertThat(rows).as("rows of the package table in " + ARCHITECTURE).hasSizeGreaterThan(10);
        List<String> violations = new ArrayList<>();
        int files = 0;
        for (Path file : javaFiles()) {
            files++;
            String pkg = packageOf(file);
            Row row = rowFor(rows, pkg);
            if (row == null) {
                violations.add(file + ": its package '" + pkg + "' has no row in the table");
                continue;
            }
            for (String imported : imports(file)) {
                // A package may always use itself and its subfolders.
                if (imported.startsWith(AGENT) && !pkg.isEmpty()
                        && imported.substring(AGENT.length()).startsWith(pkg + ".")) {
                    continue;
                }
                if (!row.allows(imported)) {
                    violations.add(SOURCES.relativize(file) + " imports " + imported + " (its row: "
                            + String.join(", ", row.packages()) + ")");
                }
            }
        }
        assertThat(files).isGreaterThan(100);
        assertThat(violations).as("imports the table in docs/ARCHITECTURE.md does not allow: change the code, or"
                + " the table if the design really changed").isEmpty();
    }

    /** One instrumentation never reaches into another's folder: what they share is in hook/. */
    @Test
    void instrumentationFoldersUseNoOtherInstrumentationsFolder() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles()) {
            String pkg = packageOf(file);
            if (!pkg.startsWith("instrument.")) {
                continue; // instrument itself (Modules) lists them all
            }
            String folder = pkg.split("\\.")[1];
            for (String imported : imports(file)) {
                String rest = imported.startsWith(AGENT) ? imported.substring(AGENT.length()) : "";
                if (rest.startsWith("instrument.") && Character.isLowerCase(rest.split("\\.")[1].charAt(0))) {
                    String other = rest.split("\\.")[1];
                    if (!other.equals(folder) && !other.equals("hook")) {
                        violations.add(SOURCES.relativize(file) + " imports " + imported);
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    /** Spark's driver side and its executors' side share only what sits in spark/ itself. */
    @Test
    void sparkDriverAndExecutorCodeUseNeitherSide() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles()) {
            String pkg = packageOf(file);
            String other = pkg.equals("instrument.spark.driver") ? "instrument.spark.executor."
                    : pkg.equals("instrument.spark.executor") ? "instrument.spark.driver." : null;
            if (other == null) {
                continue;
            }
            for (String imported : imports(file)) {
                if (imported.startsWith(AGENT + other)) {
                    violations.add(SOURCES.relativize(file) + " imports " + imported);
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    private static List<Row> table() throws IOException {
        String doc = new String(Files.readAllBytes(ARCHITECTURE), StandardCharsets.UTF_8);
        int start = doc.indexOf("## Packages of the agent");
        assertThat(start).as("the section 'Packages of the agent' in " + ARCHITECTURE).isNotNegative();
        List<Row> rows = new ArrayList<>();
        for (String line : doc.substring(start).split("\n")) {
            if (line.startsWith("## ") && !rows.isEmpty()) {
                break;
            }
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.split("(?<!\\\\)\\|");
            String first = cells[1];
            String mayUse = cells[cells.length - 1].trim().isEmpty() ? cells[cells.length - 2] : cells[cells.length - 1];
            List<String> packages = new ArrayList<>();
            for (String name : ticked(first)) {
                packages.add(name.endsWith("/") ? dotted(name) : "");
            }
            List<String> agentPackages = new ArrayList<>();
            List<String> rootClasses = new ArrayList<>();
            for (String name : ticked(mayUse)) {
                if (name.endsWith("/")) {
                    agentPackages.add(dotted(name));
                } else if (name.matches("[A-Z]\\w*")) {
                    rootClasses.add(name);
                }
            }
            List<String> libraries = new ArrayList<>();
            LIBRARIES.forEach((word, prefixes) -> {
                if (mayUse.contains(word)) {
                    libraries.addAll(prefixes);
                }
            });
            rows.add(new Row(packages.stream().distinct().collect(Collectors.toList()),
                    mayUse.contains("everything"), agentPackages, rootClasses, libraries));
        }
        return rows;
    }

    /** The row of the longest package that contains {@code pkg}. */
    private static Row rowFor(List<Row> rows, String pkg) {
        Row best = null;
        int bestLength = -1;
        for (Row row : rows) {
            for (String p : row.packages()) {
                boolean contains = p.isEmpty() ? pkg.isEmpty() : pkg.equals(p) || pkg.startsWith(p + ".");
                if (contains && p.length() > bestLength) {
                    best = row;
                    bestLength = p.length();
                }
            }
        }
        return best;
    }

    private static List<String> ticked(String cell) {
        List<String> names = new ArrayList<>();
        Matcher m = TICKED.matcher(cell);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static String dotted(String folder) {
        return folder.substring(0, folder.length() - 1).replace('/', '.');
    }

    private static List<Path> javaFiles() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
    }

    /** "" for the root package, else e.g. "instrument.hook.advice". */
    private static String packageOf(Path file) {
        Path dir = SOURCES.relativize(file).getParent();
        return dir == null ? "" : dir.toString().replace(java.io.File.separatorChar, '.');
    }

    private static List<String> imports(Path file) throws IOException {
        String source = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>();
        Matcher m = IMPORT.matcher(source);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
