package dev.xraybatch.agent;

import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.runtime.BootstrapInjector;

import java.lang.instrument.Instrumentation;



/**
 * {@code -javaagent:xray-batch-agent.jar[=key=value,...]} (premain) or a run-time attach (agentmain). Every step
 * is guarded: whatever goes wrong, the job runs on, untraced, with one line on stderr saying why.
 *
 * <p>This class refers to nothing on the bootstrap bridge: it must put the bridge on the bootstrap class path
 * before a class that uses it is even verified.
 */
public final class AgentMain {
    private static boolean started;

    private AgentMain() {
    }

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    private static synchronized void start(String args, Instrumentation inst, boolean attachedAtRunTime) {
        if (started) {
            return;
        }
        started = true;
        try {
            // First, before any class that refers to the bridge is loaded: the verifier resolves those types.
            BootstrapInjector.inject(inst);
            AgentStartup.start(args, inst, attachedAtRunTime);
        } catch (Throwable t) {
            AgentLog.internalError("start-up", t);
            AgentLog.problem("the job runs untraced");
        }
    }
}
