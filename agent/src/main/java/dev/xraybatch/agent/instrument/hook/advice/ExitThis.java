package dev.xraybatch.agent.instrument.hook.advice;

import dev.xraybatch.agent.bootstrap.HookBridge;
import dev.xraybatch.agent.instrument.hook.SiteId;
import net.bytebuddy.asm.Advice;

/** Exit, normal or by exception, passing {@code this} too. */
public final class ExitThis {
    private ExitThis() {
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@SiteId int site, @Advice.Enter Object token, @Advice.This Object self,
                     @Advice.Thrown Throwable thrown) {
        HookBridge.exitWithSubject(site, token, self, thrown);
    }
}
