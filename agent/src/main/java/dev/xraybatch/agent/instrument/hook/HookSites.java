package dev.xraybatch.agent.instrument.hook;

import dev.xraybatch.agent.bootstrap.HookBridge;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.implementation.bytecode.constant.IntegerConstant;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;

/**
 * The call sites of all instrumented methods, by id, and the agent's side of {@link HookBridge}: a module says
 * which methods get which {@link Hook} through which advice shapes ({@code hook/advice}); each method woven gets
 * an id, a constant in its advice, by which a call finds its hook with one array read and no lock. Ids are given
 * at instrumentation: a class retransformed or loaded by a second class loader gets the same id back.
 */
public final class HookSites implements HookBridge.Hooks {
    /** Makes a site's {@link HookSite#detail()} when a method is first woven. */
    public interface Details {
        Object of(String className, String methodName);
    }

    private static final ClassFileLocator AGENT_CLASSES = ClassFileLocator.ForClassLoader.of(
            HookSites.class.getClassLoader());

    /** Guarded by this. */
    private final Map<String, Integer> ids = new HashMap<>();
    /** Guarded by this. */
    private int advices;
    /** Sites registered by name ({@link #named}); guarded by this. */
    private final Map<String, Integer> named = new HashMap<>();
    private volatile HookSite[] sites = new HookSite[0];

    /**
     * A transformer that weaves {@code hook} into the {@code methods} of the matched type. {@code enterShape} and
     * {@code exitShape} are classes of {@code hook/advice}; either may be null (exit only, enter only).
     */
    public AgentBuilder.Transformer advise(ElementMatcher<? super MethodDescription> methods, Hook hook,
                                           Class<?> enterShape, Class<?> exitShape) {
        final AsmVisitorWrapper visitor = advice(hook, null, enterShape, exitShape).on(methods);
        return (builder, type, classLoader, module, protectionDomain) -> builder.visit(visitor);
    }

    /** The advice itself, for modules that pick methods per type; {@code details} may be null. */
    public Advice advice(final Hook hook, final Details details, Class<?> enterShape, Class<?> exitShape) {
        final int advice;
        synchronized (this) {
            advice = advices++;
        }
        Advice.WithCustomMapping mapping = Advice.withCustomMapping()
                .bind(SiteId.class, new Advice.OffsetMapping() {
                    @Override
                    public Target resolve(TypeDescription instrumentedType, MethodDescription instrumentedMethod,
                                          Assigner assigner, Advice.ArgumentHandler argumentHandler, Sort sort) {
                        int id = register(advice, hook, details, instrumentedType.getName(),
                                instrumentedMethod.getInternalName(), instrumentedMethod.getDescriptor());
                        return new Target.ForStackManipulation(IntegerConstant.forValue(id));
                    }
                });
        TypePool pool = TypePool.Default.of(AGENT_CLASSES);
        if (enterShape == null || exitShape == null) {
            Class<?> only = enterShape != null ? enterShape : exitShape;
            return mapping.to(pool.describe(only.getName()).resolve(), AGENT_CLASSES);
        }
        return mapping.to(pool.describe(enterShape.getName()).resolve(), pool.describe(exitShape.getName()).resolve(),
                AGENT_CLASSES);
    }

    synchronized int register(int advice, Hook hook, Details details, String className, String methodName,
                              String descriptor) {
        String key = advice + " " + className + "." + methodName + descriptor;
        Integer id = ids.get(key);
        if (id != null) {
            return id;
        }
        HookSite[] grown = Arrays.copyOf(sites, sites.length + 1);
        grown[sites.length] = new HookSite(sites.length, hook, className, methodName,
                details == null ? null : details.of(className, methodName));
        sites = grown;
        ids.put(key, sites.length - 1);
        return sites.length - 1;
    }

    /**
     * A site that code outside advice calls by name through {@code HookBridge.site(name)}: the agent's classes
     * loaded a second time by another loader (the Spark plugin) share nothing with this copy but the boot loader.
     */
    public synchronized int named(String name, Hook hook) {
        Integer existing = named.get(name);
        if (existing != null) {
            return existing;
        }
        int id = register(advices++, hook, null, "(called by name)", name, "");
        named.put(name, id);
        return id;
    }

    @Override
    public synchronized int site(String name) {
        Integer id = named.get(name);
        return id == null ? -1 : id;
    }

    /** The site, or null for an id this registry never gave (never happens unless two agents share a bridge). */
    public HookSite get(int id) {
        HookSite[] current = sites;
        return id >= 0 && id < current.length ? current[id] : null;
    }

    public int size() {
        return sites.length;
    }

    @Override
    public Object enter(int id, Object subject, Object[] arguments) {
        HookSite site = get(id);
        return site == null ? null : site.hook.enter(site, subject, arguments);
    }

    @Override
    public void exit(int id, Object token, Object subject, Object returned, Throwable thrown) {
        HookSite site = get(id);
        if (site != null) {
            site.hook.exit(site, token, subject, returned, thrown);
        }
    }

    @Override
    public Object replace(int id, Object value, Object subject) {
        HookSite site = get(id);
        return site == null ? value : site.hook.replace(site, value, subject);
    }
}
