package dev.xraybatch.agent.instrument.methods;

import dev.xraybatch.agent.bootstrap.MethodBridge;
import net.bytebuddy.asm.Advice;

/** Method entry for pointcuts that do not read arguments: nothing is boxed. Referenced by name only. */
final class EnterAdvice {
    private EnterAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@SiteId int site, @Advice.This(optional = true) Object self) {
        return MethodBridge.enter(site, self);
    }
}
