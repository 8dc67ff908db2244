package dev.xraybatch.agent.gaps;

/**
 * What one sample of a thread says it was doing, as a name a person reads in the waterfall: the job's own method
 * ({@code "ReportJob.warmCache"}, with {@code ": sleeping"}, {@code ": waiting on ReentrantLock.NonfairSync"} or
 * {@code ": class loading"} when it was doing that), a framework's phase the job called into
 * ({@code "Spring context refresh"}, {@code "Flyway migration"}), a Spark call the job waited on
 * ({@code "driver code at JavaWordCount.java:45"}), else the wait or class loading alone.
 *
 * <p>Names keep to X-Ray's characters (no parentheses, no {@code $}: a nested class is {@code Outer.Inner}).
 * They leave out line numbers (except a Spark call's place, as Spark names its actions), so that a loop in one
 * method is one run of samples however its lines alternate. Pure: the sampler passes the stack and state it read.
 */
final class SampleNames {
    static final String CLASS_LOADING = "class loading";
    static final String SLEEPING = "sleeping";
    static final String DRIVER_CODE = "driver code";
    /** Library and framework frames: not the job's own code. Built at run time: relocation rewrites literals. */
    private static final String[] LIBRARIES = {
        "java.", "javax.", "jakarta.", "jdk.", "sun.", "com.sun.", "scala.", "kotlin.", "kotlinx.", "groovy.",
        "dev.xraybatch.agent.", "org.springframework.", "org.apache.", "org.hibernate.", "org.flywaydb.",
        "liquibase.", "com.zaxxer.", "org.h2.", "org.hsqldb.", "org.postgresql.", "com.mysql.", "org.mariadb.",
        "oracle.", "com.microsoft.", "com.amazonaws.", join("software", "amazon", ""), "io.netty.",
        "com.fasterxml.", "com.google.", join("org", "slf4j", ""), "ch.qos.", "io.micrometer.", "reactor.",
        "org.aspectj.", join("net", "bytebuddy", ""), "org.junit.", "org.eclipse.", "org.jboss.", "io.undertow.",
        "okhttp3.", "okio.", "org.json4s.", "py4j.", "io.grpc.", "org.glassfish.", "org.objectweb.",
        "org.codehaus.", "com.esotericsoftware.", "org.xerial.", "net.jpountz.", "com.github.luben.",
        "org.roaringbitmap.", "org.jetbrains.", "org.joda.", "io.dropwizard.", "com.codahale.", "org.antlr.",
        "org.sparkproject.", "org.yaml.", "com.typesafe.", "akka.", "io.opentelemetry.", join("org", "reactivestreams", ""),
    };
    /** Spark's examples are user code in Spark's package, as Spark's own call-site rule says. */
    private static final String SPARK = join("org", "apache", "spark") + ".";
    private static final String SPARK_EXAMPLES = SPARK + "examples.";
    private static final String GLUE = join("com", "amazonaws", "services") + ".glue.";
    /** A framework's method whose time is a phase with a name of its own: class, method, name. Innermost wins. */
    private static final String[][] PHASES = {
        {"org.springframework.context.support.AbstractApplicationContext", "refresh", "Spring context refresh"},
        {"org.springframework.boot.SpringApplication", "callRunners", "Spring Boot runners"},
        {"org.springframework.boot.SpringApplication", "run", "Spring Boot start-up"},
        {"org.springframework.batch.core.job.AbstractJob", "execute", "Spring Batch job"},
        {"org.springframework.batch.core.step.AbstractStep", "execute", "Spring Batch step"},
        {"org.flywaydb.core.Flyway", "migrate", "Flyway migration"},
        {"liquibase.Liquibase", "update", "Liquibase update"},
        {"org.hibernate.jpa.boot.internal.EntityManagerFactoryBuilderImpl", "build", "Hibernate boot"},
        {"org.hibernate.boot.internal.SessionFactoryBuilderImpl", "build", "Hibernate boot"},
        {"org.hibernate.cfg.Configuration", "buildSessionFactory", "Hibernate boot"},
        {SPARK + "deploy.SparkSubmit", "doSubmit", "spark-submit"},
        {SPARK + "deploy.SparkSubmit", "main", "spark-submit"},
    };

    private SampleNames() {
    }

    private static String join(String a, String b, String c) {
        return a + "." + b + "." + c;
    }

    /** A named sample: its name, and the job's own method it was in (class and method), if any. */
    static final class Named {
        final String name;
        final String ownClass;
        final String ownMethod;
        /** The frame that named it (its file and line are shown), or null. */
        final StackTraceElement place;
        /** A Spark call's method ("SparkSession.range") when the job waited on Spark; else null. */
        final String sparkCall;

        Named(String name, StackTraceElement own, StackTraceElement place, String sparkCall) {
            this.name = name;
            this.ownClass = own == null ? null : own.getClassName();
            this.ownMethod = own == null ? null : methodName(own);
            this.place = place;
            this.sparkCall = sparkCall;
        }
    }

    static boolean isOwnCode(String className) {
        if (className.startsWith(SPARK_EXAMPLES)) {
            return true;
        }
        if (className.contains("$$")) {
            return false; // a class generated at run time (Spring's CGLIB proxies): not code the job wrote
        }
        for (String library : LIBRARIES) {
            if (className.startsWith(library)) {
                return false;
            }
        }
        return true;
    }

    /** Spark's and Glue's classes; not Scala's library, whose collections and tuples are the job's own work. */
    static boolean isSparkFrame(String className) {
        return className.startsWith(GLUE) || (className.startsWith(SPARK) && !className.startsWith(SPARK_EXAMPLES));
    }

    /**
     * @param stack the thread's stack, innermost frame first
     * @param state its state when sampled
     * @param lockName the class of what it is parked on, or null
     */
    static Named name(StackTraceElement[] stack, Thread.State state, String lockName) {
        Named spark = sparkCall(stack);
        if (spark != null) {
            return spark;
        }
        String waiting = waiting(stack, state, lockName);
        boolean loading = false;
        String phase = null;
        StackTraceElement own = null;
        for (StackTraceElement frame : stack) {
            String type = frame.getClassName();
            if (isOwnCode(type)) {
                own = frame;
                break;
            }
            loading |= isClassLoading(frame);
            if (phase == null) {
                phase = phase(frame);
            }
        }
        if (phase != null) {
            return new Named(phase, null, null, null); // the job called the framework, which is where the time went
        }
        if (own != null) {
            String suffix = waiting != null ? ": " + waiting : loading ? ": " + CLASS_LOADING : "";
            return new Named(method(own) + suffix, own, own, null);
        }
        if (waiting != null) {
            return new Named(waiting, null, null, null);
        }
        if (loading) {
            return new Named(CLASS_LOADING, null, null, null);
        }
        // A library's code with none of the job's: named after the outermost frame outside the JDK (a launcher's
        // main), so that a library's start is one run, not one per method it passed through.
        for (int i = stack.length - 1; i >= 0; i--) {
            if (!isJdk(stack[i].getClassName())) {
                return new Named(method(stack[i]), null, stack[i], null);
            }
        }
        return new Named(stack.length == 0 ? "(no stack)" : method(stack[0]), null, null, null);
    }

    /**
     * Whether the thread waits for another thread's work (parked, in {@code Object.wait}, a join, a future's
     * {@code get}): not when it sleeps, nor when it is blocked on a monitor, where the contention is the news.
     */
    static boolean waitsForAnother(StackTraceElement[] stack, Thread.State state, String lockName) {
        if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
            return false;
        }
        String waiting = waiting(stack, state, lockName);
        return waiting != null && !waiting.equals(SLEEPING);
    }

    /**
     * The job waiting on a Spark call: the outermost Spark frame whose caller is the job's code names the place
     * ("driver code at Job.java:42"), as a Spark driver's time between actions always was; null when none.
     */
    private static Named sparkCall(StackTraceElement[] stack) {
        StackTraceElement caller = null;
        for (int i = stack.length - 1; i >= 0; i--) {
            String type = stack[i].getClassName();
            if (isSparkFrame(type)) {
                if (caller == null) {
                    continue; // a launcher (spark-submit's main) before the job's code: not a call the job made
                }
                String where = caller.getFileName() == null ? caller.getClassName()
                        : caller.getFileName() + ":" + caller.getLineNumber();
                String call = type.substring(type.lastIndexOf('.') + 1) + "." + stack[i].getMethodName();
                return new Named(DRIVER_CODE + " at " + where, caller, caller, call);
            }
            if (isOwnCode(type)) {
                caller = stack[i];
            }
        }
        return null;
    }

    private static String waiting(StackTraceElement[] stack, Thread.State state, String lockName) {
        String lock = lockName == null ? null : simpleLockName(lockName);
        if (state == Thread.State.BLOCKED) {
            return "blocked on " + (lock == null ? "a monitor" : lock); // synchronized: the method holds the lock
        }
        if (stack.length == 0 || (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING)) {
            return null;
        }
        for (int i = 0; i < Math.min(stack.length, 4); i++) {
            String type = stack[i].getClassName();
            String method = stack[i].getMethodName();
            if (type.equals("java.lang.Thread") && method.startsWith("sleep")) {
                return SLEEPING;
            }
            if ((type.equals("java.lang.Object") && method.equals("wait"))
                    || method.equals("park") || method.startsWith("park")) {
                return lock != null ? "waiting on " + lock : method.equals("wait") ? "waiting in Object.wait"
                        : "waiting";
            }
        }
        return null;
    }

    /** "java.util.concurrent.locks.ReentrantLock$NonfairSync@1b2c" as "ReentrantLock.NonfairSync": the hash would split runs. */
    static String simpleLockName(String lockName) {
        int at = lockName.indexOf('@');
        String type = at < 0 ? lockName : lockName.substring(0, at);
        return type.substring(type.lastIndexOf('.') + 1).replace('$', '.');
    }

    private static boolean isClassLoading(StackTraceElement frame) {
        String type = frame.getClassName();
        String method = frame.getMethodName();
        return (type.endsWith("ClassLoader") || type.endsWith("ClassLoaders$AppClassLoader"))
                && (method.equals("loadClass") || method.startsWith("defineClass") || method.equals("findClass"))
                || (type.equals("java.lang.Class") && method.startsWith("forName"));
    }

    private static String phase(StackTraceElement frame) {
        for (String[] phase : PHASES) {
            if (frame.getMethodName().equals(phase[1]) && frame.getClassName().equals(phase[0])) {
                return phase[2];
            }
        }
        return null;
    }

    private static boolean isJdk(String className) {
        return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("dev.xraybatch.agent.");
    }

    private static String method(StackTraceElement e) {
        String type = e.getClassName();
        String simple = type.substring(type.lastIndexOf('.') + 1);
        if (simple.endsWith("$") && simple.length() > 1) {
            simple = simple.substring(0, simple.length() - 1); // a Scala object's class: SparkPi$ is SparkPi
        }
        return (simple + "." + methodName(e)).replace('$', '.');
    }

    /**
     * A lambda's body is the method that wrote it: Java's {@code lambda$rank$0} and Scala's
     * {@code $anonfun$rank$1} are {@code rank}.
     */
    private static String methodName(StackTraceElement e) {
        String method = e.getMethodName();
        String prefix = method.startsWith("lambda$") ? "lambda$" : method.startsWith("$anonfun$") ? "$anonfun$" : null;
        if (prefix != null) {
            int from = prefix.length();
            int end = method.indexOf('$', from);
            return end > from ? method.substring(from, end) : method;
        }
        return method;
    }

    /** Without the class loader and module prefixes that {@code StackTraceElement.toString} adds on Java 9+. */
    static String frame(StackTraceElement e) {
        return e.getClassName() + "." + e.getMethodName() + "(" + (e.getFileName() == null ? "unknown"
                : e.getFileName() + ":" + e.getLineNumber()) + ")";
    }
}
