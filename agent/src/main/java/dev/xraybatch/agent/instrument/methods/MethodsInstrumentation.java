package dev.xraybatch.agent.instrument.methods;

import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.pointcut.Pointcut;
import dev.xraybatch.agent.instrument.InstrumentationModule;
import dev.xraybatch.agent.instrument.ModuleContext;
import dev.xraybatch.agent.instrument.hook.HookSites;
import dev.xraybatch.agent.instrument.hook.advice.EnterThis;
import dev.xraybatch.agent.instrument.hook.advice.EnterThisAndArguments;
import dev.xraybatch.agent.instrument.hook.advice.Exit;
import dev.xraybatch.agent.instrument.hook.advice.ExitReturned;
import dev.xraybatch.agent.log.AgentLog;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * The pointcuts of the config file: every method they match becomes a subsegment. One transformation for all
 * pointcuts, so a class is matched once by name against each of them; each matching pointcut then adds its
 * advice to the methods it selects.
 */
public final class MethodsInstrumentation implements InstrumentationModule {
    @Override
    public String name() {
        return "methods";
    }

    @Override
    public boolean enabled(AgentConfig config) {
        return !config.pointcuts().isEmpty();
    }

    @Override
    public AgentBuilder extend(AgentBuilder builder, ModuleContext context) {
        List<PointcutAdvice> advices = new ArrayList<>();
        ElementMatcher.Junction<TypeDescription> anyPointcut = null;
        PointcutHooks hooks = new PointcutHooks();
        for (Pointcut pointcut : context.config.pointcuts()) {
            PointcutAdvice advice = new PointcutAdvice(pointcut, context.hooks, hooks);
            advices.add(advice);
            anyPointcut = anyPointcut == null ? advice.types : anyPointcut.or(advice.types);
        }
        if (anyPointcut == null) {
            return builder;
        }
        AgentLog.debug(advices.size() + " pointcuts installed");
        return builder.type(anyPointcut).transform(new Transformer(advices));
    }

    /** Adds the advice of each pointcut that matches the class (its name check is repeated: it is cheap). */
    static final class Transformer implements AgentBuilder.Transformer {
        private final List<PointcutAdvice> advices;

        Transformer(List<PointcutAdvice> advices) {
            this.advices = advices;
        }

        @Override
        public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
                                                ClassLoader classLoader, JavaModule module,
                                                ProtectionDomain protectionDomain) {
            for (PointcutAdvice advice : advices) {
                if (advice.types.matches(type)) {
                    builder = builder.visit(advice.advice.on(advice.methods));
                }
            }
            return builder;
        }
    }

    /** One pointcut's matchers and advice; the advice pieces are chosen so that nothing unread is passed. */
    static final class PointcutAdvice {
        final ElementMatcher.Junction<TypeDescription> types;
        final ElementMatcher.Junction<MethodDescription> methods;
        final Advice advice;

        PointcutAdvice(final Pointcut pointcut, HookSites sites, PointcutHooks hooks) {
            this.types = PointcutMatchers.types(pointcut);
            this.methods = PointcutMatchers.methods(pointcut);
            this.advice = sites.advice(hooks, (className, methodName) -> new CallSite(pointcut, className, methodName),
                    pointcut.capturesArguments() ? EnterThisAndArguments.class : EnterThis.class,
                    pointcut.capturesReturn() ? ExitReturned.class : Exit.class);
        }
    }
}
