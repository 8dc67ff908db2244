package dev.xraybatch.agent.instrument.methods;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xraybatch.agent.bootstrap.HookBridge;
import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.instrument.ModuleContext;
import dev.xraybatch.agent.trace.Tracer;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.matcher.ElementMatchers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pointcuts applied for real: a small app compiled at test time (its package must not be the agent's, which is
 * never traced) is loaded after the instrumentation is installed through a real AgentBuilder, and the documents
 * the tracer hands to export are read back.
 */
class MethodsInstrumentationTest {
    private static final String APP = String.join("\n",
            "package acme.app;",
            "import java.util.*;",
            "public class Loader {",
            "  public record Table(String name, int partitions) {}",
            "  public static class Request { private final String key; public Request(String k) { key = k; }",
            "    public String getKey() { return key; } public String toString() { throw new IllegalStateException(); } }",
            "  private final String owner = \"etl\";",
            "  public String load(Table table, int rows) { return normalize(table.name()) + rows; }",
            "  String normalize(String name) { return name.toUpperCase(); }",
            "  public List<String> list(int n) { List<String> l = new ArrayList<>(); for (int i = 0; i < n; i++) l.add(\"r\" + i); return l; }",
            "  public String fetch(Request r) { return r.getKey(); }",
            "  public void fail() { throw new IllegalStateException(\"boom\"); }",
            "  public int hot(int x) { return x + 1; }",
            "  public static String twice(String s) { return s + s; }",
            "}",
            "");

    private static Instrumentation instrumentation;
    private static Path appClasses;

    @TempDir
    Path dir;

    private final List<String> documents = new CopyOnWriteArrayList<>();
    private ResettableClassFileTransformer transformer;
    private Tracer tracer;

    /** Compiled once; each test loads it in a class loader of its own, so it is transformed afresh. */
    @BeforeAll
    static void compileAppAndInstallAgent(@TempDir Path build) throws IOException {
        Path sources = Files.createDirectories(build.resolve("src/acme/app"));
        Files.write(sources.resolve("Loader.java"), APP.getBytes(StandardCharsets.UTF_8));
        appClasses = Files.createDirectories(build.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, "-d", appClasses.toString(),
                sources.resolve("Loader.java").toString())).isZero();
        instrumentation = ByteBuddyAgent.install();
    }

    @AfterEach
    void uninstall() {
        if (transformer != null) {
            transformer.reset(instrumentation, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
        }
    }

    private Class<?> appWith(String... pointcutLines) throws Exception {
        Path yaml = dir.resolve("xray-batch.yaml");
        Files.write(yaml, (String.join("\n", pointcutLines) + "\n").getBytes(StandardCharsets.UTF_8));
        AgentConfig config = AgentConfig.read("config=" + yaml, Collections.emptyMap(), new Properties());
        assertThat(config.problems()).isEmpty();

        tracer = Tracer.start("1-5f000000-0123456789abcdef01234567", "job", Tracer.nowMicros(), null, "test", "0",
                emittable -> emittable.render(documents::add));
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.DescriptionStrategy.Default.POOL_FIRST)
                // The real installer ignores the JDK and the agent; here everything but the app keeps retransforming fast.
                .ignore(ElementMatchers.not(ElementMatchers.nameStartsWith("acme.")));
        ModuleContext context = ModuleContext.of(config, tracer);
        HookBridge.install(context.hooks);
        transformer = new MethodsInstrumentation().extend(builder, context).installOn(instrumentation);

        ClassLoader loader = new URLClassLoader(new URL[] {appClasses.toUri().toURL()}, getClass().getClassLoader());
        return Class.forName("acme.app.Loader", true, loader);
    }

    private static Object call(Object target, String method, Object... args) throws Exception {
        for (Method m : target.getClass().getMethods()) {
            if (m.getName().equals(method) && m.getParameterCount() == args.length) {
                try {
                    return m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    if (e.getCause() instanceof Exception) {
                        throw (Exception) e.getCause();
                    }
                    throw e;
                }
            }
        }
        throw new NoSuchMethodException(method);
    }

    private static Object table(Class<?> app, String name, int partitions) throws Exception {
        Class<?> table = Class.forName("acme.app.Loader$Table", true, app.getClassLoader());
        return table.getConstructor(String.class, int.class).newInstance(name, partitions);
    }

    /** Every subsegment of the trace (root and independent documents), by id, with a "parent" field added. */
    private Map<String, JsonNode> subsegments() throws IOException {
        tracer.closeRoot(Tracer.nowMicros());
        ObjectMapper json = new ObjectMapper();
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        for (String document : documents) {
            JsonNode node = json.readTree(document);
            if (node.path("in_progress").asBoolean(false)) {
                continue;
            }
            collect(node, node.path("parent_id").asText(null), byId);
        }
        return byId;
    }

    private static void collect(JsonNode node, String parentId, Map<String, JsonNode> byId) {
        if (node.has("type") || parentId != null && !node.has("trace_id")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("parent", parentId);
            byId.put(node.get("id").asText(), node);
        }
        for (JsonNode child : node.path("subsegments")) {
            collect(child, node.get("id").asText(), byId);
        }
    }

    private static List<JsonNode> named(Map<String, JsonNode> all, String name) {
        return all.values().stream().filter(n -> n.get("name").asText().equals(name)).collect(Collectors.toList());
    }

    @Test
    void nestedCallsBecomeNestedSubsegmentsWithDefaultNames() throws Exception {
        Class<?> app = appWith("pointcuts:", "  - classes: acme.app.Loader", "    methods: [load, normalize]");
        Object loader = app.getConstructor().newInstance();

        assertThat(call(loader, "load", table(app, "orders", 4), 7)).isEqualTo("ORDERS7");

        Map<String, JsonNode> all = subsegments();
        JsonNode load = named(all, "Loader.load").get(0);
        JsonNode normalize = named(all, "Loader.normalize").get(0);
        assertThat(normalize.get("parent").asText()).isEqualTo(load.get("id").asText());
        assertThat(all).hasSize(2);
    }

    @Test
    void nameTemplateAnnotationsAndMetadataFromArgumentsThisAndReturn() throws Exception {
        Class<?> app = appWith("pointcuts:",
                "  - classes: acme.app.Loader",
                "    methods: 'load(Loader$Table, int)'",
                "    name: '{method} {arg0.name} for {this.owner}'",
                "    annotations: {partitions: arg0.partitions, rows: arg1, result_length: return.length}",
                "    metadata: {table: arg0}",
                "  - classes: acme.app.Loader",
                "    methods: list",
                "    annotations: {count: return.size}");
        Object loader = app.getConstructor().newInstance();

        call(loader, "load", table(app, "orders", 4), 7);
        call(loader, "list", 3);

        Map<String, JsonNode> all = subsegments();
        JsonNode load = named(all, "load orders for etl").get(0);
        assertThat(load.get("annotations").get("partitions").asInt()).isEqualTo(4);
        assertThat(load.get("annotations").get("rows").asInt()).isEqualTo(7);
        assertThat(load.get("annotations").get("result_length").asInt()).isEqualTo(7);
        assertThat(load.get("metadata").get("default").get("table").asText()).isEqualTo("Table[name=orders, partitions=4]");
        assertThat(named(all, "Loader.list").get(0).get("annotations").get("count").asInt()).isEqualTo(3);
    }

    @Test
    void aThrowingToStringAndAGetterAreReadSafely() throws Exception {
        Class<?> app = appWith("pointcuts:",
                "  - classes: acme.app.Loader",
                "    methods: fetch",
                "    name: 'fetch {arg0.key}'",
                "    annotations: {request: arg0}");
        Object loader = app.getConstructor().newInstance();
        Class<?> request = Class.forName("acme.app.Loader$Request", true, app.getClassLoader());

        assertThat(call(loader, "fetch", request.getConstructor(String.class).newInstance("k-1"))).isEqualTo("k-1");

        JsonNode fetch = named(subsegments(), "fetch k-1").get(0);
        assertThat(fetch.get("annotations").get("request").asText())
                .isEqualTo("<acme.app.Loader$Request.toString threw java.lang.IllegalStateException>");
    }

    @Test
    void anExceptionIsRecordedAndStillReachesTheCaller() throws Exception {
        Class<?> app = appWith("pointcuts:", "  - classes: acme.app.*", "    methods: fail");
        Object loader = app.getConstructor().newInstance();

        Exception thrown = null;
        try {
            call(loader, "fail");
        } catch (IllegalStateException e) {
            thrown = e;
        }

        assertThat(thrown).hasMessage("boom");
        JsonNode fail = named(subsegments(), "Loader.fail").get(0);
        assertThat(fail.get("fault").asBoolean()).isTrue();
        assertThat(fail.get("cause").get("exceptions").get(0).get("message").asText()).isEqualTo("boom");
    }

    @Test
    void exceptionsNotRecordedWhenSwitchedOff() throws Exception {
        Class<?> app = appWith("pointcuts:", "  - classes: acme.app.*", "    methods: fail",
                "    record_exceptions: false");
        Object loader = app.getConstructor().newInstance();

        try {
            call(loader, "fail");
        } catch (IllegalStateException expected) {
            // the job sees its own exception
        }

        JsonNode fail = named(subsegments(), "Loader.fail").get(0);
        assertThat(fail.get("fault").asBoolean()).isTrue();
        assertThat(fail.has("cause")).isFalse();
    }

    @Test
    void aHotMethodPastItsLimitIsSummarized() throws Exception {
        Class<?> app = appWith("pointcuts:", "  - classes: acme.app.Loader", "    methods: hot", "    limit: 3");
        Object loader = app.getConstructor().newInstance();

        for (int i = 0; i < 1000; i++) {
            call(loader, "hot", i);
        }

        List<JsonNode> hot = named(subsegments(), "Loader.hot");
        assertThat(hot).hasSize(4);
        assertThat(hot.toString()).contains("997");
    }

    @Test
    void staticMethodsAndVisibility() throws Exception {
        Class<?> app = appWith("pointcuts:", "  - classes: acme.app.Loader", "    visibility: package",
                "  - classes: acme.app.Loader", "    methods: twice", "    name: 'twice {arg0} {this}'");
        Object loader = app.getConstructor().newInstance();

        call(loader, "load", table(app, "t", 1), 1);
        call(loader, "twice", "ab");

        Map<String, JsonNode> all = subsegments();
        assertThat(all.values().stream().map(n -> n.get("name").asText()))
                .containsExactlyInAnyOrder("Loader.normalize", "twice ab null");
    }

    @Test
    void nothingIsTracedOutsideThePointcuts() throws Exception {
        Class<?> app = appWith("pointcuts:", "  - classes: acme.other.**");
        Object loader = app.getConstructor().newInstance();

        call(loader, "load", table(app, "t", 1), 1);

        assertThat(subsegments()).isEmpty();
        assertThat(new ArrayList<>(documents)).isNotEmpty();
    }
}
