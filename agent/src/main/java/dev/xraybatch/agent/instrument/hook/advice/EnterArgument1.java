package dev.xraybatch.agent.instrument.hook.advice;

import dev.xraybatch.agent.bootstrap.HookBridge;
import dev.xraybatch.agent.instrument.hook.SiteId;
import net.bytebuddy.asm.Advice;

/** Entry passing the second argument as the subject. */
public final class EnterArgument1 {
    private EnterArgument1() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@SiteId int site, @Advice.Argument(1) Object argument) {
        return HookBridge.enter(site, argument);
    }
}
