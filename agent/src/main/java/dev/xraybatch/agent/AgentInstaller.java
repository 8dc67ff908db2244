package dev.xraybatch.agent;

import dev.xraybatch.agent.bootstrap.HookBridge;
import dev.xraybatch.agent.instrument.InstrumentationModule;
import dev.xraybatch.agent.instrument.ModuleContext;
import dev.xraybatch.agent.instrument.http.HttpInstrumentation;
import dev.xraybatch.agent.instrument.jdk.JdkInstrumentation;
import dev.xraybatch.agent.log.AgentLog;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.Instrumentation;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;

/** Builds the agent's one {@link AgentBuilder} from the modules and installs it. */
final class AgentInstaller {
    private AgentInstaller() {
    }

    static void install(Instrumentation inst, ModuleContext context, List<InstrumentationModule> modules) {
        long began = System.nanoTime();
        AgentBuilder builder = withoutNexus()
                // Advice is inlined and adds no fields or methods, so classes already loaded can be changed too.
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                // Describe types lazily from their class files: a class being loaded is parsed only when a name
                // check lets it through (POOL_FIRST would parse every class a job loads, to see it resolves), and
                // what was parsed stays in a cache per class loader for the next class's super-type checks.
                .with(new TypeCachePerLoader())
                // Transformation errors are silent unless listened to: report them, once each.
                .with(new ErrorsToLog())
                .ignore(ignored());
        for (InstrumentationModule module : modules) {
            if (!module.enabled(context.config)) {
                AgentLog.debug("module " + module.name() + " is switched off");
                continue;
            }
            try {
                builder = module.extend(builder, context);
            } catch (Throwable t) {
                AgentLog.internalError("module " + module.name(), t);
            }
        }
        long built = System.nanoTime();
        // Before any class is woven: advice may run the moment a loaded class is retransformed.
        HookBridge.install(context.hooks);
        builder.installOn(inst);
        AgentLog.debug("instrumentation: built in " + (built - began) / 1_000_000 + " ms, installed (classes already"
                + " loaded checked and retransformed) in " + (System.nanoTime() - built) / 1_000_000 + " ms");
    }

    /**
     * A new AgentBuilder whose constructor does not inject Byte Buddy's {@code Nexus} into the system class loader.
     * The constructor prepares that injection eagerly, through {@code sun.misc.Unsafe}, which Java 24 and later
     * warn about on the job's stderr; the agent never needs the Nexus (advice only, no class format changes, so no
     * type initializers to run). Byte Buddy's own switch, a system property under its (relocated) package name, is
     * read once while the builder is made, and is set for that moment only.
     */
    static AgentBuilder withoutNexus() {
        String byteBuddy = ByteBuddy.class.getName();
        String property = byteBuddy.substring(0, byteBuddy.lastIndexOf('.')) + ".nexus.disabled";
        boolean setHere = System.getProperty(property) == null;
        if (setHere) {
            System.setProperty(property, "true");
        }
        try {
            return new AgentBuilder.Default();
        } finally {
            if (setHere) {
                System.clearProperty(property);
            }
        }
    }

    /**
     * Never touched: the agent itself and its relocated dependencies, Byte Buddy, and the JDK except the few types
     * the jdk and http modules change. Names only, run for every class that loads: a matcher that needs modifiers or
     * super types here would parse every class file a Spark job loads (tens of thousands).
     */
    private static ElementMatcher.Junction<TypeDescription> ignored() {
        return nameStartsWith("dev.xraybatch.agent.")
                .or(nameStartsWith("net.bytebuddy."))
                .or(nameStartsWith("java.").and(not(namedOneOf(JdkInstrumentation.JDK_TYPES))))
                .or(nameStartsWith("javax."))
                .or(nameStartsWith("jdk.").and(not(namedOneOf(HttpInstrumentation.JDK_TYPES))))
                .or(nameStartsWith("sun.").and(not(namedOneOf(HttpInstrumentation.JDK_TYPES))))
                .or(nameStartsWith("com.sun."));
    }

    private static final class ErrorsToLog extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
                            Throwable throwable) {
            AgentLog.problemOnce("transform:" + typeName,
                    "could not instrument " + typeName + " (it runs untraced): " + throwable);
        }

        @Override
        public void onTransformation(TypeDescription typeDescription, ClassLoader classLoader, JavaModule module,
                                     boolean loaded, DynamicType dynamicType) {
            if (AgentLog.isDebug()) {
                AgentLog.debug("instrumented " + typeDescription.getName());
            }
        }
    }
}
