package dev.xraybatch.agent.instrument.hook.advice;

import dev.xraybatch.agent.bootstrap.HookBridge;
import dev.xraybatch.agent.instrument.hook.SiteId;
import net.bytebuddy.asm.Advice;

/** Entry passing {@code this} and all arguments, boxed (pointcuts whose name or captures read arguments). */
public final class EnterThisAndArguments {
    private EnterThisAndArguments() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@SiteId int site, @Advice.This(optional = true) Object self,
                        @Advice.AllArguments Object[] arguments) {
        return HookBridge.enterWithArguments(site, self, arguments);
    }
}
