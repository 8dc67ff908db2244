package dev.xraybatch.agent.cli;

import java.util.Arrays;

/** {@code java -jar xray-batch-agent.jar <command> ...}: the tools a user runs beside the agent. */
public final class Cli {
    private Cli() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || "help".equals(args[0]) || "--help".equals(args[0]) || "-h".equals(args[0])) {
            System.out.println(usage());
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "check":
                return dev.xraybatch.agent.cli.check.CheckCommand.run(rest);
            case "timeline":
                return dev.xraybatch.agent.cli.timeline.TimelineCommand.run(rest);
            default:
                System.err.println("unknown command '" + args[0] + "'\n" + usage());
                return 2;
        }
    }

    private static String usage() {
        return "usage: java -jar xray-batch-agent.jar <command>\n"
                + "  check <xray-batch.yaml> [--classpath app.jar:lib/*]   check a config file and show what its pointcuts match\n"
                + "  timeline <trace.jsonl> [--html out.html] [--all]       show a trace as a waterfall\n"
                + "  timeline --trace-id <id> --region <region> [--html out.html] [--all]   fetch a trace from X-Ray and show it\n"
                + "           (timeline --help lists every option: --all prints every row, --width, --color)\n"
                + "To trace a job: java -javaagent:xray-batch-agent.jar[=config=/path/xray-batch.yaml] -jar job.jar";
    }
}
