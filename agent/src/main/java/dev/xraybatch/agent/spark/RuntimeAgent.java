package dev.xraybatch.agent.spark;

import dev.xraybatch.agent.AgentMain;
import dev.xraybatch.agent.log.AgentLog;
import net.bytebuddy.agent.ByteBuddyAgent;

import java.lang.instrument.Instrumentation;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Installs the agent into the running JVM and starts it exactly as {@code -javaagent} would
 * ({@link AgentMain#agentmain}), retransforming the classes already loaded. Once per JVM, whichever route came
 * first: a JVM started with {@code -javaagent} keeps that agent.
 */
final class RuntimeAgent {
    /** Defined in the boot loader by every start of the agent, from any class loader: the "already running" mark. */
    private static final String BRIDGE_CLASS = "dev.xraybatch.agent.bootstrap.XRayBridge";
    /** Spark's start waits for the attach; a helper JVM that never answers must not hold the job longer. */
    private static final long ATTACH_TIMEOUT_MILLIS = 60_000L;

    private RuntimeAgent() {
    }

    static boolean runningInThisJvm() {
        try {
            Class.forName(BRIDGE_CLASS, false, null);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * @param role "driver" or "executor", for messages
     * @return true when this call started the agent (which may still have decided not to trace, and said why)
     */
    static synchronized boolean start(String agentArgs, String role) {
        if (runningInThisJvm()) {
            AgentLog.debug("Spark plugin (" + role + "): the agent already runs in this JVM");
            return false;
        }
        long began = System.nanoTime();
        Instrumentation inst;
        try {
            inst = attach();
        } catch (Throwable t) {
            AgentLog.problem("the Spark plugin could not install the agent in the " + role + " JVM (" + t
                    + "); it runs untraced. Attaching needs a JDK (not a bare JRE) and no"
                    + " -XX:+DisableAttachMechanism; where the command line can be set, use -javaagent instead");
            return false;
        }
        AgentLog.debug("Spark plugin (" + role + "): agent installed at run time in "
                + (System.nanoTime() - began) / 1_000_000 + " ms");
        AgentMain.agentmain(agentArgs, inst);
        return true;
    }

    /**
     * On JDK 9+ without {@code -Djdk.attach.allowAttachSelf} byte-buddy-agent attaches from a helper JVM started
     * from this jar (a file on disk, as Spark loaded the plugin from it), and waits for it without a limit: the
     * wait happens on a daemon thread, bounded here.
     */
    private static Instrumentation attach() throws Throwable {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread attacher = new Thread(() -> {
            try {
                outcome.set(ByteBuddyAgent.install());
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "xray-batch-agent-attach");
        attacher.setDaemon(true);
        attacher.start();
        attacher.join(ATTACH_TIMEOUT_MILLIS);
        Object result = outcome.get();
        if (result instanceof Instrumentation) {
            return (Instrumentation) result;
        }
        if (result instanceof Throwable) {
            throw (Throwable) result;
        }
        throw new IllegalStateException("no answer from the attach within " + ATTACH_TIMEOUT_MILLIS / 1000 + " s");
    }
}
