package dev.xraybatch.agent.instrument.methods;

import dev.xraybatch.agent.bootstrap.MethodBridge;
import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.pointcut.Pointcut;
import dev.xraybatch.agent.instrument.InstrumentationModule;
import dev.xraybatch.agent.log.AgentLog;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.implementation.bytecode.constant.IntegerConstant;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.JavaModule;

/**
 * The pointcuts of the config file: every method they match becomes a subsegment. One transformation for all
 * pointcuts, so a class is matched once by name against each of them; each matching pointcut then adds its
 * advice to the methods it selects.
 */
public final class MethodsInstrumentation implements InstrumentationModule {
    private static final String PACKAGE = MethodsInstrumentation.class.getPackage().getName() + ".";

    private final CallSites sites = new CallSites();

    @Override
    public String name() {
        return "methods";
    }

    @Override
    public boolean enabled(AgentConfig config) {
        return !config.pointcuts().isEmpty();
    }

    @Override
    public AgentBuilder extend(AgentBuilder builder, AgentConfig config) {
        List<PointcutAdvice> advices = new ArrayList<>();
        ElementMatcher.Junction<TypeDescription> anyPointcut = null;
        for (Pointcut pointcut : config.pointcuts()) {
            PointcutAdvice advice = new PointcutAdvice(pointcut, sites);
            advices.add(advice);
            anyPointcut = anyPointcut == null ? advice.types : anyPointcut.or(advice.types);
        }
        if (anyPointcut == null) {
            return builder;
        }
        MethodBridge.install(new PointcutHooks(sites));
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

        PointcutAdvice(final Pointcut pointcut, final CallSites sites) {
            this.types = PointcutMatchers.types(pointcut);
            this.methods = PointcutMatchers.methods(pointcut);
            ClassFileLocator locator = ClassFileLocator.ForClassLoader.of(MethodsInstrumentation.class.getClassLoader());
            TypePool pool = TypePool.Default.of(locator);
            TypeDescription enter = pool.describe(PACKAGE + (pointcut.capturesArguments()
                    ? "EnterWithArgumentsAdvice" : "EnterAdvice")).resolve();
            TypeDescription exit = pool.describe(PACKAGE + (pointcut.capturesReturn()
                    ? "ExitWithReturnAdvice" : "ExitAdvice")).resolve();
            this.advice = Advice.withCustomMapping()
                    .bind(SiteId.class, new Advice.OffsetMapping() {
                        @Override
                        public Target resolve(TypeDescription instrumentedType, MethodDescription instrumentedMethod,
                                              Assigner assigner, Advice.ArgumentHandler argumentHandler,
                                              Sort sort) {
                            int id = sites.register(pointcut, instrumentedType.getName(),
                                    instrumentedMethod.getInternalName(), instrumentedMethod.getDescriptor());
                            return new Target.ForStackManipulation(IntegerConstant.forValue(id));
                        }
                    })
                    .to(enter, exit, locator);
        }
    }
}
