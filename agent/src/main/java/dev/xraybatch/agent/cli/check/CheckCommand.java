package dev.xraybatch.agent.cli.check;

import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.Settings;
import dev.xraybatch.agent.config.pointcut.Pointcut;
import dev.xraybatch.agent.json.JsonWriter;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import net.bytebuddy.pool.TypePool;

/**
 * {@code check xray-batch.yaml [--classpath app.jar:lib/*] [--json]}: the file's problems, exactly as the agent
 * would report them at start, and for the class path given, the classes and methods each pointcut traces, found
 * with the agent's own matchers over class files (nothing is loaded). On the class path, a pointcut that matches
 * nothing is a problem (with the near matches: a class of the same name in another package, the method's real
 * signatures), and so is a name or annotation path the matched methods' declared types cannot have; a path
 * through {@code Object} or an interface is a warning. Exit code 0 when there is no problem (warnings allowed),
 * 1 when there is one, 2 for a wrong command line. {@code --json} prints one JSON object instead, for CI.
 */
public final class CheckCommand {
    private static final String USAGE = "usage: java -jar xray-batch-agent.jar check <xray-batch.yaml> "
            + "[--classpath app.jar:lib/*] [--json]";

    private CheckCommand() {
    }

    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String file = null;
        String classPath = null;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("--classpath") || args[i].equals("-cp")) && i + 1 < args.length) {
                classPath = args[++i];
            } else if (args[i].equals("--json")) {
                json = true;
            } else if (file == null && !args[i].startsWith("-")) {
                file = args[i];
            } else {
                err.println("unexpected argument '" + args[i] + "'\n" + USAGE);
                return 2;
            }
        }
        if (file == null) {
            err.println(USAGE);
            return 2;
        }
        AgentConfig config = AgentConfig.read(null,
                Collections.singletonMap(Settings.CONFIG.environmentName(), file), new Properties());
        List<PointcutMatches> results = new ArrayList<>();
        List<String> scanWarnings = new ArrayList<>();
        int classCount = -1;
        if (classPath != null && config.configFileUsable()) {
            try (ClassPathScan scan = ClassPathScan.of(classPath)) {
                scanWarnings.addAll(scan.problems);
                classCount = scan.classNames.size();
                TypePool pool = TypePool.Default.of(scan.locator);
                for (Pointcut pointcut : config.pointcuts()) {
                    results.add(PointcutMatches.find(pointcut, scan.classNames, pool));
                }
            } catch (Exception e) {
                err.println("cannot scan the class path: " + e);
                return 2;
            }
        }
        List<String> problems = new ArrayList<>(config.problems());
        List<String> warnings = new ArrayList<>(scanWarnings);
        for (PointcutMatches result : results) {
            problems.addAll(result.problems);
            warnings.addAll(result.warnings);
        }
        int exit = problems.isEmpty() ? 0 : 1;
        if (json) {
            out.println(json(file, config, classCount, results, problems, warnings, exit));
        } else {
            printText(file, config, classCount, scanWarnings, results, out);
        }
        return exit;
    }

    private static void printText(String file, AgentConfig config, int classCount, List<String> scanWarnings,
                                  List<PointcutMatches> results, PrintStream out) {
        for (String problem : config.problems()) {
            out.println(problem);
        }
        if (!config.configFileUsable()) {
            return;
        }
        out.println(file + ": " + describeCount(config.problems().size(), "problem") + ", "
                + describeCount(config.pointcuts().size(), "valid pointcut"));
        if (classCount < 0) {
            return;
        }
        for (String warning : scanWarnings) {
            out.println("warning: " + warning);
        }
        out.println("class path: " + describeCount(classCount, "class"));
        int problems = 0;
        int warnings = 0;
        for (PointcutMatches result : results) {
            out.println();
            out.println(result.pointcut.location() + " (name: " + result.pointcut.name().text() + ")");
            for (String line : result.lines) {
                out.println(line);
            }
            for (String problem : result.problems) {
                out.println("  error: " + problem);
            }
            for (String warning : result.warnings) {
                out.println("  warning: " + warning);
            }
            problems += result.problems.size();
            warnings += result.warnings.size();
        }
        out.println();
        out.println("class path check: " + describeCount(problems, "problem") + ", "
                + describeCount(warnings + scanWarnings.size(), "warning"));
    }

    /**
     * {"file", "exit_code", "problems": [...], "warnings": [...], "classes": n, "pointcuts": [{"location",
     * "name", "matches": [{"class", "methods": [...]}], "problems", "warnings"}]}; each problem and warning is
     * the line the text output prints, starting with file:line:column.
     */
    private static String json(String file, AgentConfig config, int classCount, List<PointcutMatches> results,
                               List<String> problems, List<String> warnings, int exit) {
        StringBuilder text = new StringBuilder();
        JsonWriter json = new JsonWriter(text).beginObject()
                .field("file", file)
                .name("exit_code").value(exit)
                .name("config_file_read").value(config.configFileUsable())
                .name("valid_pointcuts").value(config.pointcuts().size());
        strings(json.name("problems"), problems);
        strings(json.name("warnings"), warnings);
        if (classCount >= 0) {
            json.name("classes").value(classCount);
            json.name("pointcuts").beginArray();
            for (PointcutMatches result : results) {
                json.beginObject().field("location", result.pointcut.location())
                        .field("name", result.pointcut.name().text())
                        .name("matches").beginArray();
                for (PointcutMatches.ClassMatch match : result.matches) {
                    json.beginObject().field("class", match.className);
                    strings(json.name("methods"), match.methods);
                    json.endObject();
                }
                json.endArray();
                strings(json.name("problems"), result.problems);
                strings(json.name("warnings"), result.warnings);
                json.endObject();
            }
            json.endArray();
        }
        json.endObject();
        return text.toString();
    }

    private static void strings(JsonWriter json, List<String> values) {
        json.beginArray();
        for (String value : values) {
            json.value(value);
        }
        json.endArray();
    }

    static String describeCount(int count, String noun) {
        String plural = noun.endsWith("s") ? noun + "es" : noun + "s";
        return count + " " + (count == 1 ? noun : plural);
    }
}
