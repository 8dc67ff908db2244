package dev.xraybatch.agent.instrument.methods;

import dev.xraybatch.agent.config.pointcut.Pointcut;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The call sites of all instrumented methods, by id. Ids are given at instrumentation (a class retransformed or
 * loaded by a second class loader gets the same id back) and read on every call without a lock.
 */
final class CallSites {
    private final Map<String, Integer> ids = new HashMap<>();
    private volatile CallSite[] sites = new CallSite[0];

    synchronized int register(Pointcut pointcut, String className, String methodName, String descriptor) {
        String key = pointcut.index() + " " + className + "." + methodName + descriptor;
        Integer id = ids.get(key);
        if (id != null) {
            return id;
        }
        CallSite[] grown = Arrays.copyOf(sites, sites.length + 1);
        grown[sites.length] = new CallSite(pointcut, className, methodName);
        sites = grown;
        ids.put(key, sites.length - 1);
        return sites.length - 1;
    }

    /** The site, or null for an id this registry never gave (never happens unless two agents share a bridge). */
    CallSite get(int id) {
        CallSite[] current = sites;
        return id >= 0 && id < current.length ? current[id] : null;
    }

    int size() {
        return sites.length;
    }
}
