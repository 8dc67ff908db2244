package dev.xraybatch.agent.instrument.hook.advice;

import dev.xraybatch.agent.bootstrap.HookBridge;
import dev.xraybatch.agent.instrument.hook.SiteId;
import net.bytebuddy.asm.Advice;

/**
 * A constructor's normal end, passing the object built. A constructor's exit advice cannot see a throw: a hook
 * that opened something at entry must not leave it current.
 */
public final class ConstructorExit {
    private ConstructorExit() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@SiteId int site, @Advice.Enter Object token, @Advice.This Object self) {
        HookBridge.exitWithSubject(site, token, self, null);
    }
}
