package dev.xraybatch.agenttests.jar;

import dev.xraybatch.testsupport.ChildJvm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built agent jar holds only the agent: its own packages (dependencies relocated under
 * {@code dev.xraybatch.agent.shaded}), its bootstrap bridge kept as {@code .classdata}, its Python module
 * ({@code xray_batch/} and the {@code sitecustomize.py} that turns it on, at the root, where Python's zipimport looks),
 * and META-INF; every class
 * loads on Java 8; the manifest makes it an agent and a command; service files name relocated classes only. A job
 * that carries its own Jackson, Byte Buddy or AWS SDK must never meet ours.
 */
class JarContentsIT {
    private static final String OURS = "dev/xraybatch/agent/";
    private static final String BOOTSTRAP = "xray-batch-bootstrap/";
    private static final String PYTHON_MODULE = "xray_batch/";
    private static final String PYTHON_START_UP = "sitecustomize.py";
    private static final List<String> ALLOWED_ROOTS = List.of(OURS, "META-INF/", BOOTSTRAP, PYTHON_MODULE);
    private static final int JAVA_8_MAJOR = 52;
    /** Packages a class may refer to without them being in the jar: those of the JDK's own modules. */
    private static final Set<String> JDK_PACKAGES = ModuleFinder.ofSystem().findAll().stream()
            .flatMap(module -> module.descriptor().packages().stream())
            .map(name -> name.replace('.', '/') + "/")
            .collect(Collectors.toSet());
    /**
     * References to classes that are neither ours nor the JDK's, on purpose, each with why. Anything else found is
     * a leak: a dependency relocation missed.
     */
    private static final Map<String, String> TOLERATED = Map.of(
            // The agent's Spark plugin implements the application's Spark plugin API: it must not be relocated.
            "org/apache/spark/api/plugin/", "the Spark plugin API the agent's XRaySparkPlugin implements",
            // JNA is not bundled: relocating these would only make Byte Buddy's JNA-based options unreachable.
            "com/sun/jna/", "Byte Buddy's optional JNA support (ClassInjector.UsingJna, attach emulation)");

    private static Path jar;
    private static final Map<String, byte[]> ENTRIES = new TreeMap<>();
    private static Manifest manifest;

    @BeforeAll
    static void readJar() throws IOException {
        String property = System.getProperty(ChildJvm.AGENT_JAR_PROPERTY);
        assertThat(property).as("system property " + ChildJvm.AGENT_JAR_PROPERTY).isNotBlank();
        jar = Paths.get(property);
        assertThat(jar).as("the agent jar; build it first (mvn -pl agent package)").isRegularFile();
        try (JarFile file = new JarFile(jar.toFile())) {
            manifest = file.getManifest();
            for (JarEntry entry : Collections.list(file.entries())) {
                try (InputStream in = file.getInputStream(entry)) {
                    ENTRIES.put(entry.getName(), in.readAllBytes());
                }
            }
        }
    }

    @Test
    void everyEntryIsOursOrMetaInf() {
        List<String> offenders = ENTRIES.keySet().stream()
                .filter(name -> ALLOWED_ROOTS.stream().noneMatch(name::startsWith))
                .filter(name -> !isDirectoryAbove(name) && !name.equals(PYTHON_START_UP))
                .collect(Collectors.toList());
        assertThat(offenders).as("entries outside " + ALLOWED_ROOTS + " in " + jar).isEmpty();
    }

    @Test
    void thePythonModuleIsPythonSourceOnlyAtTheRoot() {
        List<String> python = ENTRIES.keySet().stream().filter(name -> name.startsWith(PYTHON_MODULE)
                && !name.endsWith("/")).collect(Collectors.toList());
        assertThat(python).contains(PYTHON_MODULE + "__init__.py")
                .allSatisfy(name -> assertThat(name).endsWith(".py"));
        assertThat(ENTRIES).containsKey(PYTHON_START_UP);
    }

    @Test
    void classesLiveOnlyInOurPackagesAndReferOnlyToThemAndTheJdk() {
        List<String> misplaced = ENTRIES.keySet().stream()
                .filter(name -> name.endsWith(".class") && !name.startsWith(OURS))
                .collect(Collectors.toList());
        assertThat(misplaced).as("class files outside " + OURS).isEmpty();

        // A reference relocation missed would load the application's copy of a class instead of ours.
        Map<String, List<String>> unrelocated = new TreeMap<>();
        ENTRIES.forEach((name, bytes) -> {
            if (isClass(name)) {
                for (String referenced : ClassFile.classReferences(bytes)) {
                    if (!referenced.startsWith(OURS) && !JDK_PACKAGES.contains(packageOf(referenced))
                            && TOLERATED.keySet().stream().noneMatch(referenced::startsWith)) {
                        unrelocated.computeIfAbsent(referenced, k -> new ArrayList<>()).add(name);
                    }
                }
            }
        });
        assertThat(describe(unrelocated)).as("classes referred to outside our packages and the JDK, besides "
                + TOLERATED).isEmpty();
    }

    /**
     * The boot-loader bridge is defined into the boot loader, where only the JDK is: a reference to anything else
     * would fail there, at the first advice call. And it ships only as {@code .classdata}: a {@code .class} copy
     * could load a second bridge in the agent's loader, which the advice never calls.
     */
    @Test
    void theBootstrapBridgeRefersOnlyToTheJdkAndItselfAndShipsHidden() {
        List<String> unhidden = ENTRIES.keySet().stream()
                .filter(name -> name.startsWith(OURS + "bootstrap/") && name.endsWith(".class"))
                .collect(Collectors.toList());
        assertThat(unhidden).as("bootstrap classes shipped as .class").isEmpty();
        Map<String, List<String>> outside = new TreeMap<>();
        ENTRIES.forEach((name, bytes) -> {
            if (name.startsWith(BOOTSTRAP) && name.endsWith(".classdata")) {
                for (String referenced : ClassFile.classReferences(bytes)) {
                    if (!referenced.startsWith("java/") && !referenced.startsWith(OURS + "bootstrap/")) {
                        outside.computeIfAbsent(referenced, k -> new ArrayList<>()).add(name);
                    }
                }
            }
        });
        assertThat(describe(outside)).as("classes the bootstrap bridge refers to besides java/* and itself")
                .isEmpty();
    }

    /**
     * The shared advice shapes are inlined into the application's classes, whose loader sees the boot loader but
     * not the agent: their code may call only the bootstrap bridge and the JDK. Byte Buddy's annotation types are
     * named too (as nested classes), but no code calls them.
     */
    @Test
    void adviceShapesCallOnlyTheBootstrapBridge() {
        String shapes = OURS + "instrument/hook/advice/";
        // Named by the annotations (Advice.OnMethodEnter, Assigner.Typing) as nested types: never loaded by a call.
        String byteBuddy = OURS + "shaded/net/bytebuddy/";
        List<String> found = new ArrayList<>();
        Map<String, List<String>> outside = new TreeMap<>();
        ENTRIES.forEach((name, bytes) -> {
            if (name.startsWith(shapes) && name.endsWith(".class")) {
                found.add(name);
                String self = name.substring(0, name.length() - ".class".length());
                for (String referenced : ClassFile.classReferences(bytes)) {
                    if (!referenced.equals(self) && !referenced.startsWith("java/")
                            && !referenced.startsWith(OURS + "bootstrap/")
                            && !referenced.startsWith(byteBuddy)) {
                        outside.computeIfAbsent(referenced, k -> new ArrayList<>()).add(name);
                    }
                }
            }
        });
        assertThat(found).as("advice shapes in " + shapes).isNotEmpty();
        assertThat(describe(outside)).as("classes advice shapes refer to besides java/* and the bridge").isEmpty();
    }

    @Test
    void everyClassLoadsOnJava8() {
        Map<String, Integer> tooNew = new TreeMap<>();
        int classes = 0;
        for (Map.Entry<String, byte[]> entry : ENTRIES.entrySet()) {
            if (isClass(entry.getKey())) {
                classes++;
                int major = ClassFile.majorVersion(entry.getValue());
                if (major > JAVA_8_MAJOR) {
                    tooNew.put(entry.getKey(), major);
                }
            }
        }
        assertThat(classes).as("class files in the jar").isGreaterThan(100);
        assertThat(ENTRIES.keySet()).as("the bootstrap bridge, kept as .classdata")
                .anyMatch(name -> name.startsWith(BOOTSTRAP) && name.endsWith(".classdata"));
        assertThat(tooNew).as("class files newer than Java 8 (major " + JAVA_8_MAJOR + ")").isEmpty();
    }

    @Test
    void theManifestMakesItAnAgentAndACommand() {
        assertThat(manifest).as("META-INF/MANIFEST.MF").isNotNull();
        Attributes main = manifest.getMainAttributes();
        assertThat(main.getValue("Premain-Class")).isEqualTo("dev.xraybatch.agent.AgentMain");
        assertThat(main.getValue("Agent-Class")).isEqualTo("dev.xraybatch.agent.AgentMain");
        assertThat(main.getValue("Can-Retransform-Classes")).isEqualTo("true");
        assertThat(main.getValue("Main-Class")).startsWith("dev.xraybatch.agent.");
        for (String attribute : List.of("Premain-Class", "Agent-Class", "Main-Class")) {
            String className = main.getValue(attribute);
            assertThat(ENTRIES).as(attribute + " names a class in the jar").containsKey(className.replace('.', '/') + ".class");
        }
    }

    @Test
    void serviceFilesNameOnlyRelocatedClassesThatAreInTheJar() {
        List<String> services = ENTRIES.keySet().stream()
                .filter(name -> name.startsWith("META-INF/services/") && !name.endsWith("/"))
                .collect(Collectors.toList());
        assertThat(services).as("service files (the relocated AWS SDK finds its HTTP client through one)").isNotEmpty();
        List<String> offenders = new ArrayList<>();
        for (String service : services) {
            String interfaceName = service.substring("META-INF/services/".length());
            if (!interfaceName.startsWith("dev.xraybatch.agent.")) {
                offenders.add(service + " (the service's own name)");
            }
            for (String line : new String(ENTRIES.get(service), StandardCharsets.UTF_8).split("\n")) {
                String provider = line.replaceAll("#.*", "").trim();
                if (provider.isEmpty()) {
                    continue;
                }
                if (!provider.startsWith("dev.xraybatch.agent.")) {
                    offenders.add(service + ": " + provider);
                } else if (!ENTRIES.containsKey(provider.replace('.', '/') + ".class")) {
                    offenders.add(service + ": " + provider + " (not in the jar)");
                }
            }
        }
        assertThat(offenders).as("service files naming unrelocated or missing classes").isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private static boolean isClass(String name) {
        return name.endsWith(".class") || name.endsWith(".classdata");
    }

    private static String packageOf(String internalName) {
        return internalName.substring(0, internalName.lastIndexOf('/') + 1);
    }

    /** {@code dev/} and {@code dev/xraybatch/}: directory entries on the way to an allowed root. */
    private static boolean isDirectoryAbove(String name) {
        return name.endsWith("/") && ALLOWED_ROOTS.stream().anyMatch(root -> root.startsWith(name));
    }

    private static List<String> describe(Map<String, List<String>> referencedBy) {
        return referencedBy.entrySet().stream()
                .map(e -> e.getKey() + " (from " + e.getValue().size() + " class(es), e.g. " + e.getValue().get(0) + ")")
                .collect(Collectors.toList());
    }

    /** Just enough of the class-file format (JVMS 4.1, 4.4) to read the version and the classes referred to. */
    static final class ClassFile {
        private ClassFile() {
        }

        static int majorVersion(byte[] bytes) {
            try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
                if (in.readInt() != 0xCAFEBABE) {
                    throw new AssertionError("not a class file");
                }
                in.readUnsignedShort();
                return in.readUnsignedShort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Internal names of the CONSTANT_Class entries, array types reduced to their element type. */
        static TreeSet<String> classReferences(byte[] bytes) {
            try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
                in.readInt();
                in.readUnsignedShort();
                in.readUnsignedShort();
                int count = in.readUnsignedShort();
                String[] utf8 = new String[count];
                List<Integer> classNameIndexes = new ArrayList<>();
                for (int i = 1; i < count; i++) {
                    int tag = in.readUnsignedByte();
                    switch (tag) {
                        case 1 -> utf8[i] = in.readUTF();
                        case 7 -> classNameIndexes.add(in.readUnsignedShort());
                        case 8, 16, 19, 20 -> in.readUnsignedShort();
                        case 15 -> {
                            in.readUnsignedByte();
                            in.readUnsignedShort();
                        }
                        case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
                        case 5, 6 -> {
                            in.readLong();
                            i++; // eight-byte constants take two slots
                        }
                        default -> throw new AssertionError("unknown constant pool tag " + tag);
                    }
                }
                TreeSet<String> names = new TreeSet<>();
                for (int index : classNameIndexes) {
                    String name = utf8[index];
                    if (name.startsWith("[")) {
                        name = name.replaceFirst("^\\[+", "");
                        if (!name.startsWith("L")) {
                            continue; // an array of primitives
                        }
                        name = name.substring(1, name.length() - 1);
                    }
                    names.add(name);
                }
                return names;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
