package dev.xraybatch.agent;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.pool.TypePool;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One type cache per class loader. Without it every class that passes a name check re-reads its super types'
 * class files (through {@code getResource}, across every jar of the class path) to answer {@code subtypes_of} or
 * annotation matchers; with it each class file is read once. Each cache is bounded (least recently used out), and
 * the loaders are held weakly.
 */
final class TypeCachePerLoader extends AgentBuilder.PoolStrategy.WithTypePoolCache {
    private static final int TYPES_PER_LOADER = 10_000;

    private final Map<ClassLoader, TypePool.CacheProvider> caches = new WeakHashMap<>();
    private final TypePool.CacheProvider bootCache = new Bounded(TYPES_PER_LOADER);

    TypeCachePerLoader() {
        super(TypePool.Default.ReaderMode.FAST);
    }

    @Override
    protected TypePool.CacheProvider locate(ClassLoader classLoader) {
        if (classLoader == null) {
            return bootCache;
        }
        synchronized (caches) {
            TypePool.CacheProvider cache = caches.get(classLoader);
            if (cache == null) {
                cache = new Bounded(TYPES_PER_LOADER);
                caches.put(classLoader, cache);
            }
            return cache;
        }
    }

    /** A least-recently-used cache of type resolutions. */
    private static final class Bounded implements TypePool.CacheProvider {
        private final Map<String, TypePool.Resolution> entries;

        Bounded(final int capacity) {
            this.entries = new LinkedHashMap<String, TypePool.Resolution>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, TypePool.Resolution> eldest) {
                    return size() > capacity;
                }
            };
        }

        @Override
        public synchronized TypePool.Resolution find(String name) {
            return entries.get(name);
        }

        @Override
        public synchronized TypePool.Resolution register(String name, TypePool.Resolution resolution) {
            TypePool.Resolution known = entries.get(name);
            if (known != null) {
                return known;
            }
            entries.put(name, resolution);
            return resolution;
        }

        @Override
        public synchronized void clear() {
            entries.clear();
        }
    }
}
