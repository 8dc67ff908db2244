package dev.xraybatch.agent.instrument.hook.advice;

import dev.xraybatch.agent.bootstrap.HookBridge;
import dev.xraybatch.agent.instrument.hook.SiteId;
import net.bytebuddy.asm.Advice;

/** Exit, normal or by exception, passing what was thrown (or null). */
public final class Exit {
    private Exit() {
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@SiteId int site, @Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
        HookBridge.exit(site, token, thrown);
    }
}
