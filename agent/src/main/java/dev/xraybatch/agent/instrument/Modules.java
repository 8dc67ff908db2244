package dev.xraybatch.agent.instrument;

import dev.xraybatch.agent.instrument.awssdk.AwsSdkInstrumentation;
import dev.xraybatch.agent.instrument.http.HttpInstrumentation;
import dev.xraybatch.agent.instrument.jdbc.JdbcInstrumentation;
import dev.xraybatch.agent.instrument.jdk.JdkInstrumentation;
import dev.xraybatch.agent.instrument.methods.MethodsInstrumentation;
import dev.xraybatch.agent.instrument.spark.SparkInstrumentation;
import dev.xraybatch.agent.instrument.frameworks.FrameworkPhasesInstrumentation;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** The one ordered list of modules: a new instrumentation adds its line here, and nothing else at start-up. */
public final class Modules {
    private Modules() {
    }

    /** In the order they extend the builder (a type several modules match gets their advice in this order). */
    public static List<InstrumentationModule> all() {
        return Collections.unmodifiableList(Arrays.asList(
                new JdkInstrumentation(),
                new MethodsInstrumentation(),
                new SparkInstrumentation(),
                new AwsSdkInstrumentation(),
                new JdbcInstrumentation(),
                new HttpInstrumentation(),
                new FrameworkPhasesInstrumentation()));
    }
}
