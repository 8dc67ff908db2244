package dev.xraybatch.agent.instrument.http;

import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.Settings;
import dev.xraybatch.agent.instrument.InstrumentationModule;
import dev.xraybatch.agent.instrument.ModuleContext;
import dev.xraybatch.agent.instrument.hook.advice.EnterArgument0;
import dev.xraybatch.agent.instrument.hook.advice.EnterArgumentsReplaced;
import dev.xraybatch.agent.instrument.hook.advice.EnterThis;
import dev.xraybatch.agent.instrument.hook.advice.EnterThisAndArguments;
import dev.xraybatch.agent.instrument.hook.advice.ExitReturnReplaced;
import dev.xraybatch.agent.instrument.hook.advice.ExitReturned;
import dev.xraybatch.agent.instrument.hook.advice.ExitThis;
import net.bytebuddy.agent.builder.AgentBuilder;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * The HTTP requests a job makes, one {@code remote} subsegment each ({@link HttpRecorder}): the JDK's
 * HttpURLConnection (http and https) and {@code java.net.http.HttpClient} (send and sendAsync), Apache HttpClient
 * 4.x and 5.x (classic and async), and OkHttp 3.x to 5.x. Matched by name. The JDK's classes are loaded by the
 * JDK's loaders, often before the agent: the installer lets them through its ignore list ({@link #JDK_TYPES}) and
 * retransforms them; their advice calls only {@code HookBridge}, as all advice.
 */
public final class HttpInstrumentation implements InstrumentationModule {
    /** The JDK's own HTTP connection (its https connection delegates to a subclass of it). */
    public static final String URL_CONNECTION = "sun.net.www.protocol.http.HttpURLConnection";
    /** The JDK's {@code java.net.http.HttpClient} (Java 11+): every client the builder makes is one. */
    public static final String JDK_HTTP_CLIENT = "jdk.internal.net.http.HttpClientImpl";
    /** JDK classes this module changes, outside {@code java.}: the installer ignores the rest. */
    public static final String[] JDK_TYPES = {URL_CONNECTION, JDK_HTTP_CLIENT};

    private static final String[] APACHE_4_CLIENTS = {
        "org.apache.http.impl.client.InternalHttpClient",
        "org.apache.http.impl.client.MinimalHttpClient",
        "org.apache.http.impl.client.AbstractHttpClient",
    };
    private static final String[] APACHE_5_CLIENTS = {
        "org.apache.hc.client5.http.impl.classic.InternalHttpClient",
        "org.apache.hc.client5.http.impl.classic.MinimalHttpClient",
    };
    /** 5.x async: the full client and the minimal one each declare {@code doExecute}. */
    private static final String[] APACHE_5_ASYNC_CLIENTS = {
        "org.apache.hc.client5.http.impl.async.InternalAbstractHttpAsyncClient",
        "org.apache.hc.client5.http.impl.async.AbstractMinimalHttpAsyncClientBase",
    };

    /** OkHttp 3.x, 4.x and 5.x: every client is made from a builder here. */
    private static final String OK_HTTP_CLIENT = "okhttp3.OkHttpClient";

    @Override
    public String name() {
        return "http";
    }

    @Override
    public boolean enabled(AgentConfig config) {
        return config.get(Settings.HTTP_ENABLED);
    }

    @Override
    public AgentBuilder extend(AgentBuilder builder, ModuleContext context) {
        AgentConfig config = context.config;
        HttpRecorder recorder = new HttpRecorder(config.get(Settings.HTTP_PROPAGATE),
                config.get(Settings.AWS_SDK_V2_ENABLED) || config.get(Settings.AWS_SDK_V1_ENABLED),
                config.get(Settings.HTTP_SUMMARY_AFTER));
        builder = builder.type(named(URL_CONNECTION))
                .transform(context.hooks.advise(namedOneOf("connect", "getOutputStream", "getInputStream")
                                .and(takesArguments(0)),
                        new UrlConnectionHooks(recorder), EnterThis.class, ExitThis.class));
        // send does not go through the public sendAsync; both may be called on one thread (a nested one counts
        // once, as all nested requests).
        builder = builder.type(named(JDK_HTTP_CLIENT))
                .transform(context.hooks.advise(named("send").and(takesArguments(2)),
                        new JdkHttpClientHooks(recorder, false), EnterArgumentsReplaced.class, ExitReturned.class))
                .transform(context.hooks.advise(named("sendAsync").and(takesArguments(3)),
                        new JdkHttpClientHooks(recorder, true), EnterArgumentsReplaced.class,
                        ExitReturnReplaced.class));
        builder = builder.type(namedOneOf(APACHE_4_CLIENTS))
                .transform(context.hooks.advise(named("doExecute").and(takesArguments(3)),
                        new ApacheHooks(recorder, false), EnterThisAndArguments.class, ExitReturned.class));
        builder = builder.type(namedOneOf(APACHE_5_CLIENTS))
                .transform(context.hooks.advise(named("doExecute").and(takesArguments(3)),
                        new ApacheHooks(recorder, true), EnterThisAndArguments.class, ExitReturned.class));
        builder = builder.type(namedOneOf(APACHE_5_ASYNC_CLIENTS))
                .transform(context.hooks.advise(named("doExecute").and(takesArguments(6)),
                        new ApacheAsyncHooks(recorder), EnterArgumentsReplaced.class, ExitReturnReplaced.class));
        return builder.type(named(OK_HTTP_CLIENT))
                .transform(context.hooks.advise(isConstructor().and(takesArguments(1))
                                .and(takesArgument(0, named(OK_HTTP_CLIENT + "$Builder"))),
                        new OkHttpHooks(recorder), EnterArgument0.class, null));
    }
}
