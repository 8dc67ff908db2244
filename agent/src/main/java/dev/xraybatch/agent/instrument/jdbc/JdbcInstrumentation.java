package dev.xraybatch.agent.instrument.jdbc;

import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.Settings;
import dev.xraybatch.agent.instrument.InstrumentationModule;
import dev.xraybatch.agent.instrument.ModuleContext;
import dev.xraybatch.agent.instrument.hook.advice.EnterArgument0;
import dev.xraybatch.agent.instrument.hook.advice.EnterThis;
import dev.xraybatch.agent.instrument.hook.advice.EnterThisAndArguments;
import dev.xraybatch.agent.instrument.hook.advice.Exit;
import dev.xraybatch.agent.instrument.hook.advice.ExitReturned;
import dev.xraybatch.agent.instrument.hook.advice.ExitThis;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import static net.bytebuddy.matcher.ElementMatchers.failSafe;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * The SQL a job runs through JDBC, for any driver: advice on every concrete {@code java.sql.Statement}'s
 * {@code execute*} and {@code executeBatch}, on every concrete {@code java.sql.Connection}'s
 * {@code prepareStatement}/{@code prepareCall} (the text a prepared statement's execution does not repeat), and
 * on HikariCP's {@code getConnection()} (the wait for a pooled connection). A pool's wrappers are matched too: the
 * recorder counts the outermost execution on a thread, so a wrapper and its driver are one subsegment.
 *
 * <p>Drivers live in any package, so the name gate is the simple name, not the package: only a class whose name
 * says {@code Statement} (or {@code Connection}) reaches the super-type check, which parses class files and, run
 * on every class a large JVM loads, made start-up about 60% slower. Every driver and pool we know names its
 * classes so (PgPreparedStatement, StatementImpl, JdbcStatement, T4CPreparedStatement, SQLServerStatement,
 * HikariProxyStatement, DelegatingStatement...); a statement class named otherwise is not traced (docs say so).
 * Then the modifier checks (interfaces and abstract classes never run), Scala and Spark left out, fail-safe (a
 * class whose super types cannot be read is left alone, not reported).
 */
public final class JdbcInstrumentation implements InstrumentationModule {
    /** HikariCP's data source; an application class name, not one of ours: relocation leaves it alone. */
    static final String HIKARI_DATA_SOURCE = "com.zaxxer.hikari.HikariDataSource";

    @Override
    public String name() {
        return "jdbc";
    }

    @Override
    public boolean enabled(AgentConfig config) {
        return config.get(Settings.JDBC_ENABLED);
    }

    @Override
    public AgentBuilder extend(AgentBuilder builder, ModuleContext context) {
        JdbcRecorder recorder = new JdbcRecorder("sanitized".equals(context.config.get(Settings.JDBC_QUERY_TEXT)),
                context.config.get(Settings.JDBC_SUMMARY_AFTER));
        JdbcHooks hooks = new JdbcHooks(recorder);
        ElementMatcher.Junction<MethodDescription> executions = isPublic().and(not(isStatic()))
                .and(namedOneOf("execute", "executeQuery", "executeUpdate", "executeLargeUpdate", "executeBatch",
                        "executeLargeBatch"));
        builder = builder.type(concreteSubtypeOf("Statement", "java.sql.Statement"))
                .transform(context.hooks.advise(executions.and(takesArguments(0)), hooks.execution,
                        EnterThis.class, Exit.class))
                .transform(context.hooks.advise(executions.and(takesArgument(0, String.class)), hooks.execution,
                        EnterThisAndArguments.class, Exit.class));
        builder = builder.type(concreteSubtypeOf("Connection", "java.sql.Connection"))
                .transform(context.hooks.advise(isPublic().and(not(isStatic()))
                                .and(namedOneOf("prepareStatement", "prepareCall"))
                                .and(takesArgument(0, String.class)),
                        hooks.preparation, EnterArgument0.class, ExitReturned.class));
        return builder.type(named(HIKARI_DATA_SOURCE))
                .transform(context.hooks.advise(named("getConnection").and(takesArguments(0)), hooks.connectionWait,
                        EnterThis.class, ExitThis.class));
    }

    private static ElementMatcher.Junction<TypeDescription> concreteSubtypeOf(String nameWord, String interfaceName) {
        return nameContains(nameWord).and(not(nameStartsWith("scala."))).and(not(nameStartsWith("org.apache.spark.")))
                .and(not(isInterface())).and(not(isAbstract()))
                .and(failSafe(hasSuperType(named(interfaceName))));
    }
}
