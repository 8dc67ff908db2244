package dev.xraybatch.agent.instrument.hook.advice;

import dev.xraybatch.agent.bootstrap.HookBridge;
import dev.xraybatch.agent.instrument.hook.SiteId;
import net.bytebuddy.asm.Advice;

/** Entry passing {@code this} (null in static methods and before a constructor has run): nothing is boxed. */
public final class EnterThis {
    private EnterThis() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@SiteId int site, @Advice.This(optional = true) Object self) {
        return HookBridge.enter(site, self);
    }
}
