package dev.xraybatch.agent.instrument.methods;

import dev.xraybatch.agent.bootstrap.MethodBridge;
import net.bytebuddy.asm.Advice;

/** Method exit, normal or by exception, for pointcuts that do not read the return value. By name only. */
final class ExitAdvice {
    private ExitAdvice() {
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@SiteId int site, @Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
        MethodBridge.exit(site, token, thrown);
    }
}
