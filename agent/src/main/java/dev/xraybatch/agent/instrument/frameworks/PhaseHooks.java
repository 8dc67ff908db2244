package dev.xraybatch.agent.instrument.frameworks;

import dev.xraybatch.agent.instrument.hook.Hook;
import dev.xraybatch.agent.instrument.hook.HookSite;
import dev.xraybatch.agent.instrument.hook.Reflective;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;


/**
 * The code behind the frameworks' advice. Their types are read by reflection (the agent compiles against none of
 * them): a Spring Batch job's or step's name on entry, its outcome on exit. A step does not throw when it fails
 * (Spring Batch records the failure in its execution), so the outcome is read from the execution.
 */
final class PhaseHooks {
    static final String NAMESPACE = "spring_batch";

    final Hook job = new PhaseHook("Spring Batch job: ", "getJobInstance", "getJobName", true);
    final Hook step = new PhaseHook("Spring Batch step: ", "getStepName", null, true);
    /** The argument is the {@code Job}; the launch's outcome is its job's, recorded there. */
    final Hook launch = new PhaseHook("Spring Batch launch: ", "getName", null, false);
    /** The subject is the {@code Flyway} instance: one name for every migration. */
    final Hook flyway = new PhaseHook("Flyway: migrate", null, null, false);

    private static final class PhaseHook implements Hook {
        private final String prefix;
        private final String nameGetter;
        private final String nameOfResult;
        /** Whether the argument is an execution, whose outcome is recorded on exit. */
        private final boolean execution;

        PhaseHook(String prefix, String nameGetter, String nameOfResult, boolean execution) {
            this.prefix = prefix;
            this.nameGetter = nameGetter;
            this.nameOfResult = nameOfResult;
            this.execution = execution;
        }

        @Override
        public Object enter(HookSite site, Object argument, Object[] arguments) {
            Tracer tracer = Tracer.get();
            if (tracer == null || argument == null) {
                return null;
            }
            String name = prefix;
            if (nameGetter != null) {
                Object named = Reflective.call(argument, nameGetter);
                if (nameOfResult != null) {
                    named = Reflective.call(named, nameOfResult);
                }
                name += named == null ? "?" : named;
            }
            return new Phase(tracer, tracer.beginSampledPhase(name), execution ? argument : null);
        }

        @Override
        public void exit(HookSite site, Object token, Object subject, Object returned, Throwable thrown) {
            Phase phase = (Phase) token;
            try {
                phase.recordOutcome();
            } finally {
                phase.tracer.end(phase.subsegment, thrown);
            }
        }

        @Override
        public String toString() {
            return prefix.trim();
        }
    }

    /** One job or step being run: its subsegment and its execution. */
    private static final class Phase {
        final Tracer tracer;
        final Subsegment subsegment;
        final Object execution;

        Phase(Tracer tracer, Subsegment subsegment, Object execution) {
            this.tracer = tracer;
            this.subsegment = subsegment;
            this.execution = execution;
        }

        /** Status and exit code; a step's counts; a fault when Spring Batch says it failed. */
        void recordOutcome() {
            if (execution == null) {
                return;
            }
            Object status = Reflective.call(execution, "getStatus");
            if (status != null) {
                subsegment.putMetadata(NAMESPACE, "status", status.toString());
                if ("FAILED".equals(status.toString())) {
                    subsegment.markFault();
                }
            }
            Object exit = Reflective.call(Reflective.call(execution, "getExitStatus"), "getExitCode");
            if (exit != null) {
                subsegment.putMetadata(NAMESPACE, "exit_code", exit.toString());
            }
            for (String count : new String[] {"Read", "Write", "Filter", "Commit", "Rollback", "ReadSkip",
                    "WriteSkip", "ProcessSkip"}) {
                Object value = Reflective.call(execution, "get" + count + "Count");
                if (value instanceof Number) {
                    subsegment.putMetadata(NAMESPACE, snake(count) + "_count", value);
                }
            }
        }
    }

    /** {@code ReadSkip} -> {@code read_skip}. */
    static String snake(String camel) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                b.append('_');
            }
            b.append(Character.toLowerCase(c));
        }
        return b.toString();
    }
}
