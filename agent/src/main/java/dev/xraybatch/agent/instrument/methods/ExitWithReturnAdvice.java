package dev.xraybatch.agent.instrument.methods;

import dev.xraybatch.agent.bootstrap.MethodBridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Method exit for pointcuts that read the return value (boxed; null for void or when thrown). By name only. */
final class ExitWithReturnAdvice {
    private ExitWithReturnAdvice() {
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@SiteId int site, @Advice.Enter Object token,
                     @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object returned,
                     @Advice.Thrown Throwable thrown) {
        MethodBridge.exitWithReturn(site, token, returned, thrown);
    }
}
