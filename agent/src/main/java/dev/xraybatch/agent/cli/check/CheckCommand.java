package dev.xraybatch.agent.cli.check;

import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.Settings;
import dev.xraybatch.agent.config.pointcut.Pointcut;
import dev.xraybatch.agent.instrument.methods.PointcutMatchers;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.ParameterDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;

/**
 * {@code check xray-batch.yaml [--classpath app.jar:lib/*]}: the file's problems, exactly as the agent would
 * report them at start, and for the class path given, the classes and methods each pointcut traces, found with
 * the agent's own matchers over class files (nothing is loaded). Exit code 0 when the file has no problems, 1 when
 * it has, 2 for a wrong command line.
 */
public final class CheckCommand {
    private static final String USAGE = "usage: java -jar xray-batch-agent.jar check <xray-batch.yaml> "
            + "[--classpath app.jar:lib/*]";

    private CheckCommand() {
    }

    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String file = null;
        String classPath = null;
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("--classpath") || args[i].equals("-cp")) && i + 1 < args.length) {
                classPath = args[++i];
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
        for (String problem : config.problems()) {
            out.println(problem);
        }
        if (!config.tracingEnabled()) {
            return 1;
        }
        out.println(file + ": " + describeCount(config.problems().size(), "problem") + ", "
                + describeCount(config.pointcuts().size(), "valid pointcut"));
        if (classPath != null) {
            try {
                showMatches(config.pointcuts(), classPath, out);
            } catch (Exception e) {
                err.println("cannot scan the class path: " + e);
                return 2;
            }
        }
        return config.problems().isEmpty() ? 0 : 1;
    }

    private static void showMatches(List<Pointcut> pointcuts, String classPath, PrintStream out) throws Exception {
        try (ClassPathScan scan = ClassPathScan.of(classPath)) {
            for (String problem : scan.problems) {
                out.println("warning: " + problem);
            }
            out.println("class path: " + describeCount(scan.classNames.size(), "class"));
            TypePool pool = TypePool.Default.of(scan.locator);
            for (Pointcut pointcut : pointcuts) {
                out.println();
                out.println(pointcut.location() + " (name: " + pointcut.name().text() + ")");
                List<String> lines = matches(pointcut, scan.classNames, pool);
                if (lines.isEmpty()) {
                    out.println("  matches nothing on this class path");
                }
                for (String line : lines) {
                    out.println(line);
                }
            }
        }
    }

    /** The classes (and under each its methods) the pointcut traces; the name check first, as in the agent. */
    static List<String> matches(Pointcut pointcut, List<String> classNames, TypePool pool) {
        ElementMatcher<TypeDescription> types = PointcutMatchers.types(pointcut);
        ElementMatcher<MethodDescription> methods = PointcutMatchers.methods(pointcut);
        List<String> lines = new ArrayList<>();
        for (String className : classNames) {
            if (!pointcut.matchesClassName(className)) {
                continue;
            }
            try {
                TypeDescription type = pool.describe(className).resolve();
                if (!types.matches(type)) {
                    continue;
                }
                List<String> methodLines = new ArrayList<>();
                for (MethodDescription method : type.getDeclaredMethods().filter(methods)) {
                    methodLines.add("    " + signature(method));
                }
                if (!methodLines.isEmpty()) {
                    lines.add("  " + className);
                    lines.addAll(methodLines);
                }
            } catch (RuntimeException e) {
                // A super type or annotation missing from the class path: the agent would see the real one.
                lines.add("  " + className + ": cannot tell (" + e.getMessage() + "); add its dependencies to "
                        + "--classpath");
            }
        }
        return lines;
    }

    private static String signature(MethodDescription method) {
        StringBuilder text = new StringBuilder(method.getInternalName()).append('(');
        boolean first = true;
        for (ParameterDescription parameter : method.getParameters()) {
            text.append(first ? "" : ", ").append(parameter.getType().asErasure().getActualName());
            first = false;
        }
        return text.append(')').toString();
    }

    private static String describeCount(int count, String noun) {
        String plural = noun.endsWith("s") ? noun + "es" : noun + "s";
        return count + " " + (count == 1 ? noun : plural);
    }
}
