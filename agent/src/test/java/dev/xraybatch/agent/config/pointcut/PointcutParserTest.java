package dev.xraybatch.agent.config.pointcut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.xraybatch.agent.config.AgentConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pointcut syntax, read through the real loader: one test per form, one per kind of mistake. */
class PointcutParserTest {
    @TempDir
    Path dir;

    private String path;

    private AgentConfig load(String... lines) throws IOException {
        Path file = dir.resolve("xray-batch.yaml");
        Files.write(file, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        path = file.toString();
        return AgentConfig.read("config=" + path, Collections.emptyMap(), new Properties());
    }

    private Pointcut only(AgentConfig config) {
        assertThat(config.problems()).isEmpty();
        assertThat(config.pointcuts()).hasSize(1);
        return config.pointcuts().get(0);
    }

    // ---- forms ----

    @Test
    void minimalPointcutTracesEveryMethodOfTheClassesWithDefaults() throws IOException {
        Pointcut p = only(load("pointcuts:", "  - classes: com.acme.Loader"));

        assertThat(p.matchesClassName("com.acme.Loader")).isTrue();
        assertThat(p.matchesClassName("com.acme.LoaderTest")).isFalse();
        assertThat(p.methods()).extracting(MethodPattern::text).containsExactly("*");
        assertThat(p.name().text()).isEqualTo("{class}.{method}");
        assertThat(p.limit()).isEqualTo(100);
        assertThat(p.recordExceptions()).isTrue();
        assertThat(p.visibilities()).containsExactlyInAnyOrder(Visibility.values());
        assertThat(p.capturesArguments()).isFalse();
        assertThat(p.capturesReturn()).isFalse();
        assertThat(p.location()).isEqualTo(path + ":2:5 pointcuts[0]");
    }

    @Test
    void classesWithinAPackage() throws IOException {
        Pointcut p = only(load("pointcuts:", "  - classes: com.acme.etl.*"));

        assertThat(p.matchesClassName("com.acme.etl.Step")).isTrue();
        assertThat(p.matchesClassName("com.acme.etl.Step$Inner")).isTrue();
        assertThat(p.matchesClassName("com.acme.etl.sub.Step")).isFalse();
        assertThat(p.matchesClassName("com.acme.etlx.Step")).isFalse();
    }

    @Test
    void classesAcrossSubPackages() throws IOException {
        Pointcut p = only(load("pointcuts:", "  - classes: com.acme.**"));

        assertThat(p.matchesClassName("com.acme.Step")).isTrue();
        assertThat(p.matchesClassName("com.acme.etl.deep.Step")).isTrue();
        assertThat(p.matchesClassName("com.acmex.Step")).isFalse();
    }

    @Test
    void wildcardWithinANameAndBelowAPackage() throws IOException {
        Pointcut p = only(load("pointcuts:", "  - classes: com.acme.**.*Job"));

        assertThat(p.matchesClassName("com.acme.NightlyJob")).isTrue();
        assertThat(p.matchesClassName("com.acme.etl.NightlyJob")).isTrue();
        assertThat(p.matchesClassName("com.acme.etl.NightlyJobs")).isFalse();
        assertThat(p.matchesClassName("org.acme.NightlyJob")).isFalse();
    }

    @Test
    void aListOfClassPatternsAndExclusions() throws IOException {
        Pointcut p = only(load("pointcuts:",
                "  - classes: [com.acme.etl.**, com.acme.Loader]",
                "    exclude:",
                "      - com.acme.etl.generated.**",
                "      - com.acme.etl.*Test"));

        assertThat(p.matchesClassName("com.acme.Loader")).isTrue();
        assertThat(p.matchesClassName("com.acme.etl.Step")).isTrue();
        assertThat(p.matchesClassName("com.acme.etl.generated.Row")).isFalse();
        assertThat(p.matchesClassName("com.acme.etl.StepTest")).isFalse();
    }

    @Test
    void jdkAndAgentClassesAreNeverMatchedEvenByBroadPatterns() throws IOException {
        Pointcut p = only(load("pointcuts:", "  - classes: '**.*Map'"));

        assertThat(p.matchesClassName("com.acme.RowMap")).isTrue();
        assertThat(p.matchesClassName("java.util.HashMap")).isFalse();
        assertThat(p.matchesClassName("dev.xraybatch.agent.trace.SomeMap")).isFalse();
    }

    @Test
    void subtypesAndClassAnnotations() throws IOException {
        Pointcut p = only(load("pointcuts:",
                "  - classes: com.acme.**",
                "    subtypes_of: com.acme.etl.Step",
                "    classes_annotated_with: [com.acme.Traced, com.acme.Job]"));

        assertThat(p.subtypesOf()).containsExactly("com.acme.etl.Step");
        assertThat(p.classesAnnotatedWith()).containsExactly("com.acme.Traced", "com.acme.Job");
    }

    @Test
    void methodNamePatternsArgumentTypesAnnotationsAndVisibility() throws IOException {
        Pointcut p = only(load("pointcuts:",
                "  - classes: com.acme.**",
                "    methods: ['process*', 'load(java.lang.String, int)', 'run()', 'put(String, *)', 'write(byte[])']",
                "    methods_annotated_with: com.acme.Timed",
                "    visibility: [public, protected]"));

        MethodPattern process = p.methods().get(0);
        assertThat(process.matchesName("processBatch")).isTrue();
        assertThat(process.matchesName("reprocess")).isFalse();
        assertThat(process.argumentTypes()).isNull();

        MethodPattern load = p.methods().get(1);
        assertThat(load.matchesName("load")).isTrue();
        assertThat(load.matchesArguments(List.of("java.lang.String", "int"))).isTrue();
        assertThat(load.matchesArguments(List.of("java.lang.String", "long"))).isFalse();
        assertThat(load.matchesArguments(List.of("java.lang.String"))).isFalse();

        assertThat(p.methods().get(2).matchesArguments(List.of())).isTrue();
        assertThat(p.methods().get(2).matchesArguments(List.of("int"))).isFalse();
        assertThat(p.methods().get(3).matchesArguments(List.of("java.lang.String", "com.acme.Row"))).isTrue();
        assertThat(p.methods().get(3).matchesArguments(List.of("java.lang.Object", "com.acme.Row"))).isFalse();
        assertThat(p.methods().get(4).matchesArguments(List.of("byte[]"))).isTrue();

        assertThat(p.methodsAnnotatedWith()).containsExactly("com.acme.Timed");
        assertThat(p.visibilities()).containsExactlyInAnyOrder(Visibility.PUBLIC, Visibility.PROTECTED);
    }

    @Test
    void nameTemplateOverArgumentsThisClassAndMethod() throws IOException {
        Pointcut p = only(load("pointcuts:",
                "  - classes: com.acme.**",
                "    name: '{package}.{class}.{method} {arg1.table} by {this.owner}'"));

        assertThat(p.name().parts()).extracting(NameTemplate.Part::kind).containsExactly(
                NameTemplate.Part.Kind.PACKAGE, NameTemplate.Part.Kind.TEXT, NameTemplate.Part.Kind.CLASS,
                NameTemplate.Part.Kind.TEXT, NameTemplate.Part.Kind.METHOD, NameTemplate.Part.Kind.TEXT,
                NameTemplate.Part.Kind.VALUE, NameTemplate.Part.Kind.TEXT, NameTemplate.Part.Kind.VALUE);
        assertThat(p.name().parts().get(6).path().argumentIndex()).isEqualTo(1);
        assertThat(p.name().parts().get(6).path().steps()).containsExactly("table");
        assertThat(p.name().parts().get(8).path().root()).isEqualTo(ValuePath.Root.THIS);
        assertThat(p.capturesArguments()).isTrue();
        assertThat(p.minimumArguments()).isEqualTo(2);
        assertThat(p.capturesThis()).isTrue();
    }

    @Test
    void annotationsAndMetadataFromArgumentsAndTheReturnValue() throws IOException {
        Pointcut p = only(load("pointcuts:",
                "  - classes: com.acme.**",
                "    annotations:",
                "      table: arg0.name",
                "      rows: return.size",
                "    metadata:",
                "      request: arg1"));

        assertThat(p.annotations()).containsOnlyKeys("table", "rows");
        assertThat(p.annotations().get("rows").root()).isEqualTo(ValuePath.Root.RETURN);
        assertThat(p.annotations().get("rows").steps()).containsExactly("size");
        assertThat(p.metadata().get("request").argumentIndex()).isEqualTo(1);
        assertThat(p.capturesReturn()).isTrue();
        assertThat(p.minimumArguments()).isEqualTo(2);
    }

    @Test
    void exceptionsAndLimit() throws IOException {
        Pointcut p = only(load("pointcuts:",
                "  - classes: com.acme.**",
                "    record_exceptions: false",
                "    limit: 5"));

        assertThat(p.recordExceptions()).isFalse();
        assertThat(p.limit()).isEqualTo(5);
    }

    @Test
    void settingsAndPointcutsLiveInOneFile() throws IOException {
        AgentConfig config = load("service_name: etl", "pointcuts:", "  - classes: a.B", "  - classes: c.D");

        assertThat(config.problems()).isEmpty();
        assertThat(config.serviceName()).isEqualTo("etl");
        assertThat(config.pointcuts()).extracting(Pointcut::index).containsExactly(0, 1);
    }

    // ---- mistakes: reported at file:line:column with the path, the entry skipped, the rest applies ----

    private void assertProblems(AgentConfig config, String... expected) {
        String[] withPath = new String[expected.length];
        for (int i = 0; i < expected.length; i++) {
            withPath[i] = path + ":" + expected[i];
        }
        assertThat(config.problems()).containsExactly(withPath);
        assertThat(config.tracingEnabled()).isTrue();
    }

    @Test
    void unknownKey() throws IOException {
        AgentConfig config = load("pointcuts:", "  - classes: a.B", "    method: run", "  - classes: c.D");

        assertProblems(config,
                "3:5 pointcuts[0].method: unknown key; did you mean 'methods'?",
                "2:3 pointcuts: 1 of 2 pointcuts skipped because of the problems above; the others apply");
        assertThat(config.pointcuts()).extracting(Pointcut::index).containsExactly(1);
    }

    @Test
    void unknownKeyFarFromAnyKnownOne() throws IOException {
        AgentConfig config = load("pointcuts:", "  - classes: a.B", "    frobnicate: yes");

        assertThat(config.problems().get(0)).isEqualTo(path + ":3:5 pointcuts[0].frobnicate: unknown key; a "
                + "pointcut has the keys classes, exclude, subtypes_of, classes_annotated_with, methods, "
                + "methods_annotated_with, visibility, name, annotations, metadata, record_exceptions, limit");
    }

    @Test
    void missingClasses() throws IOException {
        assertProblems(load("pointcuts:", "  - methods: run"),
                "2:5 pointcuts[0]: 'classes' is missing; every pointcut names its classes, e.g. classes: com.acme.etl.**",
                "2:3 pointcuts: 1 of 1 pointcuts skipped because of the problems above; the others apply");
    }

    @Test
    void pointcutsIsNotAList() throws IOException {
        assertProblems(load("pointcuts: com.acme.**"),
                "1:12 pointcuts: expected a list of pointcuts (entries starting with '- classes: ...') but found 'com.acme.**'");
    }

    @Test
    void entryIsNotAMapping() throws IOException {
        assertProblems(load("pointcuts:", "  - com.acme.**"),
                "2:5 pointcuts[0]: expected a pointcut (key: value lines such as classes: com.acme.**) but found 'com.acme.**'",
                "2:3 pointcuts: 1 of 1 pointcuts skipped because of the problems above; the others apply");
    }

    @Test
    void wrongTypes() throws IOException {
        AgentConfig config = load("pointcuts:",
                "  - classes: {a: b}",
                "  - classes: a.B",
                "    limit: many",
                "  - classes: a.B",
                "    record_exceptions: sometimes",
                "  - classes: a.B",
                "    annotations: [arg0]",
                "  - classes: a.B",
                "    name: [x]",
                "  - classes: a.B",
                "    limit: 0");

        assertProblems(config,
                "2:14 pointcuts[0].classes: expected a class pattern such as com.acme.etl.* or a list of them but found a section (key: value lines)",
                "4:12 pointcuts[1].limit: expected a whole number of at least 1 but found 'many'; write e.g. limit: 100",
                "6:24 pointcuts[2].record_exceptions: expected true or false but found 'sometimes'",
                "8:18 pointcuts[3].annotations: expected key: path lines such as 'rows: return.size' but found a list",
                "10:11 pointcuts[4].name: expected a name such as \"process {arg0}\" but found a list",
                "12:12 pointcuts[5].limit: expected a whole number of at least 1 but found the number 0; write e.g. limit: 100",
                "2:3 pointcuts: 6 of 6 pointcuts skipped because of the problems above; the others apply");
    }

    @Test
    void malformedClassPatterns() throws IOException {
        AgentConfig config = load("pointcuts:",
                "  - classes: [com..acme, 'com.acme**', com.ac-me.X, 'com.acme.']");

        assertProblems(config,
                "2:15 pointcuts[0].classes[0]: 'com..acme' has an empty name between dots; write e.g. com.acme.etl.*",
                "2:26 pointcuts[0].classes[1]: 'com.acme**' uses ** inside a name; ** stands alone between dots (com.acme.**), * matches within a name (com.acme.*Job)",
                "2:40 pointcuts[0].classes[2]: 'com.ac-me.X' is not a class pattern: 'ac-me' is not a Java name; use letters, digits, _, $ and the wildcards * and **",
                "2:53 pointcuts[0].classes[3]: 'com.acme.' has an empty name between dots; write e.g. com.acme.etl.*",
                "2:3 pointcuts: 1 of 1 pointcuts skipped because of the problems above; the others apply");
    }

    @Test
    void patternMatchingEveryClass() throws IOException {
        assertProblems(load("pointcuts:", "  - classes: '**'", "  - classes: '*.**'"),
                "2:14 pointcuts[0].classes: '**' would match every class; name a package, e.g. com.acme.**",
                "3:14 pointcuts[1].classes: '*.**' would match every class; name a package, e.g. com.acme.**",
                "2:3 pointcuts: 2 of 2 pointcuts skipped because of the problems above; the others apply");
    }

    @Test
    void pointcutOnJdkOrAgentClasses() throws IOException {
        assertProblems(load("pointcuts:",
                        "  - classes: java.util.HashMap",
                        "  - classes: dev.xraybatch.agent.**",
                        "  - classes: [sun.misc.*, jdk.internal.**, com.sun.net.**]"),
                "2:14 pointcuts[0].classes: 'java.util.HashMap' names JDK or agent classes, which are never traced; name your own classes instead",
                "3:14 pointcuts[1].classes: 'dev.xraybatch.agent.**' names JDK or agent classes, which are never traced; name your own classes instead",
                "4:15 pointcuts[2].classes[0]: 'sun.misc.*' names JDK or agent classes, which are never traced; name your own classes instead",
                "4:27 pointcuts[2].classes[1]: 'jdk.internal.**' names JDK or agent classes, which are never traced; name your own classes instead",
                "4:44 pointcuts[2].classes[2]: 'com.sun.net.**' names JDK or agent classes, which are never traced; name your own classes instead",
                "2:3 pointcuts: 3 of 3 pointcuts skipped because of the problems above; the others apply");
    }

    @Test
    void ourOwnTestPackagesAreNotMistakenForTheAgent() throws IOException {
        Pointcut p = only(load("pointcuts:", "  - classes: dev.xraybatch.agenttests.**"));

        assertThat(p.matchesClassName("dev.xraybatch.agenttests.pointcuts.App")).isTrue();
    }

    @Test
    void wildcardWhereAnExactNameIsNeeded() throws IOException {
        assertProblems(load("pointcuts:", "  - classes: com.acme.**", "    subtypes_of: com.acme.*Step",
                        "    classes_annotated_with: 'com acme'"),
                "3:18 pointcuts[0].subtypes_of: 'com.acme.*Step' has a wildcard; give one exact class name here, e.g. com.acme.etl.Step",
                "4:29 pointcuts[0].classes_annotated_with: 'com acme' is not a class name; write a fully qualified name, e.g. com.acme.etl.Step",
                "2:3 pointcuts: 1 of 1 pointcuts skipped because of the problems above; the others apply");
    }

    @Test
    void malformedMethodPatterns() throws IOException {
        AgentConfig config = load("pointcuts:",
                "  - classes: com.acme.**",
                "    methods: ['load(String', '<init>', 'Loader.load', 'lo-ad', 'put(String, 1x)', '(int)']");

        assertProblems(config,
                "3:15 pointcuts[0].methods[0]: 'load(String' has unbalanced parentheses; write name(Type, Type), e.g. load(java.lang.String, int)",
                "3:30 pointcuts[0].methods[1]: constructors and type initializers are never traced; name a method instead",
                "3:40 pointcuts[0].methods[2]: 'Loader.load' is a method pattern with a dot; put the class in 'classes' and only the method name here",
                "3:55 pointcuts[0].methods[3]: 'lo-ad' is not a method pattern: '-' cannot appear in a method name; use letters, digits, _, $ and *",
                "3:64 pointcuts[0].methods[4]: 'put(String, 1x)': '1x' is not an argument type; write a class name (java.lang.String or String), a primitive (int), an array (byte[]) or * for any one argument",
                "3:83 pointcuts[0].methods[5]: '(int)' has no method name; write e.g. process* or load(String)",
                "2:3 pointcuts: 1 of 1 pointcuts skipped because of the problems above; the others apply");
    }

    @Test
    void unknownVisibility() throws IOException {
        assertProblems(load("pointcuts:", "  - classes: com.acme.**", "    visibility: internal"),
                "3:17 pointcuts[0].visibility: 'internal' is not a visibility; use public, protected, package or private",
                "2:3 pointcuts: 1 of 1 pointcuts skipped because of the problems above; the others apply");
    }

    @Test
    void malformedNameTemplates() throws IOException {
        AgentConfig config = load("pointcuts:",
                "  - classes: a.B",
                "    name: 'load {arg0'",
                "  - classes: a.B",
                "    name: 'load arg0}'",
                "  - classes: a.B",
                "    name: 'load {table}'",
                "  - classes: a.B",
                "    name: 'load {return.size}'",
                "  - classes: a.B",
                "    name: ''");

        assertProblems(config,
                "3:11 pointcuts[0].name: 'load {arg0' has a '{' without '}'; placeholders are written {arg0}, {class}, {method}",
                "5:11 pointcuts[1].name: 'load arg0}' has a '}' without '{'; placeholders are written {arg0}, {class}, {method}",
                "7:11 pointcuts[2].name: 'load {table}': {table} is not a placeholder; use {class}, {package}, {method}, {this...} or {argN...}, e.g. {arg0.key}",
                "9:11 pointcuts[3].name: 'load {return.size}': the name is set when the method starts, before it returns; put return values in annotations or metadata",
                "11:11 pointcuts[4].name: the name is empty; write e.g. \"{class}.{method}\" or \"process {arg0}\"",
                "2:3 pointcuts: 5 of 5 pointcuts skipped because of the problems above; the others apply");
    }

    @Test
    void malformedValuePathsAndAnnotationKeys() throws IOException {
        AgentConfig config = load("pointcuts:",
                "  - classes: a.B",
                "    annotations:",
                "      table: key",
                "      row-count: return.size",
                "      deep: arg0.a.b.c.d.e",
                "      odd: arg0..name",
                "    metadata:",
                "      empty:");

        assertProblems(config,
                "4:14 pointcuts[0].annotations.table: 'key' must start with arg0, arg1, ..., this or return, e.g. arg0.key or return.size",
                "5:7 pointcuts[0].annotations.row-count: 'row-count' is not an annotation key; X-Ray allows letters, digits and _ only, e.g. row_count",
                "6:13 pointcuts[0].annotations.deep: 'arg0.a.b.c.d.e' is longer than 4 steps; keep paths short, e.g. arg0.table.name",
                "7:12 pointcuts[0].annotations.odd: 'arg0..name': '' is not a property name; write names separated by dots, e.g. arg0.key",
                "9:13 pointcuts[0].metadata.empty: expected a path such as arg0.key or return.size but found nothing",
                "2:3 pointcuts: 1 of 1 pointcuts skipped because of the problems above; the others apply");
    }

    @Test
    void templateNamingAnArgumentThatDoesNotExist() throws IOException {
        AgentConfig config = load("pointcuts:",
                "  - classes: a.B",
                "    methods: ['load(String)', 'save(String, int)']",
                "    name: 'load {arg1}'",
                "    annotations: {first: arg0, third: arg2.size}",
                "  - classes: a.B",
                "    methods: 'run()'",
                "    name: 'run {arg0}'");

        assertProblems(config,
                "4:11 pointcuts[0].name: arg1 names an argument that does not exist: 'load(String)' takes 1 argument; use arg0",
                "5:39 pointcuts[0].annotations.third: arg2 names an argument that does not exist: 'load(String)' takes 1 argument; use arg0",
                "8:11 pointcuts[1].name: arg0 names an argument that does not exist: 'run()' takes no arguments; read this or return instead",
                "2:3 pointcuts: 2 of 2 pointcuts skipped because of the problems above; the others apply");
    }

    @Test
    void duplicateKeyInAPointcut() throws IOException {
        assertProblems(load("pointcuts:", "  - classes: a.B", "    limit: 2", "    limit: 3"),
                "4:5 pointcuts[0].limit: appears twice; keep one",
                "2:3 pointcuts: 1 of 1 pointcuts skipped because of the problems above; the others apply");
    }

    @Test
    void oneBadEntrySkippedTheOthersApply() throws IOException {
        AgentConfig config = load("pointcuts:",
                "  - classes: a.B",
                "  - classes: '*'",
                "  - classes: c.D");

        assertThat(config.pointcuts()).extracting(Pointcut::index).containsExactly(0, 2);
        assertThat(config.problems()).hasSize(2);
    }
}
