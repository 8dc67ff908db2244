package dev.xraybatch.testsupport;

import java.util.Map;
import java.util.TreeMap;

/** The program {@link ChildJvmTest} runs in child JVMs. */
public final class ChildMain {

    private ChildMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        switch (args[0]) {
            case "env" -> {
                new TreeMap<>(System.getenv()).forEach((name, value) -> {
                    if (name.startsWith("AWS_") || name.equals("GREETING")) {
                        System.out.println(name + "=" + value);
                    }
                });
                System.out.println("property=" + System.getProperty("child.test.property"));
                System.out.println("args=" + String.join(",", java.util.Arrays.copyOfRange(args, 1, args.length)));
            }
            case "exit" -> {
                System.err.println("exiting with " + args[1]);
                System.exit(Integer.parseInt(args[1]));
            }
            case "sleep" -> {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
                System.out.println("ready");
                Thread.sleep(Long.MAX_VALUE);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** Parses the {@code NAME=value} lines printed by the {@code env} mode. */
    static Map<String, String> parse(String output) {
        Map<String, String> values = new TreeMap<>();
        output.lines().filter(line -> line.contains("=")).forEach(line -> {
            int eq = line.indexOf('=');
            values.put(line.substring(0, eq), line.substring(eq + 1));
        });
        return values;
    }
}
