package dev.xraybatch.agent.cli.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

        assertThat(exit).isZero();
        assertThat(output()).isEqualTo(String.join(System.lineSeparator(),
                file + ": 0 problems, 3 valid pointcuts",
                "class path: 5 classes",
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
                "  matches nothing on this class path",
                ""));
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
