package dev.xraybatch.agent.instrument.hook.advice;

import dev.xraybatch.agent.bootstrap.HookBridge;
import dev.xraybatch.agent.instrument.hook.SiteId;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Exit that may replace the return value: the hook gets it and the declaring class (its loader is the library's),
 * and returns the value to use.
 */
public final class ReturnReplaced {
    private ReturnReplaced() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@SiteId int site, @Advice.Origin Class<?> declaringType,
                     @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object value) {
        value = HookBridge.replace(site, value, declaringType);
    }
}
