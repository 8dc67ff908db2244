package dev.xraybatch.agent.cli.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.jar.JarFile;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {
    private static Path lib;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** A small app in a jar under lib/: an interface with two implementations and an annotated class. */
    @BeforeAll
    static void buildApp(@TempDir Path build) throws IOException {
        Path src = Files.createDirectories(build.resolve("src/acme/app"));
        write(src.resolve("Step.java"), "package acme.app; public interface Step { void run(String in); }");
        write(src.resolve("Load.java"), "package acme.app; public class Load implements Step {"
                + " public void run(String in) {} private int helper() { return 1; } Load() {} }");
        write(src.resolve("Save.java"), "package acme.app; public class Save implements Step {"
                + " public void run(String in) { Runnable r = () -> {}; r.run(); } public static void main(String[] a) {} }");
        write(src.resolve("Traced.java"), "package acme.app; @java.lang.annotation.Retention("
                + "java.lang.annotation.RetentionPolicy.RUNTIME) public @interface Traced {}");
        write(src.resolve("Report.java"), "package acme.app; @Traced public class Report {"
                + " public String render(int pages, String title) { return title; } }");
        write(src.resolve("Totals.java"), "package acme.app; public record Totals(int count, long amount) {}");
        write(src.resolve("Orders.java"), "package acme.app; public class Orders { private String region = \"eu\";"
                + " public Totals totals(String region) { return new Totals(1, 2L); }"
                + " public void each(Step step, Object item) {} }");
        Path classes = Files.createDirectories(build.resolve("classes"));
        String[] files;
        try (Stream<Path> sources = Files.list(src)) {
            files = sources.map(Path::toString).toArray(String[]::new);
        }
        String[] args = new String[files.length + 2];
        args[0] = "-d";
        args[1] = classes.toString();
        System.arraycopy(files, 0, args, 2, files.length);
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, args)).isZero();
        lib = Files.createDirectories(build.resolve("lib"));
        try (OutputStream file = Files.newOutputStream(lib.resolve("app.jar"));
             JarOutputStream jar = new JarOutputStream(file);
             Stream<Path> compiled = Files.walk(classes)) {
            for (Path c : (Iterable<Path>) compiled.filter(Files::isRegularFile)::iterator) {
                jar.putNextEntry(new JarEntry(classes.relativize(c).toString().replace('\\', '/')));
                jar.write(Files.readAllBytes(c));
                jar.closeEntry();
            }
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    private String yaml(String... lines) throws IOException {
        Path file = dir.resolve("xray-batch.yaml");
        write(file, String.join("\n", lines) + "\n");
        return file.toString();
    }

    private int check(String... args) {
        return CheckCommand.run(args, new PrintStream(out, true), new PrintStream(err, true));
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void showsWhatEachPointcutMatchesOnTheClassPath() throws IOException {
        String file = yaml("pointcuts:",
                "  - classes: acme.app.*",
                "    subtypes_of: acme.app.Step",
                "  - classes: acme.app.**",
                "    classes_annotated_with: acme.app.Traced",
                "    name: 'render {arg1}'",
                "  - classes: acme.other.**");

        int exit = check(file, "--classpath", lib + "/*");

        assertThat(exit).isEqualTo(1);
        assertThat(output()).isEqualTo(String.join(System.lineSeparator(),
                file + ": 0 problems, 3 valid pointcuts",
                "class path: 7 classes",
                "",
                file + ":2:5 pointcuts[0] (name: {class}.{method})",
                "  acme.app.Load",
                "    run(java.lang.String)",
                "    helper()",
                "  acme.app.Save",
                "    run(java.lang.String)",
                "    main(java.lang.String[])",
                "",
                file + ":4:5 pointcuts[1] (name: render {arg1})",
                "  acme.app.Report",
                "    render(int, java.lang.String)",
                "",
                file + ":7:5 pointcuts[2] (name: {class}.{method})",
                "  error: " + file + ":7:5 pointcuts[2]: matches nothing on this class path; no class matches "
                        + "'acme.other.**'; check the package name, or add the jar that holds the classes to "
                        + "--classpath",
                "",
                "class path check: 1 problem, 0 warnings",
                ""));
    }

    @Test
    void aClassInTheWrongPackageIsAProblemNamingTheClassOfThatName() throws IOException {
        String file = yaml("pointcuts:", "  - classes: acme.orders.Orders", "    methods: totals");

        int exit = check(file, "--classpath", lib + "/*");

        assertThat(exit).isEqualTo(1);
        assertThat(output()).contains("  error: " + file + ":2:5 pointcuts[0]: matches nothing on this class path; "
                + "no class matches 'acme.orders.Orders'; of that name in another package: acme.app.Orders");
    }

    @Test
    void aWrongSignatureIsAProblemShowingTheMethodsRealSignatures() throws IOException {
        String file = yaml("pointcuts:", "  - classes: acme.app.Orders", "    methods: totals(int)",
                "  - classes: acme.app.Orders", "    methods: totls",
                "  - classes: acme.app.*", "    methods: totals", "    subtypes_of: acme.app.Step");

        int exit = check(file, "--classpath", lib + "/*");

        assertThat(exit).isEqualTo(1);
        assertThat(output()).contains("  error: " + file + ":2:5 pointcuts[0]: matches nothing on this class path; "
                        + "no method of acme.app.Orders matches 'totals(int)'; its methods of that name: "
                        + "public acme.app.Orders.totals(java.lang.String)")
                .contains("  error: " + file + ":4:5 pointcuts[1]: matches nothing on this class path; no method of "
                        + "acme.app.Orders is named 'totls'; did you mean 'totals'?")
                .contains("  error: " + file + ":6:5 pointcuts[2]: matches nothing on this class path; "
                        + "acme.app.Orders has methods that match but is left out by subtypes_of acme.app.Step");
    }

    @Test
    void aValuePathTheDeclaredTypesCannotHaveIsAProblemAndOneThroughAnInterfaceAWarning() throws IOException {
        String file = yaml("pointcuts:",
                "  - classes: acme.app.Orders",
                "    methods: totals",
                "    name: 'totals {arg0.name}'",
                "    annotations: {orders: return.orderCount, count: return.count, chars: arg0.length}",
                "    metadata: {region: this.region, amount: return.amout}",
                "  - classes: acme.app.Orders",
                "    methods: each",
                "    annotations: {step: arg0.name, item: arg1.id}");

        int exit = check(file, "--classpath", lib + "/*");

        assertThat(exit).isEqualTo(1);
        String method = "acme.app.Orders.totals(java.lang.String)";
        assertThat(output()).contains(
                "  error: " + file + ":4:11 pointcuts[0].name: 'arg0.name': arg0 of " + method + " is declared as "
                        + "java.lang.String, which has no getter, record component or field 'name'; the value would "
                        + "always be missing; it has blank, bytes, empty",
                "  error: " + file + ":5:27 pointcuts[0].annotations.orders: 'return.orderCount': return of "
                        + method + " is declared as acme.app.Totals, which has no getter, record component or field "
                        + "'orderCount'; the value would always be missing; it has amount, count",
                "  error: " + file + ":6:45 pointcuts[0].metadata.amount: 'return.amout': return of " + method
                        + " is declared as acme.app.Totals, which has no getter, record component or field 'amout'; "
                        + "the value would always be missing; did you mean 'amount'?",
                "  warning: " + file + ":9:25 pointcuts[1].annotations.step: 'arg0.name': arg0 of "
                        + "acme.app.Orders.each(acme.app.Step, java.lang.Object) is declared as acme.app.Step, which "
                        + "has no getter, record component or field 'name'; it is read only if the object at run time "
                        + "has one",
                "  warning: " + file + ":9:42 pointcuts[1].annotations.item: 'arg1.id': arg1 of",
                "class path check: 3 problems, 2 warnings")
                .doesNotContain("return.count'", "arg0.length'", "this.region'");
    }

    @Test
    void readsASpringBootExecutableJarAndAWar() throws IOException {
        String file = yaml("pointcuts:",
                "  - classes: acme.app.**",
                "    subtypes_of: acme.app.Step",
                "  - classes: acme.app.Orders",
                "    methods: totals",
                "    annotations: {count: return.count}");
        for (String[] layout : new String[][] {{"BOOT-INF/classes/", "BOOT-INF/lib/"},
                {"WEB-INF/classes/", "WEB-INF/lib/"}}) {
            // The interface and the record in a library jar inside the archive, the rest in its classes folder:
            // the super type and the return type resolve only if the nested jar is read.
            Path archive = dir.resolve(layout[0].startsWith("BOOT") ? "app.jar" : "app.war");
            Path nested = dir.resolve("nested.jar");
            try (JarFile app = new JarFile(lib.resolve("app.jar").toFile());
                 JarOutputStream library = new JarOutputStream(Files.newOutputStream(nested))) {
                for (JarEntry entry : Collections.list(app.entries())) {
                    if (entry.getName().endsWith("Step.class") || entry.getName().endsWith("Totals.class")) {
                        library.putNextEntry(new JarEntry(entry.getName()));
                        library.write(app.getInputStream(entry).readAllBytes());
                    }
                }
            }
            try (JarFile app = new JarFile(lib.resolve("app.jar").toFile());
                 ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(archive))) {
                zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
                zip.write("Manifest-Version: 1.0\nMain-Class: org.springframework.boot.loader.launch.JarLauncher\n"
                        .getBytes(StandardCharsets.UTF_8));
                for (JarEntry entry : Collections.list(app.entries())) {
                    if (!entry.isDirectory() && !entry.getName().endsWith("Step.class")
                            && !entry.getName().endsWith("Totals.class")) {
                        zip.putNextEntry(new ZipEntry(layout[0] + entry.getName()));
                        zip.write(app.getInputStream(entry).readAllBytes());
                    }
                }
                // Nested jars are stored, not compressed, in a Spring Boot jar.
                byte[] library = Files.readAllBytes(nested);
                ZipEntry libraryEntry = new ZipEntry(layout[1] + "acme-lib-1.0.jar");
                libraryEntry.setMethod(ZipEntry.STORED);
                libraryEntry.setSize(library.length);
                CRC32 crc = new CRC32();
                crc.update(library);
                libraryEntry.setCrc(crc.getValue());
                zip.putNextEntry(libraryEntry);
                zip.write(library);
            }
            out.reset();

            int exit = check(file, "--classpath", archive.toString());

            assertThat(exit).as(output()).isZero();
            assertThat(output()).contains("class path: 7 classes",
                    "  acme.app.Load\n    run(java.lang.String)\n    helper()\n  acme.app.Save",
                    "  acme.app.Orders\n    totals(java.lang.String)", "class path check: 0 problems, 0 warnings");
        }
        try (Stream<Path> left = Files.list(Paths.get(System.getProperty("java.io.tmpdir")))) {
            assertThat(left.filter(p -> p.getFileName().toString().startsWith("xray-batch-check")))
                    .as("the nested jars' copies are deleted").isEmpty();
        }
    }

    @Test
    void jsonListsProblemsWarningsAndMatchesForCi() throws IOException {
        String file = yaml("pointcuts:",
                "  - classes: acme.app.Orders",
                "    methods: totals",
                "    annotations: {orders: return.orderCount}",
                "  - classes: acme.app.Orders",
                "    methods: each",
                "    annotations: {item: arg1.id}",
                "  - classes: acme.app.Report");

        int exit = check(file, "--classpath", lib + "/*", "--json");

        assertThat(exit).isEqualTo(1);
        JsonNode report = new ObjectMapper().readTree(output());
        assertThat(report.get("file").asText()).isEqualTo(file);
        assertThat(report.get("exit_code").asInt()).isEqualTo(1);
        assertThat(report.get("classes").asInt()).isEqualTo(7);
        assertThat(report.get("problems")).hasSize(1);
        assertThat(report.get("problems").get(0).asText()).startsWith(file + ":4:27 pointcuts[0].annotations.orders: "
                + "'return.orderCount'");
        assertThat(report.get("warnings")).hasSize(1);
        assertThat(report.get("warnings").get(0).asText()).startsWith(file + ":7:25 pointcuts[1].annotations.item: "
                + "'arg1.id'");
        JsonNode report2 = report.get("pointcuts").get(2);
        assertThat(report2.get("location").asText()).isEqualTo(file + ":8:5 pointcuts[2]");
        assertThat(report2.get("matches").get(0).get("class").asText()).isEqualTo("acme.app.Report");
        assertThat(report2.get("matches").get(0).get("methods").get(0).asText())
                .isEqualTo("render(int, java.lang.String)");
        assertThat(report.get("pointcuts").get(0).get("problems")).hasSize(1);
    }

    @Test
    void printsTheProblemsAndExitsNonZero() throws IOException {
        String file = yaml("pointcuts:", "  - classes: '**'", "  - classes: acme.app.Load", "    methods: 'run('");

        int exit = check(file);

        assertThat(exit).isEqualTo(1);
        assertThat(output()).contains(file + ":2:14 pointcuts[0].classes: '**' would match every class; name a "
                + "package, e.g. com.acme.**")
                .contains(file + ":4:14 pointcuts[1].methods: 'run(' has unbalanced parentheses")
                .contains(file + ": 3 problems, 0 valid pointcuts");
    }

    @Test
    void anUnreadableFileIsOneErrorAndExitsNonZero() {
        String file = dir.resolve("missing.yaml").toString();

        assertThat(check(file)).isEqualTo(1);
        assertThat(output()).startsWith(file + ": the config file does not exist");
    }

    @Test
    void aWrongCommandLineExitsWithTwo() {
        assertThat(check()).isEqualTo(2);
        assertThat(check("a.yaml", "b.yaml")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: java -jar xray-batch-agent.jar check");
    }
}
