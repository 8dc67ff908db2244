package dev.xraybatch.agent.gaps;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SampleNamesTest {
    private static StackTraceElement frame(String type, String method) {
        return new StackTraceElement(type, method, type.substring(type.lastIndexOf('.') + 1) + ".java", 42);
    }

    @Test
    void theJobsDeepestOwnMethodNamesASampleInItsOwnCode() {
        StackTraceElement[] stack = {
            frame("java.util.HashMap", "put"),
            frame("com.acme.report.ReportJob", "warmCache"),
            frame("com.acme.report.ReportJob", "main"),
        };
        SampleNames.Named named = SampleNames.name(stack, Thread.State.RUNNABLE, null);
        assertThat(named.name).isEqualTo("ReportJob.warmCache");
        assertThat(named.ownClass).isEqualTo("com.acme.report.ReportJob");
        assertThat(named.ownMethod).isEqualTo("warmCache");
        assertThat(SampleNames.frame(named.place)).isEqualTo("com.acme.report.ReportJob.warmCache(ReportJob.java:42)");
    }

    @Test
    void sleepsAndWaitsSayWhatTheJobWaitedOnWithoutTheLocksHash() {
        StackTraceElement[] sleeping = {
            frame("java.lang.Thread", "sleep0"), frame("java.lang.Thread", "sleep"),
            frame("com.acme.Job", "pause"), frame("com.acme.Job", "main"),
        };
        assertThat(SampleNames.name(sleeping, Thread.State.TIMED_WAITING, null).name)
                .isEqualTo("Job.pause: sleeping");
        StackTraceElement[] parked = {
            frame("jdk.internal.misc.Unsafe", "park"), frame("java.util.concurrent.locks.LockSupport", "park"),
            frame("java.util.concurrent.CountDownLatch", "await"), frame("com.acme.Job", "waitForWorkers"),
        };
        assertThat(SampleNames.name(parked, Thread.State.WAITING,
                "java.util.concurrent.CountDownLatch$Sync").name)
                .isEqualTo("Job.waitForWorkers: waiting on CountDownLatch.Sync");
        StackTraceElement[] blocked = {frame("com.acme.Job", "update"), frame("com.acme.Job", "main")};
        assertThat(SampleNames.name(blocked, Thread.State.BLOCKED, null).name)
                .isEqualTo("Job.update: blocked on a monitor");
    }

    @Test
    void aFrameworksPhaseTheJobCalledIntoNamesTheSampleAndTheInnermostPhaseWins() {
        StackTraceElement[] flyway = {
            frame("org.h2.command.Command", "executeUpdate"),
            frame("org.flywaydb.core.Flyway", "migrate"),
            frame("org.springframework.context.support.AbstractApplicationContext", "refresh"),
            frame("org.springframework.boot.SpringApplication", "run"),
            frame("com.acme.BatchApp", "main"),
        };
        assertThat(SampleNames.name(flyway, Thread.State.RUNNABLE, null).name).isEqualTo("Flyway migration");
        StackTraceElement[] beans = {
            frame("java.lang.ClassLoader", "loadClass"),
            frame("org.springframework.beans.factory.support.AbstractBeanFactory", "getBean"),
            frame("org.springframework.context.support.AbstractApplicationContext", "refresh"),
            frame("org.springframework.boot.SpringApplication", "run"),
            frame("com.acme.BatchApp", "main"),
        };
        assertThat(SampleNames.name(beans, Thread.State.RUNNABLE, null).name).isEqualTo("Spring context refresh");
        // The job's own bean, initialized inside the refresh, is the job's time.
        StackTraceElement[] ownBean = {
            frame("com.acme.CacheConfig", "loadRates"),
            frame("org.springframework.context.support.AbstractApplicationContext", "refresh"),
            frame("com.acme.BatchApp", "main"),
        };
        assertThat(SampleNames.name(ownBean, Thread.State.RUNNABLE, null).name).isEqualTo("CacheConfig.loadRates");
    }

    @Test
    void classLoadingOutsideAPhaseIsNamedAsSuch() {
        StackTraceElement[] loading = {
            frame("java.lang.ClassLoader", "defineClass1"), frame("java.lang.ClassLoader", "defineClass"),
            frame("jdk.internal.loader.BuiltinClassLoader", "loadClass"), frame("java.lang.ClassLoader", "loadClass"),
            frame("com.acme.Job", "main"),
        };
        assertThat(SampleNames.name(loading, Thread.State.RUNNABLE, null).name).isEqualTo("Job.main: class loading");
    }

    @Test
    void aSparkCallTheJobWaitsOnIsDriverCodeAtTheJobsLineWithTheSparkCallBeyondSparkSubmitsOwnFrames() {
        String spark = String.join(".", "org", "apache", "spark");
        StackTraceElement[] stack = {
            frame(spark + ".sql.catalyst.analysis.Analyzer", "execute"),
            frame(spark + ".sql.SparkSession", "read"),
            new StackTraceElement(spark + ".examples.JavaWordCount", "main", "JavaWordCount.java", 45),
            frame("jdk.internal.reflect.DirectMethodHandleAccessor", "invoke"),
            frame(spark + ".deploy.JavaMainApplication", "start"),
            frame(spark + ".deploy.SparkSubmit", "main"),
        };
        SampleNames.Named named = SampleNames.name(stack, Thread.State.RUNNABLE, null);
        assertThat(named.name).isEqualTo("driver code at JavaWordCount.java:45");
        assertThat(named.sparkCall).isEqualTo("SparkSession.read");
    }

    @Test
    void aLaunchersOwnWorkBeforeTheJobsMainIsOneNameNotOnePerMethod() {
        String spark = String.join(".", "org", "apache", "spark");
        StackTraceElement[] submit = {
            frame("org.apache.logging.log4j.core.lookup.Interpolator", "<init>"),
            frame(spark + ".deploy.SparkSubmit", "doSubmit"), frame(spark + ".deploy.SparkSubmit", "main"),
        };
        assertThat(SampleNames.name(submit, Thread.State.RUNNABLE, null).name).isEqualTo("spark-submit");
        assertThat(SampleNames.isOwnCode("org.example.launcher.Boot")).isTrue();
        StackTraceElement[] library = {
            frame("org.apache.logging.log4j.core.lookup.Interpolator", "<init>"),
            frame("org.apache.commons.Launcher", "start"), frame("org.apache.commons.Launcher", "main"),
        };
        assertThat(SampleNames.name(library, Thread.State.RUNNABLE, null).name).isEqualTo("Launcher.main");
    }

    @Test
    void scalasLibraryCalledFromTheJobIsTheJobsOwnWorkNotASparkCall() {
        StackTraceElement[] stack = {
            frame("scala.Tuple2", "_2"), frame("com.acme.WordCount", "lambda$rank$0"),
            frame("java.util.TimSort", "sort"), frame("com.acme.WordCount", "rank"),
            frame("com.acme.WordCount", "main"),
        };
        assertThat(SampleNames.name(stack, Thread.State.RUNNABLE, null).name).isEqualTo("WordCount.rank");
    }

    @Test
    void aScalaObjectsMethodAndItsClosuresAreNamedAsTheJobWroteThem() {
        StackTraceElement[] stack = {
            frame("scala.collection.immutable.Range", "foreach"),
            frame("com.acme.SparkPi$", "$anonfun$drawSeeds$1"),
            frame("com.acme.SparkPi$", "drawSeeds"),
            frame("com.acme.SparkPi$", "main"),
            frame("com.acme.SparkPi", "main"),
        };
        assertThat(SampleNames.name(stack, Thread.State.RUNNABLE, null).name).isEqualTo("SparkPi.drawSeeds");
    }

    @Test
    void theJdkAndLibrariesAreNotTheJobsOwnCode() {
        assertThat(SampleNames.isOwnCode("com.acme.Job")).isTrue();
        assertThat(SampleNames.isOwnCode("dev.xraybatch.agenttests.gaps.PlainJob")).isTrue();
        // Spring's CGLIB subclass of the job's configuration: its static hook once named a stretch
        assertThat(SampleNames.isOwnCode("dev.xraybatch.springjob.OrdersJob$$SpringCGLIB$$0")).isFalse();
        assertThat(SampleNames.isOwnCode("dev.xraybatch.agent.trace.Tracer")).isFalse();
        assertThat(SampleNames.isOwnCode("org.springframework.boot.SpringApplication")).isFalse();
        assertThat(SampleNames.isOwnCode("java.lang.Thread")).isFalse();
    }

    /** Only a thread waiting for another's work hands its name to the threads it waits for; sleeping or blocked, not. */
    @Test
    void waitingForAnotherThreadIsParkingOrWaitingNotSleepingOrBlocked() {
        StackTraceElement[] parked = {frame("jdk.internal.misc.Unsafe", "park"),
            frame("java.util.concurrent.locks.LockSupport", "park"), frame("com.acme.Job", "waitForWorker")};
        StackTraceElement[] joined = {frame("java.lang.Object", "wait"), frame("java.lang.Thread", "join"),
            frame("com.acme.Job", "main")};
        StackTraceElement[] sleeping = {frame("java.lang.Thread", "sleep"), frame("com.acme.Job", "pause")};
        StackTraceElement[] blocked = {frame("com.acme.Job", "awaitLedger")};

        assertThat(SampleNames.waitsForAnother(parked, Thread.State.WAITING,
                "java.util.concurrent.CountDownLatch$Sync@1f")).isTrue();
        assertThat(SampleNames.waitsForAnother(joined, Thread.State.WAITING, null)).isTrue();
        assertThat(SampleNames.waitsForAnother(sleeping, Thread.State.TIMED_WAITING, null)).isFalse();
        assertThat(SampleNames.waitsForAnother(blocked, Thread.State.BLOCKED, null)).isFalse();
        assertThat(SampleNames.waitsForAnother(parked, Thread.State.RUNNABLE, null)).isFalse();
    }
}
