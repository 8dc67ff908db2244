package dev.xraybatch.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md holds the tables generated from the code. When this fails, run the test with
 * {@code -Dupdate.docs=true} to rewrite the tables, then describe the new setting in the text around them.
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
