package dev.xraybatch.agent.instrument.methods;

import dev.xraybatch.agent.bootstrap.MethodBridge;
import net.bytebuddy.asm.Advice;

/** Method entry for pointcuts whose name, annotations or metadata read arguments. Referenced by name only. */
final class EnterWithArgumentsAdvice {
    private EnterWithArgumentsAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@SiteId int site, @Advice.This(optional = true) Object self,
                        @Advice.AllArguments Object[] arguments) {
        return MethodBridge.enterWithArguments(site, self, arguments);
    }
}
