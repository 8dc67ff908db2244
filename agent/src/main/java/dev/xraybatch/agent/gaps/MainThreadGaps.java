package dev.xraybatch.agent.gaps;

import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Tracer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The job's main thread, sampled from main's start to the job's end while it is in no subsegment
 * ({@link GapSampler}): without it a job that spends its time in its own code shows a root, its AWS calls and
 * nothing in between. A Spark driver on the main thread is sampled by the same sampler (one per thread); a
 * Python driver's JVM hands its watch to the Python driver's own sampler. At the job's end, one line names the
 * job's methods that took the most sampled time, as pointcuts to paste.
 */
public final class MainThreadGaps {
    /** Methods the closing line suggests as pointcuts. */
    static final int SUGGESTED_POINTCUTS = 3;

    private final Tracer tracer;
    private final boolean enabled;
    private final long sampleMillis;
    private final LongSupplier jobEndingMicros;
    private volatile GapSampler sampler;
    private boolean started;

    public MainThreadGaps(Tracer tracer, boolean enabled, long sampleMillis, LongSupplier jobEndingMicros) {
        this.tracer = tracer;
        this.enabled = enabled;
        this.sampleMillis = sampleMillis;
        this.jobEndingMicros = jobEndingMicros;
        if (enabled) {
            GapSampler.loadClasses(); // during the agent's start: on a busy machine, loading them at main's start
                                      // delays the first sample by as long as the job's first steps take
        }
    }

    /**
     * On the thread running the job's main method: its time is watched from main's start ({@code startedMicros},
     * where the JVM's start-up phase ends) on; the first main only.
     */
    public synchronized void mainStarted(long startedMicros) {
        if (!enabled || started) {
            return;
        }
        started = true;
        sampler = GapSampler.start(tracer, Thread.currentThread(), startedMicros, sampleMillis, jobEndingMicros);
    }

    /** The sampler watching {@code thread}, if the main thread's is that and still runs; else null. */
    public GapSampler samplerOf(Thread thread) {
        GapSampler s = sampler;
        return s != null && !s.isStopped() && s.thread() == thread ? s : null;
    }

    /**
     * Another sampler takes over the tracer's one watch. A Python driver's: the main thread only waited for the
     * Python program, whose start its own phase explains, so the stretch in progress is dropped
     * ({@code sendStretch} false). A JVM driver on another thread: the main thread's stretch so far is sent.
     */
    public void handOver(boolean sendStretch) {
        GapSampler s = sampler;
        if (s == null) {
            return;
        }
        if (sendStretch) {
            s.flush();
        } else {
            s.stop();
        }
    }

    /**
     * The job's end began (main returned or threw, System.exit): the last stretch is sent, once. On the job's
     * thread: nothing more.
     */
    public void jobEnded() {
        GapSampler s = sampler;
        if (s != null) {
            s.flush();
        }
    }

    /** As the root closes (every way a job ends): the last stretch if not sent yet, and the closing line. */
    public void rootClosing() {
        GapSampler s = sampler;
        if (s == null) {
            return;
        }
        s.flush();
        List<String[]> top = new ArrayList<>();
        for (String[] m : s.topOwnMethods(SUGGESTED_POINTCUTS * 5)) {
            if (top.size() < SUGGESTED_POINTCUTS && isPointcutName(m[1])) {
                top.add(m);
            }
        }
        String pointcuts = suggestedPointcuts(top);
        if (pointcuts != null) {
            AgentLog.info(pointcuts);
        }
    }

    /**
     * The closing line: the job's methods with the most sampled time outside any subsegment, as a pointcut file's
     * entries in YAML's one-line form ({@code pointcuts: [{classes: ..., methods: ...}]}); null when there are none.
     */
    static String suggestedPointcuts(List<String[]> top) {
        if (top.isEmpty()) {
            return null;
        }
        StringBuilder line = new StringBuilder("time outside any subsegment was mostly in these methods of the job");
        String sep = " (";
        for (String[] m : top) {
            line.append(sep).append(m[0].substring(m[0].lastIndexOf('.') + 1)).append('.').append(m[1]).append(" ~")
                    .append(Long.parseLong(m[2]) / 100_000 / 10.0).append(" s");
            sep = ", ";
        }
        line.append("); pointcuts to paste into the config file: pointcuts: [");
        sep = "";
        for (String[] m : top) {
            line.append(sep).append("{classes: ").append(m[0]).append(", methods: ").append(m[1])
                    .append('}');
            sep = ", ";
        }
        return line.append(']').toString();
    }

    /** A method a pointcut can name: not a lambda's body, an accessor or a constructor the compiler made. */
    static boolean isPointcutName(String method) {
        return method.matches("[A-Za-z_][A-Za-z0-9_]*") && !method.equals("main");
    }
}
