package dev.xraybatch.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.xraybatch.agent.config.pointcut.MethodPattern;
import dev.xraybatch.agent.config.pointcut.Pointcut;
import dev.xraybatch.agent.config.pointcut.PointcutKey;
import dev.xraybatch.agent.config.pointcut.PointcutParser;
import dev.xraybatch.agent.config.pointcut.Visibility;
import dev.xraybatch.agent.export.ExporterFactory;
import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Node;

/**
 * docs/configuration.md holds the tables generated from the code. When this fails, run the test with
 * {@code -Dupdate.docs=true} to rewrite the tables, then describe the new setting in the text around them. The
 * defaults and namespaces the reference describes in words are checked against what the agent does.
 */
class ConfigurationReferenceTest {
    private static final String DOC = "docs/configuration.md";

    @Test
    void theSettingsTableMatchesTheRegistry() throws IOException {
        assertSection("settings", ConfigurationReference.settingsTable());
    }

    @Test
    void thePointcutKeysTableMatchesTheParser() throws IOException {
        assertSection("pointcut-keys", ConfigurationReference.pointcutKeysTable());
    }

    /** A default the reference describes in words is the one the agent uses. */
    @Test
    void theTraceFileDefaultIsWhereTheFileExporterWrites() {
        Path workingDirectory = Paths.get("/job");
        String written = workingDirectory.relativize(
                ExporterFactory.defaultTraceFile(workingDirectory, "<trace id>")).toString().replace('\\', '/');

        assertThat(Settings.TRACE_FILE.description()).contains("unset: " + written + " in the working directory");
    }

    /** The pointcut keys' defaults in the table are what the parser gives an entry that leaves them out. */
    @Test
    void thePointcutKeysDefaultsAreTheParsersDefaults() throws IOException {
        Problems problems = new Problems();
        Node list = new Yaml().compose(new StringReader("- classes: acme.etl.Loader\n"));
        Pointcut pointcut = new PointcutParser(problems).parse(list, "pointcuts").get(0);

        assertThat(problems.messages()).isEmpty();
        assertThat(PointcutKey.NAME.defaultText()).isEqualTo("`" + pointcut.name().text() + "`");
        assertThat(PointcutKey.LIMIT.defaultText()).isEqualTo(String.valueOf(pointcut.limit()));
        assertThat(PointcutKey.RECORD_EXCEPTIONS.defaultText()).isEqualTo(String.valueOf(pointcut.recordExceptions()));
        assertThat(PointcutKey.METHODS.defaultText()).isEqualTo("all methods");
        assertThat(pointcut.methods()).extracting(MethodPattern::text).containsExactly("*");
        assertThat(PointcutKey.VISIBILITY.defaultText()).isEqualTo("any");
        assertThat(pointcut.visibilities()).containsExactlyInAnyOrder(Visibility.values());
        assertThat(docText()).contains("`limit` bounds the subsegments of one pointcut's name under one parent (default "
                + pointcut.limit() + ")").contains("The default is `" + pointcut.name().text() + "`.");
    }

    /**
     * Every namespace the reference names for pointcut metadata, in the keys table and in the text, is the one the
     * agent writes it under (MethodsInstrumentationTest reads it back from a real document).
     */
    @Test
    void theMetadataNamespaceIsTheOneTheAgentWrites() throws Exception {
        Field field = Class.forName("dev.xraybatch.agent.instrument.methods.PointcutHooks")
                .getDeclaredField("METADATA_NAMESPACE");
        field.setAccessible(true);
        String namespace = (String) field.get(null);

        assertThat(PointcutKey.METADATA.description()).contains("under the `" + namespace + "` namespace");
        Matcher mentions = Pattern.compile("`([^`]+)`\\s+namespace").matcher(docText());
        int count = 0;
        while (mentions.find()) {
            assertThat(mentions.group(1)).as("the namespace named in '%s'", mentions.group()).isEqualTo(namespace);
            count++;
        }
        assertThat(count).as("namespaces named in %s", DOC).isGreaterThanOrEqualTo(2);
    }

    private static String docText() throws IOException {
        return new String(Files.readAllBytes(findDoc()), StandardCharsets.UTF_8);
    }

    private static void assertSection(String name, String generated) throws IOException {
        Path doc = findDoc();
        String text = new String(Files.readAllBytes(doc), StandardCharsets.UTF_8);
        String start = "<!-- generated:" + name + ":start -->\n";
        String end = "<!-- generated:" + name + ":end -->";
        int from = text.indexOf(start);
        int to = text.indexOf(end);
        assertThat(from).as("%s has the marker %s", doc, start.trim()).isNotNegative();
        assertThat(to).as("%s has the marker %s", doc, end).isGreaterThan(from);
        String current = text.substring(from + start.length(), to);
        if (!current.equals(generated) && Boolean.getBoolean("update.docs")) {
            Files.write(doc, (text.substring(0, from + start.length()) + generated + text.substring(to))
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        assertThat(current).as("the %s table of %s (run with -Dupdate.docs=true to regenerate)", name, doc)
                .isEqualTo(generated);
    }

    /** The doc of the repository the tests run in: found upwards from the working directory (the module). */
    private static Path findDoc() {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(DOC);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(DOC + " not found above " + Paths.get("").toAbsolutePath());
    }
}
